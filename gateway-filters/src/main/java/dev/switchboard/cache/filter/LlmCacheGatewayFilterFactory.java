package dev.switchboard.cache.filter;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.OrderedGatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.cloud.gateway.support.GatewayToStringStyler;
import org.springframework.http.HttpHeaders;

import dev.switchboard.cache.CacheLookup;
import dev.switchboard.cache.ExchangeCache;
import dev.switchboard.core.Headers;
import dev.switchboard.core.LlmExchange;

/**
 * {@code LlmCache}: answers repeated chat requests from the cache, from {@code switchboard.cache.*}.
 *
 * <pre>
 * filters:
 *   - LlmEndpoint
 *   - LlmCache                 # the configured TTL
 *   - LlmCache=10m             # shortcut: this route's answers kept 10 minutes
 *   - name: LlmCache
 *     args:
 *       ttl: 10m
 * </pre>
 *
 * Ordered after {@code LlmEndpoint} (whose {@link LlmExchange} it reads) and <em>before</em>
 * {@code LlmQuota}, whatever the YAML order: a hit is preset on the exchange before quotas run, and
 * {@code LlmQuota} neither reserves nor bills a preset answer, so a hit costs no tokens and no
 * request of the team's rate. The work is done by {@link ExchangeCache}; this filter only asks it and
 * writes the {@value #CACHE_HEADER} header (and a semantic hit's similarity).
 */
public class LlmCacheGatewayFilterFactory extends AbstractGatewayFilterFactory<LlmCacheGatewayFilterFactory.Config> {

	/** After {@code LlmEndpoint} (-1000), before {@code LlmQuota} (100). */
	public static final int ORDER = 50;

	/** {@value}: see {@link Headers#CACHE}. */
	public static final String CACHE_HEADER = Headers.CACHE;

	/** {@value}: see {@link Headers#CACHE_SIMILARITY}. */
	public static final String SIMILARITY_HEADER = Headers.CACHE_SIMILARITY;

	private final ExchangeCache cache;

	public LlmCacheGatewayFilterFactory(ExchangeCache cache) {
		super(Config.class);
		this.cache = cache;
	}

	public ExchangeCache cache() {
		return this.cache;
	}

	@Override
	public List<String> shortcutFieldOrder() {
		return List.of("ttl");
	}

	@Override
	public GatewayFilter apply(Config config) {
		config.validate();
		Duration ttl = config.getTtl();
		return new OrderedGatewayFilter((exchange, chain) -> {
			LlmExchange llm = LlmExchange.find(exchange);
			if (llm == null || !this.cache.serves(llm)) {
				return chain.filter(exchange);
			}
			String cacheControl = exchange.getRequest().getHeaders().getFirst(HttpHeaders.CACHE_CONTROL);
			return this.cache.apply(llm, cacheControl, ttl).flatMap(lookup -> {
				HttpHeaders headers = exchange.getResponse().getHeaders();
				headers.set(CACHE_HEADER, lookup.outcome().header());
				if (lookup.outcome() == CacheLookup.Outcome.SEMANTIC_HIT) {
					headers.set(SIMILARITY_HEADER, String.format(Locale.ROOT, "%.4f", lookup.similarity()));
				}
				return chain.filter(exchange);
			});
		}, ORDER) {
			@Override
			public String toString() {
				return GatewayToStringStyler.filterToStringCreator(LlmCacheGatewayFilterFactory.this)
					.append("ttl", ttl)
					.toString();
			}
		};
	}

	public static class Config {

		private @Nullable Duration ttl;

		/** How long this route's answers are kept; unset: {@code switchboard.cache.ttl}. */
		public @Nullable Duration getTtl() {
			return this.ttl;
		}

		public Config setTtl(@Nullable Duration ttl) {
			this.ttl = ttl;
			return this;
		}

		/** Fails the route with a message that names the argument to fix. */
		public void validate() {
			if (this.ttl != null && (this.ttl.isZero() || this.ttl.isNegative())) {
				throw new IllegalArgumentException("LlmCache ttl must be positive, was " + this.ttl);
			}
		}

	}

}
