package dev.switchboard.dispatch;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * How one request moves across its targets.
 *
 * @param maxAttempts calls in all, retries and fallbacks together (skipped targets do not count)
 * @param retriesPerTarget extra calls to the same target after a transient failure (5xx, timeout,
 * connection) before moving on
 * @param initialBackoff wait before the first retry of a target; doubles per retry
 * @param maxBackoff longest wait between two retries, {@code Retry-After} included
 * @param deadline longest a client waits for a provider to start answering (its JSON body read, its
 * stream past the first token), all attempts and waits included; an answer under way, streamed or
 * held back by a guardrail, is then governed by the provider's response timeout and the total
 * timeout
 * @param triggers failures that move on to a retry or the next target
 * @param totalTimeout longest a whole response may take, a stream to its last chunk included; a
 * stream cut by it ends with an error event; {@code null} for no limit beyond the provider's idle
 * timeout
 */
public record FailoverPolicy(int maxAttempts, int retriesPerTarget, Duration initialBackoff, Duration maxBackoff,
		Duration deadline, Set<Trigger> triggers, @Nullable Duration totalTimeout) {

	public FailoverPolicy {
		if (maxAttempts < 1) {
			throw new IllegalArgumentException("max-attempts must be at least 1, got " + maxAttempts);
		}
		if (retriesPerTarget < 0) {
			throw new IllegalArgumentException("retries-per-target must not be negative, got " + retriesPerTarget);
		}
		if (deadline.isNegative() || deadline.isZero()) {
			throw new IllegalArgumentException("deadline must be positive, got " + deadline);
		}
		if (totalTimeout != null && (totalTimeout.isNegative() || totalTimeout.isZero())) {
			throw new IllegalArgumentException("total-timeout must be positive, got " + totalTimeout);
		}
		if (initialBackoff.isNegative()) {
			throw new IllegalArgumentException("initial-backoff must not be negative, got " + initialBackoff);
		}
		if (maxBackoff.isNegative()) {
			throw new IllegalArgumentException("max-backoff must not be negative, got " + maxBackoff);
		}
		triggers = triggers.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(triggers));
	}

	/** Every trigger, one retry per target, four calls at most, 60 s to the first byte. */
	public static FailoverPolicy defaults() {
		return new FailoverPolicy(4, 1, Duration.ofMillis(200), Duration.ofSeconds(5), Duration.ofSeconds(60),
				EnumSet.allOf(Trigger.class), null);
	}

	/** One call, no fallback. */
	public static FailoverPolicy none() {
		return new FailoverPolicy(1, 0, Duration.ZERO, Duration.ZERO, Duration.ofDays(1), Set.of(), null);
	}

	public FailoverPolicy withLimits(int maxAttempts, Duration deadline) {
		return new FailoverPolicy(maxAttempts, this.retriesPerTarget, this.initialBackoff, this.maxBackoff, deadline,
				this.triggers, this.totalTimeout);
	}

}
