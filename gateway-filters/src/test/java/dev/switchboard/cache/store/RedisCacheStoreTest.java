package dev.switchboard.cache.store;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.ByteArrayCodec;
import reactor.test.StepVerifier;

import dev.switchboard.cache.CacheFixtures;
import dev.switchboard.cache.CacheKey;
import dev.switchboard.cache.CacheLookup;
import dev.switchboard.cache.CachePolicy;
import dev.switchboard.cache.CacheService;
import dev.switchboard.testing.RedisServerExtension;
import dev.switchboard.testing.RedisTestServer;

import static org.assertj.core.api.Assertions.assertThat;

/** The Redis store against a real Redis: keys, TTL, and an outage served as a miss within the timeout. */
@ExtendWith(RedisServerExtension.class)
class RedisCacheStoreTest {

	private static final Duration TIMEOUT = Duration.ofMillis(300);

	static RedissonClient client(String address) {
		return RedisTestServer.client(address, Duration.ofMillis(300), Duration.ofMillis(250));
	}

	@Test
	void storesUnderTheTeamKeyWithTtl(RedisTestServer redis) {
		RedissonClient client = client(redis.address());
		try {
			RedisCacheStore store = new RedisCacheStore(client, TIMEOUT);
			CacheKey key = new CacheKey("team-a", "abc");
			StepVerifier.create(store.get(key)).verifyComplete();
			store.put(key, "{\"x\":1}".getBytes(), Duration.ofSeconds(30)).block();
			StepVerifier.create(store.get(key)).expectNextMatches(bytes -> new String(bytes).equals("{\"x\":1}"))
				.verifyComplete();
			StepVerifier.create(store.get(new CacheKey("team-b", "abc"))).verifyComplete();
			long ttl = client.getBucket("sb:cache:{team-a}:abc", ByteArrayCodec.INSTANCE).remainTimeToLive();
			assertThat(ttl).isBetween(1L, 30_000L);

			store.put(key, "{}".getBytes(), Duration.ofMillis(100)).block();
			StepVerifier.create(store.get(key).delaySubscription(Duration.ofMillis(300))).verifyComplete();
		}
		finally {
			client.shutdown();
		}
	}

	@Test
	void keepsAnAnswerStaleInRedisForItsWindowAndReadsPlainEntriesAsFresh(RedisTestServer redis) {
		RedissonClient client = client(redis.address());
		AtomicLong now = new AtomicLong(1_000_000);
		try {
			RedisCacheStore store = new RedisCacheStore(client, TIMEOUT, RedisCacheStore.DEFAULT_PREFIX, false, now::get);
			CacheKey key = new CacheKey("team-a", "stale");
			store.put(key, "{\"x\":1}".getBytes(), Duration.ofSeconds(30), Duration.ofMinutes(10)).block();
			long ttl = client.getBucket("sb:cache:{team-a}:stale", ByteArrayCodec.INSTANCE).remainTimeToLive();
			assertThat(ttl).as("Redis keeps it for the TTL and the stale window").isBetween(30_001L, 630_000L);
			StepVerifier.create(store.read(key))
				.expectNextMatches(stored -> stored.fresh() && new String(stored.completion()).equals("{\"x\":1}"))
				.verifyComplete();

			now.addAndGet(30_000);
			StepVerifier.create(store.read(key))
				.expectNextMatches(stored -> !stored.fresh() && new String(stored.completion()).equals("{\"x\":1}"))
				.verifyComplete();
			StepVerifier.create(store.get(key)).verifyComplete();

			// An entry written without a stale window (or before stale windows existed): plain JSON, fresh while present.
			client.getBucket("sb:cache:{team-a}:plain", ByteArrayCodec.INSTANCE).set("{\"y\":2}".getBytes());
			StepVerifier.create(store.read(new CacheKey("team-a", "plain")))
				.expectNextMatches(stored -> stored.fresh() && new String(stored.completion()).equals("{\"y\":2}"))
				.verifyComplete();
		}
		finally {
			client.shutdown();
		}
	}

	@Test
	void anOutageIsAMissNeverAnError(RedisTestServer redis) throws Exception {
		RedissonClient client = client(redis.address());
		try {
			CacheService service = new CacheService(new RedisCacheStore(client, TIMEOUT), CachePolicy.defaults());
			var request = CacheFixtures.json(CacheFixtures.REQUEST);
			redis.stop();
			for (int i = 0; i < 2; i++) {
				long start = System.nanoTime();
				StepVerifier.create(service.lookup("team-a", request, null))
					.expectNextMatches(lookup -> lookup.outcome() == CacheLookup.Outcome.MISS)
					.verifyComplete();
				StepVerifier.create(service.offer(CacheKey.of("team-a", request), request, CacheFixtures.COMPLETION, null))
					.expectNextCount(1)
					.verifyComplete();
				assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TIMEOUT.multipliedBy(2).plusMillis(500));
			}
		}
		finally {
			redis.start();
			client.shutdown();
		}
	}

}
