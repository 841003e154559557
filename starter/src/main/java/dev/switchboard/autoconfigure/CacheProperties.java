package dev.switchboard.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import dev.switchboard.cache.CachePolicy;
import dev.switchboard.cache.RedisCacheStore;
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
 * @param redis Redis connection of the redis backend
 */
@ConfigurationProperties("switchboard.cache")
public record CacheProperties(@DefaultValue("true") boolean enabled, @DefaultValue("memory") Backend backend,
		@DefaultValue("1h") Duration ttl, @DefaultValue("10000") int maxEntries,
		@DefaultValue("0.5") double maxTemperature, @DefaultValue("false") boolean cacheToolCalls,
		@DefaultValue Redis redis) {

	/** Where answers live. */
	public enum Backend {
		MEMORY, REDIS
	}

	/**
	 * Redis for the redis backend. With no address, the application's RedissonClient bean is used.
	 *
	 * @param address Standalone server, e.g. redis://localhost:6379 (rediss:// for TLS)
	 * @param username Redis ACL user
	 * @param password Redis password; use a placeholder such as ${REDIS_PASSWORD}
	 * @param timeout Longest wait for Redis per lookup or store, after which the request is a miss
	 * @param keyPrefix First segment of every key: {@code <prefix>:{team}:<hash>}
	 */
	public record Redis(@Nullable String address, @Nullable String username, @Nullable String password,
			@DefaultValue("100ms") Duration timeout, @DefaultValue(RedisCacheStore.DEFAULT_PREFIX) String keyPrefix) {

		@Override
		public String toString() {
			return "Redis{address=" + this.address + ", password=" + (this.password == null ? "none" : "******") + "}";
		}

	}

	/** The policy, or a start-up failure naming every property to fix. */
	CachePolicy policy() {
		List<String> problems = new ArrayList<>();
		if (this.ttl.isZero() || this.ttl.isNegative()) {
			problems.add("switchboard.cache.ttl: must be positive, was " + this.ttl);
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
		if (!problems.isEmpty()) {
			throw new CatalogException(problems);
		}
		return new CachePolicy(this.ttl, this.maxTemperature, this.cacheToolCalls);
	}

}
