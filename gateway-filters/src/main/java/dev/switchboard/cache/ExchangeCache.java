package dev.switchboard.cache;

import java.time.Duration;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.core.Bill;
import dev.switchboard.core.Json;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.LlmResponse;
import dev.switchboard.core.Operation;
import dev.switchboard.core.QuotaCharge;
import dev.switchboard.core.RouteTarget;
import dev.switchboard.core.Usage;

/**
 * The cache applied to one LLM exchange: looks the request up, presets a hit on the exchange (as
 * JSON or as a replayed stream), and tees a miss's answer into the store once it is known to be
 * complete, without delaying it. What a hit saved and, with a quota fraction, what it is charged
 * are worked out here too, so the {@code LlmCache} filter only decides whether to ask and writes
 * the headers.
 */
public class ExchangeCache {

	private final CacheService service;

	private final CacheMetrics metrics;

	private final double quotaFraction;

	public ExchangeCache(CacheService service) {
		this(service, CacheMetrics.NONE, 0);
	}

	/**
	 * @param quotaFraction the share of a hit's stored usage charged to quotas: 0 (the default)
	 * charges nothing, 1 charges a hit like the call it replaces
	 */
	public ExchangeCache(CacheService service, CacheMetrics metrics, double quotaFraction) {
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

	/**
	 * Whether the cache has anything to say about this exchange: chat and embeddings requests not
	 * already answered by an earlier filter.
	 */
	public boolean serves(LlmExchange llm) {
		return llm.presetResponse() == null
				&& (llm.operation() == Operation.CHAT || llm.operation() == Operation.EMBEDDINGS);
	}

	/**
	 * Looks the exchange's request up and applies the outcome to it: a hit becomes the exchange's
	 * preset answer, a miss's answer is stored as it passes.
	 * @param cacheControl the client's {@code Cache-Control} header, which may bypass the cache
	 * @param ttl the route's time to live, or {@code null} for the configured one
	 */
	public Mono<CacheLookup> apply(LlmExchange llm, @Nullable String cacheControl, @Nullable Duration ttl) {
		return this.service.lookup(llm.team().name(), llm.body(), cacheControl).doOnNext(lookup -> {
			llm.decide("cache", lookup.outcome().header() + ": " + lookup.reason());
			this.metrics.lookup(llm.team().name(), llm.requestedModel(), lookup.outcome());
			if (lookup.shadowHit()) {
				this.metrics.shadowHit(llm.team().name(), llm.requestedModel());
			}
			switch (lookup.outcome()) {
				case HIT, SEMANTIC_HIT -> {
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
		});
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

}
