package dev.switchboard.autoconfigure.cache;

import java.math.BigDecimal;
import java.util.Locale;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;

import dev.switchboard.cache.CacheLookup;
import dev.switchboard.cache.CacheMetrics;
import dev.switchboard.core.Usage;

/**
 * Cache counters, tagged by team and requested model: {@code switchboard.cache.lookups} (tag
 * {@code outcome}: hit, semantic-hit, miss, bypass), {@code switchboard.cache.saved.tokens} (tag
 * {@code gen_ai.token.type}: input, output), {@code switchboard.cache.saved.cost} (USD at catalog
 * prices), {@code switchboard.cache.semantic.shadow.hits} and {@code switchboard.cache.stale.served}
 * (answers past their TTL served because no provider could answer).
 */
public class MicrometerCacheMetrics implements CacheMetrics {

	private final ObjectProvider<MeterRegistry> registry;

	public MicrometerCacheMetrics(ObjectProvider<MeterRegistry> registry) {
		this.registry = registry;
	}

	@Override
	public void lookup(String team, String model, CacheLookup.Outcome outcome) {
		this.registry.ifAvailable(r -> r.counter("switchboard.cache.lookups", "team", team, "gen_ai.request.model",
				model, "outcome", outcome.header()).increment());
	}

	@Override
	public void saved(String team, String model, Usage usage, BigDecimal usd) {
		this.registry.ifAvailable(r -> {
			r.counter("switchboard.cache.saved.tokens", "team", team, "gen_ai.request.model", model,
					"gen_ai.token.type", "input").increment(usage.promptTokens());
			r.counter("switchboard.cache.saved.tokens", "team", team, "gen_ai.request.model", model,
					"gen_ai.token.type", "output").increment(usage.completionTokens());
			r.counter("switchboard.cache.saved.cost", "team", team, "gen_ai.request.model", model)
				.increment(usd.doubleValue());
		});
	}

	@Override
	public void staleServed(String team, String model) {
		this.registry.ifAvailable(r -> r.counter("switchboard.cache.stale.served", "team", team,
				"gen_ai.request.model", model).increment());
	}

	@Override
	public void shadowHit(String team, String model) {
		this.registry.ifAvailable(r -> r.counter("switchboard.cache.semantic.shadow.hits", "team", team,
				"gen_ai.request.model", model.toLowerCase(Locale.ROOT)).increment());
	}

}
