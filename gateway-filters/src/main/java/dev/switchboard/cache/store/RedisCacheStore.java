package dev.switchboard.cache.store;

import dev.switchboard.cache.CacheKey;
import dev.switchboard.cache.CacheStore;

import java.time.Duration;

import org.redisson.api.RedissonClient;
import org.redisson.client.codec.ByteArrayCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The shared store of a fleet, on plain Redis: one string per answer under
 * {@code <prefix>:{team}:<hash>} with Redis's own TTL, through Redisson's async API. Every command
 * is bounded by {@code timeout}; a failure or a late answer is logged and served as a miss (reads) or
 * dropped (writes): the cache can make a request faster, never fail it. Size is bounded by the TTL
 * and by Redis's {@code maxmemory} policy ({@code allkeys-lru} or {@code volatile-lru}).
 */
public final class RedisCacheStore implements CacheStore {

	private static final Logger log = LoggerFactory.getLogger(RedisCacheStore.class);

	public static final String DEFAULT_PREFIX = "sb:cache";

	private final RedissonClient client;

	private final Duration timeout;

	private final String prefix;

	private final boolean ownsClient;

	public RedisCacheStore(RedissonClient client, Duration timeout, String prefix, boolean ownsClient) {
		this.client = client;
		this.timeout = timeout;
		this.prefix = prefix;
		this.ownsClient = ownsClient;
	}

	public RedisCacheStore(RedissonClient client, Duration timeout) {
		this(client, timeout, DEFAULT_PREFIX, false);
	}

	@Override
	public Mono<byte[]> get(CacheKey key) {
		return Mono.defer(() -> Mono.fromCompletionStage(
				this.client.<byte[]>getBucket(key.redisKey(this.prefix), ByteArrayCodec.INSTANCE).getAsync()))
			.timeout(this.timeout)
			.onErrorResume(error -> {
				log.warn("Cache read of {} failed ({}); served as a miss", key, error.toString());
				return Mono.empty();
			});
	}

	@Override
	public Mono<Void> put(CacheKey key, byte[] completion, Duration ttl) {
		return Mono.defer(() -> Mono.fromCompletionStage(this.client
				.<byte[]>getBucket(key.redisKey(this.prefix), ByteArrayCodec.INSTANCE)
				.setAsync(completion, ttl)))
			.timeout(this.timeout)
			.onErrorResume(error -> {
				log.warn("Cache write of {} failed ({}); answer not cached", key, error.toString());
				return Mono.empty();
			})
			.then();
	}

	public RedissonClient client() {
		return this.client;
	}

	public void close() {
		if (this.ownsClient) {
			this.client.shutdown();
		}
	}

}
