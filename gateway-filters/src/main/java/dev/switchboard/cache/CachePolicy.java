package dev.switchboard.cache;

import java.time.Duration;

/**
 * What the cache may serve and store.
 *
 * @param ttl how long an answer is served after it was stored
 * @param maxTemperature requests with a {@code temperature} above this bypass the cache: the caller
 * asked for variety. A request without {@code temperature} is cached (it did not ask for any)
 * @param cacheToolCalls whether answers that call tools are stored; off by default, as a tool call
 * usually depends on state outside the conversation
 */
public record CachePolicy(Duration ttl, double maxTemperature, boolean cacheToolCalls) {

	public static final Duration DEFAULT_TTL = Duration.ofHours(1);

	/** Deterministic-ish sampling only: 0 to 0.5 is what FAQ bots and agents use when they want stable answers. */
	public static final double DEFAULT_MAX_TEMPERATURE = 0.5;

	public static CachePolicy defaults() {
		return new CachePolicy(DEFAULT_TTL, DEFAULT_MAX_TEMPERATURE, false);
	}

	public CachePolicy {
		if (ttl == null || ttl.isZero() || ttl.isNegative()) {
			throw new IllegalArgumentException("ttl must be positive, was " + ttl);
		}
		if (maxTemperature < 0) {
			throw new IllegalArgumentException("maxTemperature must be at least 0, was " + maxTemperature);
		}
	}

}
