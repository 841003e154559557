package dev.switchboard.dispatch;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.EstimationProbe;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.RouteTarget;

/**
 * The limits of providers themselves: most calls in flight, and the requests and tokens per minute
 * of the provider's own tier, so that the gateway shapes traffic to what the upstream allows
 * instead of sending calls to collect the provider's 429. A target whose provider is at its limit
 * is skipped for the next target of the request (a pool member or a fallback); when none is left
 * the call waits for room up to the provider's {@code max-wait} (timers and release signals,
 * never a sleeping thread), and only then gets a 429 of its own.
 *
 * <p>Counted per gateway instance and in memory (Bucket4j local buckets): a fleet of {@code n}
 * gateways in front of one provider account sets a {@code n}th of the tier on each. Tokens are
 * counted as the provider counts them before a call: the prompt estimate plus {@code max_tokens}.
 */
public final class ProviderLimits {

	/** No provider limited. */
	public static final ProviderLimits NONE = new ProviderLimits(Map.of(), null, Metrics.NONE);

	/**
	 * One provider's limits; 0 leaves one out.
	 * @param maxInFlight most calls at once
	 * @param requestsPerMinute the provider's request rate (a token bucket refilled continuously)
	 * @param tokensPerMinute the provider's token rate
	 * @param maxWait longest a call waits for room when no other target is left; 0 answers at once
	 * @param maxLength most calls waiting for room at once
	 */
	public record Limits(int maxInFlight, long requestsPerMinute, long tokensPerMinute, Duration maxWait,
			int maxLength) {

		public Limits {
			if (maxInFlight < 0 || requestsPerMinute < 0 || tokensPerMinute < 0) {
				throw new IllegalArgumentException("max-in-flight, requests-per-minute and tokens-per-minute must not be "
						+ "negative (0 leaves a limit out)");
			}
			if (maxWait.isNegative()) {
				throw new IllegalArgumentException("max-wait must not be negative, got " + maxWait);
			}
			if (!maxWait.isZero() && maxLength < 1) {
				throw new IllegalArgumentException("max-length must be at least 1 when max-wait is set (" + maxWait + ")");
			}
		}

		public boolean any() {
			return this.maxInFlight > 0 || this.requestsPerMinute > 0 || this.tokensPerMinute > 0;
		}

	}

	/** What the limits did, for metrics. */
	public interface Metrics {

		Metrics NONE = (provider, outcome) -> {
		};

		/** {@code outcome}: spilled (to the next target), waited (then called), refused (429). */
		void limited(String provider, String outcome);

	}

	/** Room for one call, given back when the call is over. */
	public interface Permit {

		Permit NONE = () -> {
		};

		void release();

	}

	private final Map<String, Provider> providers = new LinkedHashMap<>();

	private final @Nullable Scheduler scheduler;

	private final Metrics metrics;

	/** @param scheduler times the waits for a refill; {@code null} only without limits */
	public ProviderLimits(Map<String, Limits> limits, @Nullable Scheduler scheduler, Metrics metrics) {
		this.scheduler = scheduler;
		this.metrics = metrics;
		limits.forEach((name, one) -> {
			if (one.any()) {
				this.providers.put(name, new Provider(name, one));
			}
		});
		if (!this.providers.isEmpty() && scheduler == null) {
			throw new IllegalArgumentException("provider limits need a scheduler to time their waits");
		}
	}

	/** Whether the target's provider has limits at all: the path of others stays free of them. */
	public boolean limits(RouteTarget target) {
		return !this.providers.isEmpty() && this.providers.containsKey(target.provider().name());
	}

	/** Calls in flight now, by limited provider. */
	public Map<String, Integer> inFlight() {
		Map<String, Integer> inFlight = new LinkedHashMap<>();
		this.providers.forEach((name, provider) -> inFlight.put(name, provider.inFlight.get()));
		return inFlight;
	}

	/** Room for a call now, or {@code null} when the provider is at a limit. */
	public @Nullable Permit tryAcquire(RouteTarget target, long tokens) {
		Provider provider = this.providers.get(target.provider().name());
		return (provider != null) ? provider.tryAcquire(tokens) : Permit.NONE;
	}

	/** Whether the target's provider has room for a call now; takes nothing (a hint for spilling). */
	public boolean hasRoom(RouteTarget target, long tokens) {
		Provider provider = this.providers.get(target.provider().name());
		return provider == null || provider.hasRoom(tokens);
	}

	/** Counts a call sent on to the next target because this one's provider was at its limit. */
	public void spilled(RouteTarget target) {
		this.metrics.limited(target.provider().name(), "spilled");
	}

	/**
	 * Room for a call, waiting for it up to the provider's {@code max-wait} (and {@code deadline});
	 * fails with a 429 when the provider stays at its limit or too many calls wait already.
	 */
	public Mono<Permit> acquire(RouteTarget target, long tokens, Duration deadline) {
		Provider provider = this.providers.get(target.provider().name());
		if (provider == null) {
			return Mono.just(Permit.NONE);
		}
		return Mono.defer(() -> {
			Permit now = provider.tryAcquire(tokens);
			if (now != null) {
				return Mono.just(now);
			}
			Duration wait = (provider.limits.maxWait().compareTo(deadline) < 0) ? provider.limits.maxWait() : deadline;
			if (wait.isZero() || wait.isNegative()) {
				return Mono.error(refused(provider, "it is at its limit"));
			}
			if (provider.waiting.incrementAndGet() > provider.limits.maxLength()) {
				provider.waiting.decrementAndGet();
				return Mono.error(refused(provider, provider.limits.maxLength() + " calls wait for it already"));
			}
			Scheduler clock = Objects.requireNonNull(this.scheduler);
			long deadlineNanos = clock.now(TimeUnit.NANOSECONDS) + wait.toNanos();
			// One loop, not a chain of nested tries: each empty round waits for a signal, bounded by the deadline.
			return Mono.defer(() -> Mono.justOrEmpty(provider.tryAcquire(tokens)))
				.repeatWhenEmpty(rounds -> rounds.concatMap(round -> {
					long left = deadlineNanos - clock.now(TimeUnit.NANOSECONDS);
					if (left <= 0) {
						return Mono.error(refused(provider, "it stayed at its limit for " + wait));
					}
					return signal(provider, tokens, left);
				}))
				.doOnNext(permit -> this.metrics.limited(provider.name, "waited"))
				// A permit taken for a caller that went away meanwhile goes back.
				.doOnDiscard(Permit.class, Permit::release)
				.doFinally(signal -> provider.waiting.decrementAndGet());
		});
	}

	/**
	 * Completes when trying again makes sense, at most {@code leftNanos} from now: when the buckets
	 * have refilled (rates), or when a call ends (in flight).
	 */
	private Mono<Long> signal(Provider provider, long tokens, long leftNanos) {
		long refill = provider.refillNanos(tokens);
		if (refill > 0 || provider.limits.maxInFlight() == 0) {
			// A rate: the buckets say when. (No in-flight limit and no refill due: a race, tried again shortly.)
			long wait = Math.min(leftNanos, Math.max(refill, TimeUnit.MILLISECONDS.toNanos(1)));
			return Mono.delay(Duration.ofNanos(wait), this.scheduler);
		}
		Mono<Long> released = Mono.create(sink -> {
			sink.onDispose(provider.released.asFlux().subscribe(one -> sink.success(0L)));
			// Checked again once listening: a call that ended since the last try is not missed.
			if (provider.inFlight.get() < provider.limits.maxInFlight()) {
				sink.success(0L);
			}
		});
		return Mono.firstWithValue(released, Mono.delay(Duration.ofNanos(leftNanos), this.scheduler));
	}

	private LlmApiException refused(Provider provider, String why) {
		this.metrics.limited(provider.name, "refused");
		return new LlmApiException(429, LlmApiException.RATE_LIMIT, "provider_rate_limit", null,
				"The provider behind this model is at the limit the gateway keeps for it (" + why
						+ "). Please try again shortly.",
				Duration.ofSeconds(1), null);
	}

	private static final class Provider {

		final String name;

		final Limits limits;

		final AtomicInteger inFlight = new AtomicInteger();

		final AtomicInteger waiting = new AtomicInteger();

		final @Nullable Bucket requests;

		final @Nullable Bucket tokens;

		/** Fires each time a call ends: calls waiting for in-flight room try again. */
		final Sinks.Many<Boolean> released = Sinks.many().multicast().directBestEffort();

		Provider(String name, Limits limits) {
			this.name = name;
			this.limits = limits;
			this.requests = bucket(limits.requestsPerMinute());
			this.tokens = bucket(limits.tokensPerMinute());
		}

		private static @Nullable Bucket bucket(long perMinute) {
			return (perMinute > 0) ? Bucket.builder()
				.addLimit(Bandwidth.builder().capacity(perMinute).refillGreedy(perMinute, Duration.ofMinutes(1)).build())
				.build() : null;
		}

		@Nullable Permit tryAcquire(long tokens) {
			if (this.limits.maxInFlight() > 0) {
				int now;
				do {
					now = this.inFlight.get();
					if (now >= this.limits.maxInFlight()) {
						return null;
					}
				}
				while (!this.inFlight.compareAndSet(now, now + 1));
			}
			else {
				this.inFlight.incrementAndGet();
			}
			if (this.requests != null && !this.requests.tryConsume(1)) {
				this.inFlight.decrementAndGet(); // no signal: nothing ended, nobody gains room
				return null;
			}
			long wanted = Math.min(Math.max(tokens, 1), this.limits.tokensPerMinute());
			if (this.tokens != null && !this.tokens.tryConsume(wanted)) {
				if (this.requests != null) {
					this.requests.addTokens(1);
				}
				this.inFlight.decrementAndGet();
				return null;
			}
			AtomicBoolean done = new AtomicBoolean();
			return () -> {
				if (done.compareAndSet(false, true)) {
					release();
				}
			};
		}

		private void release() {
			this.inFlight.decrementAndGet();
			// Two calls ending at once on two threads: the second retries rather than lose its signal.
			this.released.emitNext(Boolean.TRUE, (signal, result) -> result == Sinks.EmitResult.FAIL_NON_SERIALIZED);
		}

		boolean hasRoom(long tokens) {
			return (this.limits.maxInFlight() == 0 || this.inFlight.get() < this.limits.maxInFlight())
					&& refillNanos(tokens) == 0;
		}

		/** Nanoseconds until the rate buckets have room; 0 when only the in-flight limit stands in the way. */
		long refillNanos(long tokens) {
			long wait = 0;
			if (this.requests != null) {
				EstimationProbe probe = this.requests.estimateAbilityToConsume(1);
				wait = Math.max(wait, probe.getNanosToWaitForRefill());
			}
			if (this.tokens != null) {
				EstimationProbe probe = this.tokens
					.estimateAbilityToConsume(Math.min(Math.max(tokens, 1), this.limits.tokensPerMinute()));
				wait = Math.max(wait, probe.getNanosToWaitForRefill());
			}
			return (wait > 0) ? Math.max(wait, TimeUnit.MILLISECONDS.toNanos(1)) : 0;
		}

	}

}
