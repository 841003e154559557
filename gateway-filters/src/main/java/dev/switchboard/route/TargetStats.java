package dev.switchboard.route;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import dev.switchboard.core.RouteTarget;

/**
 * What the gateway has observed of each target lately: calls in progress, a moving average of the
 * time to the provider's answer, consecutive failures (passive outlier detection), and the rate
 * limit the provider says is left. Pools read it to order their members; every attempt feeds it.
 *
 * <p>Per gateway instance and in memory: it steers this instance's traffic, it is not an
 * accounting record (quotas are).
 */
public class TargetStats {

	/** Weight of the newest sample in the latency average. */
	private static final double ALPHA = 0.2;

	private final int ejectAfterFailures;

	private final Duration ejectFor;

	private final Map<String, Stat> stats = new ConcurrentHashMap<>();

	/** Providers whose active health checks fail (names); none without health checks. */
	private final Set<String> unhealthyProviders = ConcurrentHashMap.newKeySet();

	/**
	 * @param ejectAfterFailures consecutive provider faults after which a target goes to the back
	 * @param ejectFor how long it stays there
	 */
	public TargetStats(int ejectAfterFailures, Duration ejectFor) {
		this.ejectAfterFailures = ejectAfterFailures;
		this.ejectFor = ejectFor;
	}

	public TargetStats() {
		this(3, Duration.ofSeconds(30));
	}

	/**
	 * Keeps the statistics of these targets ({@code provider/model} labels) and drops the others: the
	 * targets a new configuration version no longer has. Those that stay keep their latency, failures
	 * and ejection.
	 */
	public void retain(Set<String> labels) {
		this.stats.keySet().retainAll(labels);
	}

	public void started(RouteTarget target) {
		stat(target).inFlight.incrementAndGet();
	}

	/** The provider answered (headers received) after {@code nanos}; its rate-limit headers are read. */
	public void responded(RouteTarget target, long nanos, UnaryOperator<String> headers) {
		Stat stat = stat(target);
		double millis = nanos / 1_000_000.0;
		stat.latencyMillis = (stat.latencyMillis == 0) ? millis : ALPHA * millis + (1 - ALPHA) * stat.latencyMillis;
		stat.remainingRequests = remaining(headers, "x-ratelimit-remaining-requests",
				"anthropic-ratelimit-requests-remaining");
		stat.remainingTokens = remaining(headers, "x-ratelimit-remaining-tokens", "anthropic-ratelimit-tokens-remaining");
	}

	/** The call is over; {@code providerFault} counts towards ejection, a success clears it. */
	public void finished(RouteTarget target, boolean providerFault) {
		Stat stat = stat(target);
		stat.inFlight.decrementAndGet();
		if (!providerFault) {
			stat.consecutiveFailures.set(0);
			return;
		}
		if (stat.consecutiveFailures.incrementAndGet() >= this.ejectAfterFailures) {
			stat.ejectedUntilNanos = System.nanoTime() + this.ejectFor.toNanos();
			stat.consecutiveFailures.set(0);
		}
	}

	public int inFlight(RouteTarget target) {
		return stat(target).inFlight.get();
	}

	/** Moving average of the time to the provider's answer, in ms; 0 before the first answer. */
	public double latencyMillis(RouteTarget target) {
		return stat(target).latencyMillis;
	}

	/**
	 * Whether the target should go to the back of the line: failing its provider's health checks,
	 * ejected after consecutive failures, or out of requests or of the tokens this request needs
	 * according to the provider's own headers.
	 */
	public boolean isDegraded(RouteTarget target, long tokensNeeded) {
		Stat stat = stat(target);
		boolean ejected = stat.ejectedUntilNanos != 0 && System.nanoTime() - stat.ejectedUntilNanos < 0;
		return isUnhealthy(target) || ejected || stat.remainingRequests == 0
				|| (stat.remainingTokens >= 0 && stat.remainingTokens < tokensNeeded);
	}

	/**
	 * The verdict of the provider's active health checks, set by the prober: an unhealthy
	 * provider's targets are skipped by pools and fallbacks while another target remains.
	 */
	public void providerHealth(String provider, boolean healthy) {
		if (healthy) {
			this.unhealthyProviders.remove(provider);
		}
		else {
			this.unhealthyProviders.add(provider);
		}
	}

	/** Whether the target's provider fails its active health checks. */
	public boolean isUnhealthy(RouteTarget target) {
		return !this.unhealthyProviders.isEmpty() && this.unhealthyProviders.contains(target.provider().name());
	}

	private Stat stat(RouteTarget target) {
		return this.stats.computeIfAbsent(target.label(), label -> new Stat());
	}

	private static long remaining(UnaryOperator<String> headers, String... names) {
		for (String name : names) {
			String value = headers.apply(name);
			if (value != null) {
				try {
					return Long.parseLong(value.trim());
				}
				catch (NumberFormatException ignored) {
					// a provider's odd value: treat as unknown
				}
			}
		}
		return -1;
	}

	private static final class Stat {

		final AtomicInteger inFlight = new AtomicInteger();

		final AtomicInteger consecutiveFailures = new AtomicInteger();

		volatile double latencyMillis;

		volatile long ejectedUntilNanos;

		volatile long remainingRequests = -1;

		volatile long remainingTokens = -1;

	}

}
