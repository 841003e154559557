package dev.switchboard.core;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * How an exchange's answer is made before it is written: the part of {@link LlmExchange} that
 * filters plan the response with, in three steps applied in this order to every answer (a
 * provider's, a cache hit, a last resort, a local count):
 * <ol>
 * <li>{@link #check checks}: asynchronous and allowed to refuse. A check that errors replaces the
 * answer with its error, so it must run before anything keeps the answer: a denied answer is
 * never cached. A check on a stream returns at once, with the events it holds back and releases.
 * <li>{@link #decorate decorators}: synchronous transformations every filter may share (a stream
 * ended at a budget, the cache's tee, the request log's tee), in registration order.
 * <li>{@link #personalize finishers}: what only this client may see, applied after every
 * decorator so that nothing shared keeps it (placeholders of masked data restored with the
 * client's own values, after the cache stored the masked answer).
 * </ol>
 * A filter may also answer without a provider ({@link #respondWith}) or offer an answer for when no
 * provider can serve ({@link #offerLastResort}).
 */
public final class ResponsePlan {

	private final LlmExchange exchange;

	private final List<Function<LlmResponse, Mono<LlmResponse>>> checks = new CopyOnWriteArrayList<>();

	private final List<UnaryOperator<LlmResponse>> decorators = new CopyOnWriteArrayList<>();

	private final List<UnaryOperator<LlmResponse>> finishers = new CopyOnWriteArrayList<>();

	private volatile @Nullable LlmResponse preset;

	private volatile @Nullable Supplier<LlmResponse> lastResort;

	ResponsePlan(LlmExchange exchange) {
		this.exchange = exchange;
	}

	/**
	 * Checks the answer before anything else sees it; the check may refuse it (an error, best an
	 * {@link LlmApiException} of the gateway's own, which no failover walks on). Checks run in
	 * registration order.
	 */
	public void check(Function<LlmResponse, Mono<LlmResponse>> check) {
		this.checks.add(check);
	}

	/** Transforms the response before it is written; decorators apply in registration order. */
	public void decorate(UnaryOperator<LlmResponse> decorator) {
		this.decorators.add(decorator);
	}

	/** Transforms the response after every decorator: what is for this client only. */
	public void personalize(UnaryOperator<LlmResponse> finisher) {
		this.finishers.add(finisher);
	}

	/** The answer as it is to be written: checked, decorated, personalised. */
	public Mono<LlmResponse> prepare(LlmResponse response) {
		if (this.checks.isEmpty()) {
			return Mono.just(finish(response));
		}
		Mono<LlmResponse> checked = Mono.just(response);
		for (Function<LlmResponse, Mono<LlmResponse>> check : this.checks) {
			checked = checked.flatMap(check);
		}
		return checked.map(this::finish);
	}

	/**
	 * Writes the answer as {@link #prepare} makes it; without checks (most routes) straight away,
	 * with no operator between the decorated answer and its writer.
	 */
	public Mono<Void> write(LlmResponse response, Function<LlmResponse, Mono<Void>> writer) {
		return this.checks.isEmpty() ? writer.apply(finish(response)) : prepare(response).flatMap(writer);
	}

	private LlmResponse finish(LlmResponse response) {
		LlmResponse result = response;
		for (UnaryOperator<LlmResponse> decorator : this.decorators) {
			result = decorator.apply(result);
		}
		for (UnaryOperator<LlmResponse> finisher : this.finishers) {
			result = finisher.apply(result);
		}
		return result;
	}

	/** Answers without calling a provider (a cache hit); checks, decorators and listeners still apply. */
	public void respondWith(LlmResponse response, String why) {
		this.preset = response;
		this.exchange.decide("respond", why);
	}

	public @Nullable LlmResponse preset() {
		return this.preset;
	}

	/**
	 * Offers an answer for when the request cannot be served at all (an expired cache entry under
	 * stale-if-error). The dispatcher, which alone knows why the last target failed, uses it only when
	 * every target was unavailable (down, overloaded, rate limited, breaker open, refusing the
	 * gateway's key) and nothing has been written yet; never for a failure that is the client's own.
	 * Checks, decorators and listeners still apply.
	 */
	public void offerLastResort(Supplier<LlmResponse> answer) {
		this.lastResort = answer;
	}

	public @Nullable Supplier<LlmResponse> lastResort() {
		return this.lastResort;
	}

}
