package dev.switchboard.endpoint.compare;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebExchangeDecorator;

/**
 * One comparison leg as the route's chain sees it: the client's exchange with the leg's own
 * request headers, its own {@link LegResponse}, and attributes of its own. Spring's
 * {@code mutate()} shares the attribute map with the exchange it decorates, and every leg
 * attaches its own {@code LlmExchange} there; so the leg starts from a copy of the client's
 * attributes (the route, the door) and keeps what the chain adds to itself.
 */
final class LegExchange extends ServerWebExchangeDecorator {

	private final ServerHttpRequest request;

	private final ServerHttpResponse response;

	private final Map<String, Object> attributes;

	LegExchange(ServerWebExchange client, ServerHttpRequest request, ServerHttpResponse response) {
		super(client);
		this.request = request;
		this.response = response;
		this.attributes = new ConcurrentHashMap<>(client.getAttributes());
	}

	@Override
	public ServerHttpRequest getRequest() {
		return this.request;
	}

	@Override
	public ServerHttpResponse getResponse() {
		return this.response;
	}

	@Override
	public Map<String, Object> getAttributes() {
		return this.attributes;
	}

}
