package dev.switchboard.dispatch;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import dev.switchboard.core.Attempt;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.LlmResponse;
import dev.switchboard.core.RouteTarget;
import dev.switchboard.core.Timers;
import dev.switchboard.route.RequestNeeds;

/**
 * One request's walk over its targets: retries with backoff on transient failures, moves on when
 * a target is rate limited, overloaded, unreachable, rejected or open-circuited, and stops at the
 * first byte sent to the client (after that a failure can only end the stream).
 *
 * <p>Every decision (retry, wait, skip, next) goes to the exchange's decision log with its reason.
 * The whole walk, waits included, is bounded by the policy's deadline until a provider answers.
 */
final class Failover {

	private final LlmDispatcher dispatcher;

	private final LlmExchange exchange;

	private final FailoverPolicy policy;

	private final Function<LlmResponse, Mono<Void>> writer;

	private final List<RouteTarget> targets;

	private final long deadlineNanos;

	private int calls;

	/** The request's token count for provider limits, worked out on first need. */
	private long tokens = -1;

	/** After a context-length failure: only targets with a larger window are worth a call. */
	private @Nullable Integer contextTooSmallFor;

	Failover(LlmDispatcher dispatcher, LlmExchange exchange, FailoverPolicy policy,
			Function<LlmResponse, Mono<Void>> writer) {
		this.dispatcher = dispatcher;
		this.exchange = exchange;
		this.policy = policy;
		this.writer = writer;
		this.targets = exchange.route().targets();
		this.deadlineNanos = exchange.timing().startNanos() + policy.deadline().toNanos();
	}

	Mono<Void> run() {
		return target(0, 0, null);
	}

	private Mono<Void> target(int index, int retry, @Nullable Throwable last) {
		if (index >= this.targets.size() || this.calls >= this.policy.maxAttempts()) {
			return Mono.error((last != null) ? last : LlmApiException.internal(null));
		}
		RouteTarget target = this.targets.get(index);
		Integer window = target.model().contextWindow();
		if (this.contextTooSmallFor != null && window != null && window <= this.contextTooSmallFor) {
			this.exchange.decide("failover", "skip " + target.label() + ": context window " + window
					+ " is not larger than " + this.contextTooSmallFor);
			return target(index + 1, 0, last);
		}
		if (retry == 0 && this.dispatcher.isUnhealthy(target)) {
			if (healthyAfter(index, next -> true)) {
				this.exchange.decide("failover", "skip " + target.label() + ": its provider fails its health checks");
				return target(index + 1, 0, last);
			}
			// Every target left fails its checks: try them anyway rather than fail on the probes' word.
			this.exchange.decide("failover", target.label() + " fails its health checks, as do the targets after it: "
					+ "trying it anyway");
		}
		ProviderLimits limits = this.dispatcher.limits();
		if (!limits.limits(target)) {
			this.calls++;
			return call(target).onErrorResume(error -> next(index, retry, target, error));
		}
		// Deferred: room is taken when the walk gets here, not when the chain is assembled.
		return Mono.defer(() -> {
			long tokens = tokens();
			ProviderLimits.Permit permit = limits.tryAcquire(target, tokens);
			if (permit == null && healthyAfter(index, next -> limits.hasRoom(next, tokens))) {
				limits.spilled(target);
				this.exchange.decide("failover", "skip " + target.label() + ": its provider is at the limit kept for it");
				return target(index + 1, 0, last);
			}
			Mono<ProviderLimits.Permit> room = (permit != null) ? Mono.just(permit)
					: limits.acquire(target, tokens, remaining())
						.doOnNext(waited -> this.exchange.decide("failover", "waited for room at " + target.label()));
			this.calls++;
			// Room goes back as the call ends, before the walk moves on (a fallback on the same provider
			// counts without it). A refusal for room is the gateway's own answer, already past spilling:
			// not retried as a provider 429.
			return room.flatMap(held -> call(target).doOnTerminate(held::release).doOnCancel(held::release)
				.onErrorResume(error -> next(index, retry, target, error)));
		});
	}

	/** What the request counts against a provider's tokens per minute: its prompt estimate and max_tokens. */
	private long tokens() {
		if (this.tokens < 0) {
			RequestNeeds needs = RequestNeeds.of(this.exchange.body(), this.exchange.operation());
			this.tokens = needs.promptTokens() + needs.maxTokens();
		}
		return this.tokens;
	}

	/**
	 * Whether a target after {@code index} passes its health checks and {@code fits}: skipping
	 * this one is worth it only when the walk has somewhere better to go.
	 */
	private boolean healthyAfter(int index, Predicate<RouteTarget> fits) {
		for (int i = index + 1; i < this.targets.size(); i++) {
			RouteTarget next = this.targets.get(i);
			if (!this.dispatcher.isUnhealthy(next) && fits.test(next)) {
				return true;
			}
		}
		return false;
	}

	private Mono<Void> next(int index, int retry, RouteTarget target, Throwable error) {
		if (this.exchange.timing().isCommitted()) {
			return Mono.error(error);
		}
		Trigger trigger = Failures.classify(error);
		if (trigger == null || !this.policy.triggers().contains(trigger)) {
			return Mono.error(error);
		}
		if (trigger == Trigger.CIRCUIT_OPEN) {
			this.calls--;
			this.exchange.decide("failover", "skip " + target.label() + ": circuit breaker open");
		}
		boolean lastTarget = index == this.targets.size() - 1;
		Duration wait = switch (trigger) {
			case SERVER_ERROR, TIMEOUT, CONNECT_ERROR -> (retry < this.policy.retriesPerTarget()) ? backoff(retry) : null;
			// Waiting out a rate limit only makes sense when there is nowhere else to go.
			case RATE_LIMITED, OVERLOADED -> (lastTarget && retry < this.policy.retriesPerTarget()) ? retryAfter(error, retry)
					: null;
			default -> null;
		};
		if (trigger == Trigger.CONTEXT_LENGTH) {
			Integer window = target.model().contextWindow();
			this.contextTooSmallFor = (window != null) ? window : Integer.MAX_VALUE;
		}
		if (wait != null && remaining().compareTo(wait) > 0 && this.calls < this.policy.maxAttempts()) {
			this.exchange.decide("failover", trigger + " from " + target.label() + ": retry in " + wait.toMillis() + " ms");
			return Mono.delay(wait).then(Mono.defer(() -> target(index, retry + 1, error)));
		}
		if (remaining().isNegative() || remaining().isZero()) {
			return Mono.error(error);
		}
		if (!lastTarget && trigger != Trigger.CIRCUIT_OPEN) {
			this.exchange.decide("failover", trigger + " from " + target.label() + ": next target");
		}
		return target(index + 1, 0, error);
	}

	/**
	 * The attempt, cut at the deadline unless its provider is answering by then. The deadline
	 * bounds the wait for an answer, not the answer: a stream past its first token, or an answer a
	 * guardrail holds back until it is checked, runs on under the response and total timeouts.
	 * (The timer turns into {@code Mono.never()} rather than an empty one: {@code timeout} fires on
	 * an empty completion too.)
	 */
	private Mono<Void> call(RouteTarget target) {
		Duration remaining = remaining();
		if (remaining.isNegative() || remaining.isZero()) {
			return Mono.error(deadlineExceeded(target));
		}
		return Mono.defer(() -> {
			int before = this.exchange.attempts().count();
			return this.dispatcher.guardedAttempt(this.exchange, target, this.writer)
				.timeout(Timers.delay(remaining).flatMap(tick -> answering(before) ? Mono.<Long>never() : Mono.just(tick)));
		}).onErrorMap(TimeoutException.class, timeout -> deadlineExceeded(target));
	}

	/**
	 * Whether this call's attempt (one started after the {@code before} attempts there were when
	 * the call began: the attempt starts once the request is prepared) has its answer flowing, or
	 * the response is already committed.
	 */
	private boolean answering(int before) {
		Attempt latest = this.exchange.attempts().latest();
		return this.exchange.timing().isCommitted()
				|| latest != null && latest.number() > before && latest.isAnswering();
	}

	private LlmApiException deadlineExceeded(RouteTarget target) {
		this.exchange.decide("failover", "deadline of " + this.policy.deadline().toMillis() + " ms reached at "
				+ target.label());
		return new LlmApiException(504, LlmApiException.API_ERROR, "deadline_exceeded", null,
				"No provider answered within the gateway's deadline of " + this.policy.deadline().toMillis() + " ms.",
				null, null);
	}

	private Duration remaining() {
		return Duration.ofNanos(this.deadlineNanos - System.nanoTime());
	}

	/** Exponential, capped, with ±20 % jitter so that many clients retrying do not retry together. */
	private Duration backoff(int retry) {
		long base = Math.min(this.policy.maxBackoff().toMillis(), this.policy.initialBackoff().toMillis() << Math.min(retry, 20));
		double jitter = 0.8 + ThreadLocalRandom.current().nextDouble() * 0.4;
		return Duration.ofMillis((long) (base * jitter));
	}

	/** The provider's {@code Retry-After} when it gave one and it is not too long, else the backoff. */
	private @Nullable Duration retryAfter(Throwable error, int retry) {
		Duration asked = (error instanceof LlmApiException api) ? api.retryAfter() : null;
		if (asked == null) {
			return backoff(retry);
		}
		return (asked.compareTo(this.policy.maxBackoff()) <= 0) ? asked : null;
	}

}
