package dev.switchboard.dispatch;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

import dev.switchboard.catalog.ProviderSpec;
import dev.switchboard.translate.spi.UpstreamRequest;

/**
 * One HTTP client per provider, each derived from the gateway's own {@link HttpClient} bean.
 *
 * <p>Deriving keeps everything the platform configured under
 * {@code spring.cloud.gateway.server.webflux.httpclient} (connection pool, TLS, proxy, wiretap,
 * {@code HttpClientCustomizer}s) and the same pool of connections; only the provider's own connect
 * and response timeouts are set on top.
 */
public final class ProviderClients {

	private final HttpClient gatewayClient;

	/** Keyed by timeouts, not by provider: a provider added or retimed live gets its client on first use. */
	private final Map<Timeouts, HttpClient> clients = new ConcurrentHashMap<>();

	public ProviderClients(HttpClient gatewayClient) {
		this.gatewayClient = gatewayClient;
	}

	/**
	 * The provider-native request, ready to send on the provider's client: its headers (the
	 * credential among them) and content length, method, URL under the base URL, and body. The
	 * calls and the health probes go out the same way.
	 */
	public HttpClient.ResponseReceiver<?> prepare(ProviderSpec provider, UpstreamRequest request) {
		return forProvider(provider)
			.headers(headers -> {
				request.headers().forEach(headers::set);
				headers.set(HttpHeaderNames.CONTENT_LENGTH, request.body().length);
			})
			.request(HttpMethod.valueOf(request.method().name()))
			.uri(provider.baseUrl().toString() + request.path())
			.send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(request.body())));
	}

	/** The gateway's client with this provider's connect and response timeouts. */
	public HttpClient forProvider(ProviderSpec provider) {
		return this.clients.computeIfAbsent(new Timeouts(provider.connectTimeout(), provider.responseTimeout()),
				timeouts -> this.gatewayClient
					.option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
							(int) Math.min(Integer.MAX_VALUE, timeouts.connect().toMillis()))
					.responseTimeout(timeouts.response()));
	}

	private record Timeouts(Duration connect, Duration response) {
	}

}
