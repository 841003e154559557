package dev.switchboard.cache;

import java.time.Duration;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.core.Bill;
import dev.switchboard.core.Headers;
import dev.switchboard.core.Json;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.LlmResponse;
import dev.switchboard.core.Operation;
import dev.switchboard.core.QuotaCharge;
import dev.switchboard.core.RouteTarget;
import dev.switchboard.core.StreamAssembler;
import dev.switchboard.core.Usage;

/**
 * The cache applied to one LLM exchange: looks the request up, presets a hit on the exchange (as
 * JSON or as a replayed stream), and tees a miss's answer into the store once it is known to be
 * complete, without delaying it. What a hit saved and, with a quota fraction, what it is charged
 * are worked out here too, so the {@code LlmCache} filter only decides whether to ask and writes
 * the headers.
 */
public class ExchangeCache {

	/** The cache header of an answer past its TTL served because no provider could answer. */
	public static final String STALE = "stale";

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
		return llm.response().preset() == null
				&& (llm.operation() == Operation.CHAT || llm.operation() == Operation.EMBEDDINGS);
	}

	/**
	 * Looks the exchange's request up and applies the outcome to it: a hit becomes the exchange's
	 * preset answer, a miss's answer is stored as it passes.
	 * @param cacheControl the client's {@code Cache-Control} header, which may bypass the cache
	 * @param ttl the route's time to live, or {@code null} for the configured one
	 */
	public Mono<CacheLookup> apply(LlmExchange llm, @Nullable String cacheControl, @Nullable Duration ttl) {
		CachePolicy policy = policy(llm);
		// The model asked for, as resolved now: keyed on it rather than the name (see
		// CacheService.resolvedAs), and a fallback's or a downgrade's answer is not its answer.
		RouteTarget asked = llm.route().primary();
		JsonNode keyed = CacheService.resolvedAs(llm.body(), asked, llm.nativeRequest());
		return this.service.lookup(policy, llm.team().name(), keyed, cacheControl).doOnNext(lookup -> {
			llm.decide("cache", lookup.outcome().header() + ": " + lookup.reason());
			this.metrics.lookup(llm.team().name(), llm.requestedModel(), lookup.outcome());
			if (lookup.shadowHit()) {
				this.metrics.shadowHit(llm.team().name(), llm.requestedModel());
			}
			switch (lookup.outcome()) {
				case HIT, SEMANTIC_HIT -> {
					hit(llm, lookup.completion());
					llm.response().respondWith(Replay.response(lookup.completion(), llm.stream(), llm.clientWantsStreamUsage()),
							"from the cache, no provider call");
				}
				case MISS -> {
					llm.response().decorate(response -> tee(llm, policy, keyed, lookup.key(), asked, ttl, response));
					byte[] stale = lookup.stale();
					if (stale != null) {
						llm.response().offerLastResort(() -> stale(llm, stale));
					}
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
		Usage usage = storedUsage(completion);
		if (usage != null) {
			// What the call would have been billed at the route's first target: the bill's own pricing.
			this.metrics.saved(llm.team().name(), llm.requestedModel(), usage,
					Bill.of(llm.route().primary(), usage).cost());
			charge(llm, usage);
		}
	}

	/** With a quota fraction, charges that share of a served answer's stored usage to the team's quotas. */
	private void charge(LlmExchange llm, Usage usage) {
		if (this.quotaFraction > 0) {
			Usage charged = charged(usage);
			llm.put(QuotaCharge.class, new QuotaCharge(charged));
			llm.decide("cache", "charged " + charged.totalTokens() + " tokens to quotas (" + this.quotaFraction
					+ " of " + usage.totalTokens() + ")");
		}
	}

	private Usage charged(Usage usage) {
		return new Usage(Math.round(usage.promptTokens() * this.quotaFraction),
				Math.round(usage.completionTokens() * this.quotaFraction), 0, false);
	}

	private static @Nullable Usage storedUsage(byte[] completion) {
		try {
			return Usage.fromOpenAi(Json.MAPPER.readTree(completion).path("usage"));
		}
		catch (RuntimeException ex) {
			return null; // a stored answer is always JSON; serving it never fails on its metrics
		}
	}

	/**
	 * An answer past its TTL, served because no provider could answer: marked {@value #STALE} in the
	 * cache header and charged as a hit (it saved no call: the calls were made, and failed).
	 */
	private LlmResponse stale(LlmExchange llm, byte[] completion) {
		llm.decide("cache", "serving the stale answer: no provider could answer");
		this.metrics.staleServed(llm.team().name(), llm.requestedModel());
		// Always a charge, if only zero: the request was reserved as one for a provider, and must not be billed as one.
		Usage usage = storedUsage(completion);
		llm.put(QuotaCharge.class, new QuotaCharge((usage != null) ? charged(usage) : new Usage(0, 0, 0, false)));
		LlmResponse response = Replay.response(completion, llm.stream(), llm.clientWantsStreamUsage());
		response.headers().set(Headers.CACHE, STALE);
		return response;
	}

	/** The cache policy of the request's configuration version, or the service's. */
	private CachePolicy policy(LlmExchange llm) {
		return llm.configured(CachePolicy.class, this.service.policy());
	}

	/** Passes the answer on untouched, storing it once it is known to be complete. */
	private LlmResponse tee(LlmExchange llm, CachePolicy policy, JsonNode keyed, CacheKey key, RouteTarget asked,
			@Nullable Duration ttl, LlmResponse response) {
		if (response.status() < 200 || response.status() >= 300) {
			return response;
		}
		RouteTarget servedBy = response.servedBy();
		if (servedBy == null) {
			return response; // not a provider's answer (the stale one): nothing new to store
		}
		if (!servedBy.label().equals(asked.label())) {
			llm.decide("cache", "not stored: served by " + servedBy.label() + ", not " + asked.label()
					+ " (failover or downgrade)");
			return response;
		}
		if (!response.isStream()) {
			offer(llm, policy, keyed, key, ttl, response.json());
			return response;
		}
		StreamAssembler assembler = new StreamAssembler();
		return response.withEvents(events -> events.doOnNext(event -> {
			assembler.accept(event);
			if (event.isDone()) {
				// Stored as [DONE] passes, before the client reads it: the next identical request hits.
				storeStream(llm, policy, keyed, key, ttl, assembler);
			}
		}));
	}

	private void storeStream(LlmExchange llm, CachePolicy policy, JsonNode keyed, CacheKey key,
			@Nullable Duration ttl, StreamAssembler assembler) {
		ObjectNode completion = assembler.completion();
		if (completion == null) {
			llm.decide("cache", "not stored: the stream carried an error");
			return;
		}
		Usage usage = llm.usage();
		if (!completion.has("usage") && usage != null) {
			// Adapters report usage to the exchange even when the client's stream leaves it out.
			completion.set("usage", usage.toOpenAi());
		}
		offer(llm, policy, keyed, key, ttl, Json.MAPPER.writeValueAsBytes(completion));
	}

	private void offer(LlmExchange llm, CachePolicy policy, JsonNode keyed, CacheKey key, @Nullable Duration ttl,
			byte[] completion) {
		// Not part of the response: the client is not kept waiting on the store, which never fails.
		this.service.offer(policy, key, keyed, completion, ttl).subscribe(what -> llm.decide("cache", what));
	}

}
