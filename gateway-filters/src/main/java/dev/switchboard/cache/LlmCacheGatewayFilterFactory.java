package dev.switchboard.cache;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.OrderedGatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.cloud.gateway.support.GatewayToStringStyler;
import org.springframework.http.HttpHeaders;

import dev.switchboard.core.Bill;
import dev.switchboard.core.Json;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.LlmResponse;
import dev.switchboard.core.Operation;
import dev.switchboard.core.QuotaCharge;
import dev.switchboard.core.RouteTarget;
import dev.switchboard.core.Usage;

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
 * request of the team's rate. The work is done by {@link CacheService}; this filter only sets the
 * {@value #CACHE_HEADER} header, presets a hit as JSON or as a replayed stream, and tees a miss's
 * answer into the store without delaying it.
 */
public class LlmCacheGatewayFilterFactory extends AbstractGatewayFilterFactory<LlmCacheGatewayFilterFactory.Config> {

	/** After {@code LlmEndpoint} (-1000), before {@code LlmQuota} (100). */
	public static final int ORDER = 50;

	/** {@code hit}, {@code semantic-hit}, {@code miss} or {@code bypass}. */
	public static final String CACHE_HEADER = "x-switchboard-cache";

	/** The cosine similarity of a semantic hit to the prompt whose answer it serves, e.g. {@code 0.9712}. */
	public static final String SIMILARITY_HEADER = "x-switchboard-cache-similarity";

	private final CacheService service;

	private final CacheMetrics metrics;

	private final double quotaFraction;

	public LlmCacheGatewayFilterFactory(CacheService service) {
		this(service, CacheMetrics.NONE, 0);
	}

	/**
	 * @param quotaFraction the share of a hit's stored usage charged to quotas: 0 (the default)
	 * charges nothing, 1 charges a hit like the call it replaces
	 */
	public LlmCacheGatewayFilterFactory(CacheService service, CacheMetrics metrics, double quotaFraction) {
		super(Config.class);
		if (!(quotaFraction >= 0 && quotaFraction <= 1)) {
			throw new IllegalArgumentException("quotaFraction must be between 0 and 1, was " + quotaFraction);
		}
		this.service = service;
		this.metrics = metrics;
		this.quotaFraction = quotaFraction;
	}

	public CacheService service() {
		return this.service;
	}

	@Override
	public List<String> shortcutFieldOrder() {
		return List.of("ttl");
	}

	@Override
	public GatewayFilter apply(Config config) {
		Duration ttl = config.getTtl();
		if (ttl != null && (ttl.isZero() || ttl.isNegative())) {
			throw new IllegalArgumentException("LlmCache ttl must be positive, was " + ttl);
		}
		return new OrderedGatewayFilter((exchange, chain) -> {
			LlmExchange llm = LlmExchange.find(exchange);
			if (llm == null || llm.presetResponse() != null
					|| llm.operation() != Operation.CHAT && llm.operation() != Operation.EMBEDDINGS) {
				return chain.filter(exchange);
			}
			String cacheControl = exchange.getRequest().getHeaders().getFirst(HttpHeaders.CACHE_CONTROL);
			return this.service.lookup(llm.team().name(), llm.body(), cacheControl).flatMap(lookup -> {
				HttpHeaders headers = exchange.getResponse().getHeaders();
				headers.set(CACHE_HEADER, lookup.outcome().header());
				llm.decide("cache", lookup.outcome().header() + ": " + lookup.reason());
				this.metrics.lookup(llm.team().name(), llm.requestedModel(), lookup.outcome());
				if (lookup.shadowHit()) {
					this.metrics.shadowHit(llm.team().name(), llm.requestedModel());
				}
				switch (lookup.outcome()) {
					case HIT, SEMANTIC_HIT -> {
						if (lookup.outcome() == CacheLookup.Outcome.SEMANTIC_HIT) {
							headers.set(SIMILARITY_HEADER, String.format(Locale.ROOT, "%.4f", lookup.similarity()));
						}
						hit(llm, lookup.completion());
						llm.respondWith(Replay.response(lookup.completion(), llm.stream(), llm.clientWantsStreamUsage()),
								"from the cache, no provider call");
					}
					case MISS -> {
						// The model asked for, as resolved now: a fallback's or a downgrade's answer is not its answer.
						RouteTarget asked = llm.route().primary();
						llm.decorateResponse(response -> tee(llm, lookup.key(), asked, ttl, response));
					}
					case BYPASS -> {
					}
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

	/**
	 * Counts what the provider call would have cost (the stored answer's usage at the route's first
	 * target's prices) and, with a quota fraction, what the hit is charged.
	 */
	private void hit(LlmExchange llm, byte[] completion) {
		Usage usage;
		try {
			usage = Usage.fromOpenAi(Json.MAPPER.readTree(completion).path("usage"));
		}
		catch (RuntimeException ex) {
			usage = null; // a stored answer is always JSON; a hit never fails on its metrics
		}
		if (usage == null) {
			return;
		}
		// What the call would have been billed at the route's first target: the bill's own pricing.
		this.metrics.saved(llm.team().name(), llm.requestedModel(), usage,
				Bill.of(llm.route().primary(), usage).cost());
		if (this.quotaFraction > 0) {
			Usage charged = new Usage(Math.round(usage.promptTokens() * this.quotaFraction),
					Math.round(usage.completionTokens() * this.quotaFraction), 0, false);
			llm.put(QuotaCharge.class, new QuotaCharge(charged));
			llm.decide("cache", "hit charged " + charged.totalTokens() + " tokens to quotas (" + this.quotaFraction
					+ " of " + usage.totalTokens() + ")");
		}
	}

	/** Passes the answer on untouched, storing it once it is known to be complete. */
	private LlmResponse tee(LlmExchange llm, CacheKey key, RouteTarget asked, @Nullable Duration ttl,
			LlmResponse response) {
		if (response.status() < 200 || response.status() >= 300) {
			return response;
		}
		RouteTarget servedBy = response.servedBy();
		if (servedBy != null && !servedBy.label().equals(asked.label())) {
			llm.decide("cache", "not stored: served by " + servedBy.label() + ", not " + asked.label()
					+ " (failover or downgrade)");
			return response;
		}
		if (!response.isStream()) {
			offer(llm, key, ttl, response.json());
			return response;
		}
		StreamAssembler assembler = new StreamAssembler();
		return response.withEvents(events -> events.doOnNext(event -> {
			assembler.accept(event);
			if (event.isDone()) {
				// Stored as [DONE] passes, before the client reads it: the next identical request hits.
				storeStream(llm, key, ttl, assembler);
			}
		}));
	}

	private void storeStream(LlmExchange llm, CacheKey key, @Nullable Duration ttl, StreamAssembler assembler) {
		ObjectNode completion = assembler.completion();
		if (completion == null) {
			llm.decide("cache", "not stored: the stream carried an error");
			return;
		}
		Usage usage = llm.usage();
		if (!completion.has("usage") && usage != null) {
			// Adapters report usage to the exchange even when the client's stream leaves it out.
			completion.putObject("usage")
				.put("prompt_tokens", usage.promptTokens())
				.put("completion_tokens", usage.completionTokens())
				.put("total_tokens", usage.totalTokens());
		}
		offer(llm, key, ttl, Json.MAPPER.writeValueAsBytes(completion));
	}

	private void offer(LlmExchange llm, CacheKey key, @Nullable Duration ttl, byte[] completion) {
		// Not part of the response: the client is not kept waiting on the store, which never fails.
		this.service.offer(key, llm.body(), completion, ttl).subscribe(what -> llm.decide("cache", what));
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

	}

}
