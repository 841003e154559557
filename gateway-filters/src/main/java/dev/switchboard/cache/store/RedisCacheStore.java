package dev.switchboard.cache.store;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.ByteArrayCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import dev.switchboard.cache.CacheKey;
import dev.switchboard.cache.CacheStore;
import dev.switchboard.core.Timers;

/**
 * The shared store of a fleet, on plain Redis: one string per answer under
 * {@code <prefix>:{team}:<hash>} with Redis's own TTL, through Redisson's async API. An answer with a
 * stale window is kept by Redis for its TTL plus that window, and carries the instant it stops being
 * fresh in front of its JSON ({@value #STALE_MARK}, then that instant in epoch milliseconds, 8 bytes
 * big-endian): one {@code GET} tells a fresh answer from a stale one. Answers without a stale window
 * are the JSON alone, which also reads every entry written before stale windows existed. Every command
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

	/** First byte of an answer stored with a stale window; JSON never starts with it. */
	static final byte STALE_MARK = 0;

	private static final int HEADER = 1 + Long.BYTES;

	private final boolean ownsClient;

	private final LongSupplier epochMillis;

	public RedisCacheStore(RedissonClient client, Duration timeout, String prefix, boolean ownsClient) {
		this(client, timeout, prefix, ownsClient, System::currentTimeMillis);
	}

	/**
	 * @param epochMillis the wall clock freshness is judged by; each gateway's own, as the instants
	 * are compared across a fleet, where clocks agree far closer than any useful TTL
	 */
	public RedisCacheStore(RedissonClient client, Duration timeout, String prefix, boolean ownsClient,
			LongSupplier epochMillis) {
		this.client = client;
		this.timeout = timeout;
		this.prefix = prefix;
		this.ownsClient = ownsClient;
		this.epochMillis = epochMillis;
	}

	public RedisCacheStore(RedissonClient client, Duration timeout) {
		this(client, timeout, DEFAULT_PREFIX, false);
	}

	@Override
	public Mono<Stored> read(CacheKey key) {
		return Mono.defer(() -> Mono.fromCompletionStage(
				this.client.<byte[]>getBucket(key.redisKey(this.prefix), ByteArrayCodec.INSTANCE).getAsync()))
			.timeout(Timers.delay(this.timeout))
			.mapNotNull(this::stored)
			.onErrorResume(error -> {
				log.warn("Cache read of {} failed ({}); served as a miss", key, error.toString());
				return Mono.empty();
			});
	}

	@Override
	public Mono<Void> put(CacheKey key, byte[] completion, Duration ttl, Duration stale) {
		return Mono.defer(() -> Mono.fromCompletionStage(this.client
				.<byte[]>getBucket(key.redisKey(this.prefix), ByteArrayCodec.INSTANCE)
				.setAsync(stale.isZero() ? completion : marked(completion, ttl), ttl.plus(stale))))
			.timeout(Timers.delay(this.timeout))
			.onErrorResume(error -> {
				log.warn("Cache write of {} failed ({}); answer not cached", key, error.toString());
				return Mono.empty();
			})
			.then();
	}

	/** The answer behind its freshness header. */
	private byte[] marked(byte[] completion, Duration ttl) {
		return ByteBuffer.allocate(HEADER + completion.length)
			.put(STALE_MARK)
			.putLong(this.epochMillis.getAsLong() + ttl.toMillis())
			.put(completion)
			.array();
	}

	private @Nullable Stored stored(byte[] value) {
		if (value.length == 0 || value[0] != STALE_MARK) {
			return new Stored(value, true); // Redis expires it at its TTL: present means fresh
		}
		if (value.length <= HEADER) {
			return null;
		}
		long freshUntil = ByteBuffer.wrap(value, 1, Long.BYTES).getLong();
		return new Stored(Arrays.copyOfRange(value, HEADER, value.length), this.epochMillis.getAsLong() < freshUntil);
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
