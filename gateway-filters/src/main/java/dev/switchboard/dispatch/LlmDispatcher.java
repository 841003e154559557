package dev.switchboard.dispatch;

import java.io.IOException;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

import io.netty.handler.timeout.ReadTimeoutException;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClientResponse;

import org.springframework.http.HttpHeaders;

import dev.switchboard.core.Attempt;
import dev.switchboard.core.AttemptSpans.AttemptSpan;
import dev.switchboard.core.AttemptSpans;
import dev.switchboard.core.BoundedBodies;
import dev.switchboard.core.Json;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.LlmResponse;
import dev.switchboard.core.NativeRequest;
import dev.switchboard.core.Operation;
import dev.switchboard.core.RouteTarget;
import dev.switchboard.core.TokenEstimator;
import dev.switchboard.route.TargetStats;
import dev.switchboard.sse.SseDecoder;
import dev.switchboard.sse.SseEvent;
import dev.switchboard.translate.ImageInliner;
import dev.switchboard.translate.ProviderAdapters;
import dev.switchboard.translate.spi.ProviderAdapter;
import dev.switchboard.translate.spi.StreamTranslator;
import dev.switchboard.translate.spi.UpstreamRequest;

/**
 * Sends an {@link LlmExchange} to its target and hands the translated response to a writer.
 *
 * <p>An attempt is: translate the parsed request for the target's provider, call it on the
 * gateway's HTTP client, and translate the answer back, JSON whole and streams event by event as
 * bytes arrive (the upstream body is consumed inside reactor-netty's {@code response} callback,
 * so the connection returns to the pool when the client's response is finished). Provider errors
 * are read whole (they are small) and raised as {@link LlmApiException} before anything is
 * written, which leaves the caller free to try another target.
 */
public class LlmDispatcher {

	private static final Logger log = LoggerFactory.getLogger(LlmDispatcher.class);

	/** Provider error bodies are small; anything past this is a proxy's page and is cut. */
	private static final int MAX_ERROR_BODY = 64 * 1024;

	/** Whole JSON responses (large embedding batches included) stay below this. */
	private static final int MAX_JSON_BODY = 64 * 1024 * 1024;

	private final ProviderAdapters adapters;

	private final ProviderClients clients;

	private final @Nullable ImageInliner images;

	private final FailoverPolicy defaultPolicy;

	private final TargetBreakers breakers;

	private final TargetStats stats;

	private AttemptSpans spans = AttemptSpans.NONE;

	private ProviderLimits limits = ProviderLimits.NONE;

	/** Estimates {@code count_tokens} for providers that cannot count; its encodings are the JVM's one copy. */
	private final TokenEstimator estimator = new TokenEstimator();

	/**
	 * @param images fetches image URLs for providers that need inline bytes; {@code null} refuses
	 * such requests (image fetching switched off)
	 * @param defaultPolicy failover of requests whose route sets no {@link FailoverPolicy} of its own
	 * @param breakers the circuit breaker of each target
	 */
	public LlmDispatcher(ProviderAdapters adapters, ProviderClients clients, @Nullable ImageInliner images,
			FailoverPolicy defaultPolicy, TargetBreakers breakers, TargetStats stats) {
		this.adapters = adapters;
		this.clients = clients;
		this.images = images;
		this.defaultPolicy = defaultPolicy;
		this.breakers = breakers;
		this.stats = stats;
	}

	/** Traces each provider call (a client span with GenAI attributes, trace context propagated). */
	public LlmDispatcher tracedBy(AttemptSpans spans) {
		this.spans = spans;
		return this;
	}

	/** Keeps calls within what each provider allows (in flight, requests and tokens per minute). */
	public LlmDispatcher limitedBy(ProviderLimits limits) {
		this.limits = limits;
		return this;
	}

	ProviderLimits limits() {
		return this.limits;
	}

	/** One call, no failover, no breakers. */
	public LlmDispatcher(ProviderAdapters adapters, ProviderClients clients, @Nullable ImageInliner images) {
		this(adapters, clients, images, FailoverPolicy.none(), TargetBreakers.none(), new TargetStats());
	}

	/**
	 * Serves the exchange: the preset response if a filter set one, otherwise the route's targets in
	 * order, as its {@link FailoverPolicy} allows, until one has started answering the client.
	 * @param writer writes a response to the client and completes when it is fully written
	 */
	public Mono<Void> dispatch(LlmExchange exchange, Function<LlmResponse, Mono<Void>> writer) {
		LlmResponse preset = exchange.response().preset();
		if (preset != null) {
			return exchange.response().write(preset, writer);
		}
		FailoverPolicy policy = exchange.get(FailoverPolicy.class);
		if (policy == null) {
			// The defaults of the request's configuration version; recorded so the writer bounds the
			// whole response by the same policy.
			policy = exchange.configured(FailoverPolicy.class, this.defaultPolicy);
			exchange.put(FailoverPolicy.class, policy);
		}
		return new Failover(this, exchange, policy, writer).run()
			.onErrorResume(error -> lastResort(exchange, error, writer));
	}

	/**
	 * The exchange's last-resort answer (stale-if-error) when the walk ended because no target could
	 * serve: the last failure is one the request's policy fails over on (down, overloaded, rate
	 * limited, breaker open, timed out, a provider refusing the gateway's key), so the walk went on
	 * until no target was left, or the route's only target failed so; not a request too long for
	 * every window, nor one the providers refused as the client's own mistake, and never once bytes
	 * have left.
	 */
	private Mono<Void> lastResort(LlmExchange exchange, Throwable error, Function<LlmResponse, Mono<Void>> writer) {
		Supplier<LlmResponse> answer = exchange.response().lastResort();
		Trigger trigger = Failures.classify(error);
		FailoverPolicy policy = exchange.get(FailoverPolicy.class);
		boolean walkedOn = trigger != null && policy != null && policy.triggers().contains(trigger);
		if (answer == null || exchange.timing().isCommitted() || trigger == null || trigger == Trigger.CONTEXT_LENGTH
				|| !(walkedOn || exchange.route().targets().size() == 1)) {
			return Mono.error(error);
		}
		// From here the gateway answers by itself, as for a cache hit: billed what the answer's filter charges.
		LlmResponse response = answer.get();
		exchange.response().respondWith(response, "no target could serve (" + trigger.name().toLowerCase(Locale.ROOT)
				+ "): the last resort answers");
		return exchange.response().write(response, writer);
	}

	/**
	 * One attempt under the target's circuit breaker, which counts only the provider's own faults.
	 *
	 * <p>Only the call is protected: the request is prepared and translated first, so that a
	 * request the gateway refuses anyway (an image it will not fetch, a value the provider's API
	 * cannot express) gets that 400 even while the breaker is open, instead of a 503
	 * {@code circuit_open} that invites the client to retry the same bad request.
	 */
	Mono<Void> guardedAttempt(LlmExchange exchange, RouteTarget target, Function<LlmResponse, Mono<Void>> writer) {
		ProviderAdapter adapter = this.adapters.forType(target.provider().type());
		if (countedHere(exchange, adapter)) {
			return countLocally(exchange, target, writer);
		}
		return translated(exchange, adapter, target).flatMap(request -> {
			Mono<Optional<Throwable>> call = send(exchange, target, adapter, request, writer)
				.then(Mono.just(Optional.<Throwable>empty()))
				.onErrorResume(error -> Failures.isProviderFault(error) ? Mono.error(error) : Mono.just(Optional.of(error)));
			return this.breakers.protect(target, call)
				.flatMap(clientError -> clientError.isPresent() ? Mono.error(clientError.get()) : Mono.<Void>empty())
				.doOnSubscribe(subscription -> this.stats.started(target))
				.doOnSuccess(done -> this.stats.finished(target, false))
				.doOnError(error -> this.stats.finished(target, Failures.isProviderFault(error)))
				.doOnCancel(() -> this.stats.finished(target, false));
		});
	}

	/** Whether the target's provider fails its active health checks. */
	boolean isUnhealthy(RouteTarget target) {
		return this.stats.isUnhealthy(target);
	}

	/** One call to one target; fails with an {@link LlmApiException} before writing when the call fails. */
	public Mono<Void> attempt(LlmExchange exchange, RouteTarget target, Function<LlmResponse, Mono<Void>> writer) {
		ProviderAdapter adapter = this.adapters.forType(target.provider().type());
		if (countedHere(exchange, adapter)) {
			return countLocally(exchange, target, writer);
		}
		return translated(exchange, adapter, target).flatMap(request -> send(exchange, target, adapter, request, writer));
	}

	/** A token count the target's provider cannot make itself: the gateway estimates it. */
	private static boolean countedHere(LlmExchange exchange, ProviderAdapter adapter) {
		return exchange.operation() == Operation.COUNT_TOKENS && !adapter.countsTokens(exchange);
	}

	/**
	 * Answers {@code count_tokens} with the estimate the quota reserves by (jtokkit for OpenAI
	 * models, about four characters a token elsewhere), without a provider call: a count costs
	 * nothing, and a provider without a count API would otherwise have to generate to tell.
	 */
	private Mono<Void> countLocally(LlmExchange exchange, RouteTarget target, Function<LlmResponse, Mono<Void>> writer) {
		return this.estimator.promptTokens(Operation.CHAT, exchange.body(), target).flatMap(tokens -> {
			exchange.decide("count", tokens + " input tokens estimated by the gateway: provider '"
					+ target.provider().name() + "' (" + target.provider().type().id() + ") has no count API");
			byte[] body = Json.MAPPER.writeValueAsBytes(Json.object().put("input_tokens", tokens));
			return exchange.response().write(LlmResponse.json(200, body, null), writer);
		});
	}

	/** The request in the target provider's terms, images inlined first where it needs them. */
	private Mono<UpstreamRequest> translated(LlmExchange exchange, ProviderAdapter adapter, RouteTarget target) {
		return prepare(exchange, adapter, target).then(Mono.fromCallable(() -> {
			// The header names what the target that answers left out; the decision log keeps every attempt's.
			exchange.translation().forgetDropped();
			NativeRequest client = exchange.nativeRequest();
			if (client != null && !adapter.speaksNatively(client.protocol(), target.provider())) {
				for (String field : client.unexpressedNames()) {
					exchange.translation().drop(field, "only " + client.protocol() + " providers take it");
				}
			}
			return switch (exchange.operation()) {
				case EMBEDDINGS -> adapter.embeddingsRequest(exchange, target);
				case COUNT_TOKENS -> adapter.countTokensRequest(exchange, target);
				default -> adapter.chatRequest(exchange, target);
			};
		}));
	}

	private Mono<Void> send(LlmExchange exchange, RouteTarget target, ProviderAdapter adapter, UpstreamRequest request,
			Function<LlmResponse, Mono<Void>> writer) {
		return Mono.deferContextual(context -> {
			Attempt attempt = exchange.attempts().start(target);
			AttemptSpan span = this.spans.start(exchange, target, request.headers(), context);
			return this.clients.prepare(target.provider(), request)
				.response((response, body) -> onResponse(exchange, attempt, adapter, response, body, writer))
				.then()
				.onErrorMap(error -> failed(exchange, attempt, error))
				.doOnSuccess(done -> span.end(exchange, attempt, null))
				.doOnError(error -> span.end(exchange, attempt, error))
				.doOnCancel(() -> span.end(exchange, attempt, null));
		});
	}

	/** Fetches image URLs once per request when the target's provider accepts only inline images. */
	private Mono<Void> prepare(LlmExchange exchange, ProviderAdapter adapter, RouteTarget target) {
		if (exchange.operation() != Operation.CHAT || !adapter.inlinesImageUrls()
				|| ImageInliner.imageUrls(exchange.body()).isEmpty()) {
			return Mono.empty();
		}
		if (this.images == null) {
			return Mono.error(LlmApiException.invalidRequest("The provider '" + target.provider().name()
					+ "' needs images inline and image fetching is switched off: send images as data: URLs.",
					"messages"));
		}
		return this.images.inline(exchange);
	}

	private Publisher<Void> onResponse(LlmExchange exchange, Attempt attempt, ProviderAdapter adapter,
			HttpClientResponse response, ByteBufFlux body, Function<LlmResponse, Mono<Void>> writer) {
		int status = response.status().code();
		attempt.responded(status);
		this.stats.responded(attempt.target(), attempt.timeToResponseNanos(), response.responseHeaders()::get);
		RouteTarget target = attempt.target();
		if (status < 200 || status >= 300) {
			HttpHeaders headers = headersOf(response);
			return BoundedBodies.truncated(body.asByteArray(), MAX_ERROR_BODY).flatMap(bytes -> {
				LlmApiException error = adapter.error(target, status, headers, bytes);
				exchange.attempts().end(attempt, Attempt.Outcome.UPSTREAM_ERROR, "HTTP " + status);
				return Mono.error(error);
			});
		}
		if (exchange.stream() && exchange.operation() == Operation.CHAT) {
			String contentType = response.responseHeaders().get("content-type", "");
			if (!contentType.toLowerCase(Locale.ROOT).startsWith("text/event-stream")) {
				// A server that ignored "stream" (or sent an error with a 200): never an empty "successful" stream.
				return BoundedBodies.truncated(body.asByteArray(), MAX_ERROR_BODY).flatMap(ignored -> {
					exchange.attempts().end(attempt, Attempt.Outcome.UPSTREAM_ERROR, "not a stream: " + contentType);
					return Mono.error(new LlmApiException(502, LlmApiException.API_ERROR, "invalid_upstream_response",
							null, "The provider '" + target.provider().name() + "' answered a stream request with '"
									+ contentType + "' instead of server-sent events.",
							null, null));
				});
			}
			StreamTranslator translator = new HoldUntilFirstToken(exchange, attempt, adapter.streamTranslator(exchange, target));
			SseDecoder decoder = new SseDecoder();
			Flux<SseEvent> events = body.asByteArray()
				.concatMapIterable(decoder::decode)
				.concatWith(Flux.defer(() -> Flux.fromIterable(decoder.finish())))
				.concatMapIterable(translator::onEvent)
				.concatWith(Flux.defer(() -> Flux.fromIterable(translator.onEnd())))
				.doOnComplete(() -> exchange.attempts().end(attempt, Attempt.Outcome.SUCCESS, null))
				.doOnCancel(() -> exchange.attempts().end(attempt, Attempt.Outcome.CANCELLED, "client went away"))
				.onErrorMap(error -> failed(exchange, attempt, error));
			return exchange.response().write(LlmResponse.stream(events, target), writer);
		}
		return BoundedBodies.limited(body.asByteArray(), MAX_JSON_BODY, LlmDispatcher::responseTooLarge).flatMap(bytes -> {
			byte[] translated = switch (exchange.operation()) {
				case EMBEDDINGS -> adapter.embeddingsResponse(exchange, target, bytes);
				case COUNT_TOKENS -> adapter.countTokensResponse(exchange, target, bytes);
				default -> adapter.chatResponse(exchange, target, bytes);
			};
			attempt.answering();
			exchange.attempts().end(attempt, Attempt.Outcome.SUCCESS, null);
			return exchange.response().write(LlmResponse.json(status, translated, target), writer);
		});
	}

	private static LlmApiException responseTooLarge() {
		return new LlmApiException(502, LlmApiException.API_ERROR, "upstream_response_too_large", null,
				"The provider's response exceeded " + MAX_JSON_BODY + " bytes.", null, null);
	}

	/**
	 * Classifies a failure of the call into the OpenAI error the client sees, ending the attempt. A
	 * failure of an attempt that has already ended (the client went away while its answer was being
	 * written) is passed through untouched: it says nothing about the provider.
	 */
	private static Throwable failed(LlmExchange exchange, Attempt attempt, Throwable error) {
		if (attempt.isEnded()) {
			return error;
		}
		if (error instanceof LlmApiException api) {
			exchange.attempts().end(attempt, Attempt.Outcome.UPSTREAM_ERROR, api.getMessage());
			return api;
		}
		String provider = attempt.target().provider().name();
		if (isTimeout(error)) {
			exchange.attempts().end(attempt, Attempt.Outcome.TIMEOUT, error.getClass().getSimpleName());
			return LlmApiException.upstreamTimeout(provider, error);
		}
		if (isUnreachable(error)) {
			exchange.attempts().end(attempt, Attempt.Outcome.UNREACHABLE, error.getClass().getSimpleName());
			return LlmApiException.upstreamUnreachable(provider, error);
		}
		// Anything else broke while reading or translating the answer: the provider sent something odd.
		log.warn("Request {}: the answer of provider '{}' could not be processed", exchange.requestId(), provider,
				error);
		exchange.attempts().end(attempt, Attempt.Outcome.UPSTREAM_ERROR, error.getClass().getSimpleName());
		return new LlmApiException(502, LlmApiException.API_ERROR, "invalid_upstream_response", null,
				"The provider '" + provider + "' sent an answer the gateway could not process.", null, error);
	}

	static boolean isTimeout(Throwable error) {
		for (Throwable t = error; t != null; t = t.getCause()) {
			if (t instanceof ReadTimeoutException || t instanceof TimeoutException) {
				return true;
			}
		}
		return false;
	}

	/** Connection refused or timed out, unknown host, connection closed before an answer. */
	static boolean isUnreachable(Throwable error) {
		for (Throwable t = error; t != null; t = t.getCause()) {
			if (t instanceof IOException) {
				return true;
			}
		}
		return false;
	}

	private static HttpHeaders headersOf(HttpClientResponse response) {
		HttpHeaders headers = new HttpHeaders();
		response.responseHeaders().forEach(entry -> headers.add(entry.getKey(), entry.getValue()));
		return headers;
	}

}
