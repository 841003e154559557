package dev.switchboard.cache;

import java.math.BigDecimal;

import dev.switchboard.core.Usage;

/**
 * What the cache reports, as low-cardinality facts (team and requested model, never a prompt or a
 * user): every lookup's outcome, and for each hit the tokens and money the provider call would have
 * cost at catalog prices. The starter binds it to Micrometer when Micrometer is present.
 */
public interface CacheMetrics {

	CacheMetrics NONE = new CacheMetrics() {
	};

	/** A lookup ended in {@code outcome}. */
	default void lookup(String team, String model, CacheLookup.Outcome outcome) {
	}

	/** A hit answered instead of the provider: its recorded usage and what that costs at catalog prices. */
	default void saved(String team, String model, Usage usage, BigDecimal usd) {
	}

	/** An answer past its TTL was served because no provider could answer (stale-if-error). */
	default void staleServed(String team, String model) {
	}

	/** Shadow mode found an answer it would have served. */
	default void shadowHit(String team, String model) {
	}

}
