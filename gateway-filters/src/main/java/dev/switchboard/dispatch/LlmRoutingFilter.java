package dev.switchboard.dispatch;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;

import dev.switchboard.core.CompareGate;
import dev.switchboard.core.CompareLeg;
import dev.switchboard.core.ErrorResponses;
import dev.switchboard.core.FrontDoor;
import dev.switchboard.core.Headers;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.LlmResponse;
import dev.switchboard.core.RouteTarget;
import dev.switchboard.core.Timers;
import dev.switchboard.core.Usage;
import dev.switchboard.sse.SseEncoder;
import dev.switchboard.sse.SseEvent;

/**
 * The routing filter of LLM routes: where Spring Cloud Gateway's {@code NettyRoutingFilter} would
 * proxy bytes, this one dispatches the parsed {@link LlmExchange}.
 *
 * <p>A global filter ordered just before {@code NettyRoutingFilter}, so that every route filter
 * (quota, cache, failover, metrics) has run around it whatever order the YAML lists them in. It
 * marks the exchange as routed, so the gateway's own routing filters leave it alone. Requests
 * without an {@code LlmExchange} pass untouched: plain routes keep plain proxying.
 */
public class LlmRoutingFilter implements GlobalFilter, Ordered {

	/** Before {@code WebsocketRoutingFilter} and {@code NettyRoutingFilter}, after the load balancer. */
	public static final int ORDER = Ordered.LOWEST_PRECEDENCE - 10;

	private final LlmDispatcher dispatcher;

	private final boolean costHeaders;

	/** @param costHeaders whether non-streamed responses say their tokens and cost in headers */
	public LlmRoutingFilter(LlmDispatcher dispatcher, boolean costHeaders) {
		this.dispatcher = dispatcher;
		this.costHeaders = costHeaders;
	}

	public LlmRoutingFilter(LlmDispatcher dispatcher) {
		this(dispatcher, false);
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		LlmExchange llm = LlmExchange.find(exchange);
		if (llm == null || ServerWebExchangeUtils.isAlreadyRouted(exchange)) {
			return chain.filter(exchange);
		}
		ServerWebExchangeUtils.setAlreadyRouted(exchange);
		CompareGate gate = llm.get(CompareGate.class);
		CompareLeg leg = llm.get(CompareLeg.class);
		if (gate != null && leg != null) {
			// A comparison's leg calls its provider only once every leg is admitted (or one was refused).
			return gate.arrive(leg.leg()).then(Mono.defer(() -> dispatch(exchange, llm)));
		}
		return dispatch(exchange, llm);
	}

	private Mono<Void> dispatch(ServerWebExchange exchange, LlmExchange llm) {
		return this.dispatcher.dispatch(llm, response -> write(exchange, llm, response, this.costHeaders));
	}

	/**
	 * Writes a response. Status and headers are set only when the first byte is about to leave (for a
	 * stream: when its first event arrives), so an attempt that fails before that leaves the response
	 * untouched for the next target, or for a clean error.
	 */
	static Mono<Void> write(ServerWebExchange exchange, LlmExchange llm, LlmResponse canonical, boolean costHeaders) {
		// Every decorator has seen the canonical answer; from here on it is in the client's door's shape.
		FrontDoor door = llm.door();
		LlmResponse llmResponse = door.render(llm, canonical);
		ServerHttpResponse response = exchange.getResponse();
		DataBufferFactory buffers = response.bufferFactory();
		if (!llmResponse.isStream()) {
			Mono<Void> before = llmResponse.beforeWrite();
			return (before == null) ? writeJson(response, llm, llmResponse, costHeaders)
					: before.then(Mono.defer(() -> writeJson(response, llm, llmResponse, costHeaders)));
		}
		Flux<SseEvent> events = bounded(llm, llmResponse.events()).switchOnFirst((first, flux) -> {
			if (first.hasValue()) {
				commit(response, llm, llmResponse, MediaType.TEXT_EVENT_STREAM);
				response.getHeaders().setCacheControl("no-cache");
				// Tells nginx-style proxies in front of the gateway not to hold chunks back.
				response.getHeaders().set("X-Accel-Buffering", "no");
			}
			return flux;
		}).onErrorResume(error -> {
			if (!llm.timing().isCommitted()) {
				// Nothing sent yet: the caller may still try another target or answer a plain error.
				return Flux.error(error);
			}
			// Headers are gone: the only honest way left to fail is an error event, then a clean close.
			llm.recordFailure(error);
			return Flux.just(door.errorEvent(llm, ErrorResponses.toApiException(error)));
		});
		// writeWith, not writeAndFlushWith: Reactor Netty writes what is ready and flushes once when
		// nothing more is (MonoSendMany's flush after each drain), so the events read from one upstream
		// packet leave in one write instead of one flush (a syscall) each, and a lone event still
		// leaves at once.
		return response.writeWith(events.map(event -> buffers.wrap(SseEncoder.encode(event))));
	}

	private static Mono<Void> writeJson(ServerHttpResponse response, LlmExchange llm, LlmResponse llmResponse,
			boolean costHeaders) {
		byte[] json = llmResponse.json();
		commit(response, llm, llmResponse, MediaType.APPLICATION_JSON);
		response.getHeaders().setContentLength(json.length);
		Usage usage = llm.usage();
		RouteTarget servedBy = llmResponse.servedBy();
		if (costHeaders && usage != null && servedBy != null) {
			response.getHeaders().set(Headers.PROMPT_TOKENS, Long.toString(usage.promptTokens()));
			response.getHeaders().set(Headers.COMPLETION_TOKENS, Long.toString(usage.completionTokens()));
			// Written before the exchange completes, so priced as its bill will be: for a whole
			// answer the bill is exactly this reported usage at the serving target.
			response.getHeaders().set(Headers.COST, llm.price(servedBy, usage).cost().toPlainString());
		}
		return response.writeWith(Mono.just(response.bufferFactory().wrap(json)));
	}

	/** The stream, cut with an error at the policy's total timeout counted from the request's start. */
	private static Flux<SseEvent> bounded(LlmExchange llm, Flux<SseEvent> events) {
		FailoverPolicy policy = llm.get(FailoverPolicy.class);
		if (policy == null || policy.totalTimeout() == null) {
			return events;
		}
		Duration total = policy.totalTimeout();
		Duration left = total.minusNanos(System.nanoTime() - llm.timing().startNanos());
		Mono<Long> end = Timers.delay(left).cache();
		return events.timeout(end, event -> end)
			.onErrorMap(TimeoutException.class, timeout -> new LlmApiException(504, LlmApiException.API_ERROR,
					"total_timeout", null, "The response took longer than the gateway's limit of " + total.toMillis()
							+ " ms.", null, null));
	}

	private static void commit(ServerHttpResponse response, LlmExchange llm, LlmResponse llmResponse,
			MediaType contentType) {
		llm.timing().markCommitted();
		response.setStatusCode(HttpStatusCode.valueOf(llmResponse.status()));
		HttpHeaders headers = response.getHeaders();
		// The response's own headers replace what a filter set before the call (a stale answer's
		// cache header replaces the lookup's "miss").
		llmResponse.headers().forEach(headers::put);
		headers.setContentType(contentType);
		RouteTarget servedBy = llmResponse.servedBy();
		if (servedBy != null) {
			headers.set(Headers.PROVIDER, servedBy.provider().name());
			headers.set(Headers.MODEL, servedBy.model().upstreamModel());
		}
		headers.set(Headers.ATTEMPTS, Integer.toString(llm.attempts().count()));
		if (!llm.translation().dropped().isEmpty()) {
			headers.set(Headers.DROPPED_PARAMS, String.join(",", llm.translation().dropped()));
		}
	}

}
