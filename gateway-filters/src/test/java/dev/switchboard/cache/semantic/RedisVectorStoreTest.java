package dev.switchboard.cache.semantic;

import java.time.Duration;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import tools.jackson.databind.JsonNode;

import dev.switchboard.cache.CacheKey;
import dev.switchboard.cache.SemanticIndex;
import dev.switchboard.testing.RedisServerExtension;
import dev.switchboard.testing.RedisTestServer;

import static org.assertj.core.api.Assertions.assertThat;

/** The fleet's vector store against a real Redis: shared between gateways, laid out per scope, bounded, outage-safe. */
@ExtendWith(RedisServerExtension.class)
class RedisVectorStoreTest {

	private static final Duration TIMEOUT = Duration.ofMillis(300);

	@Test
	void aPromptIndexedByOneGatewayMatchesOnAnother(RedisTestServer redis) {
		RedissonClient one = client(redis.address());
		RedissonClient two = client(redis.address());
		try {
			SemanticIndex gatewayOne = new EmbeddingSemanticIndex(MiniLm.embedder(),
					new RedisVectorStore(one, TIMEOUT, RedisVectorStore.DEFAULT_PREFIX, 1000, 1000),
					SemanticPolicy.defaults());
			RedisVectorStore storeTwo = new RedisVectorStore(two, TIMEOUT, RedisVectorStore.DEFAULT_PREFIX, 1000, 1000);
			SemanticIndex gatewayTwo = new EmbeddingSemanticIndex(MiniLm.embedder(), storeTwo, SemanticPolicy.defaults());

			JsonNode asked = EmbeddingSemanticIndexTest.request("How can I cancel my subscription?");
			assertThat(gatewayTwo.lookup(CacheKey.of("team-a", asked), asked).blockOptional()).isEmpty();

			JsonNode stored = EmbeddingSemanticIndexTest.request("How do I cancel my subscription?");
			CacheKey storedKey = CacheKey.of("team-a", stored);
			gatewayOne.stored(storedKey, stored, Duration.ofMinutes(5)).block();

			SemanticIndex.Match match = gatewayTwo.lookup(CacheKey.of("team-a", asked), asked).block();
			assertThat(match.key()).isEqualTo(storedKey);
			assertThat(storeTwo.mirrored()).isEqualTo(1);
			assertThat(gatewayTwo.lookup(CacheKey.of("team-a", asked), asked).block().key()).isEqualTo(storedKey);
			assertThat(storeTwo.mirrored()).as("each entry is read once").isEqualTo(1);
			assertThat(gatewayTwo.lookup(CacheKey.of("team-b", asked), asked).blockOptional()).isEmpty();

			SemanticScope scope = SemanticScope.of(storedKey, stored);
			String key = "sb:sem:{team-a}:" + scope.scope();
			assertThat(one.getKeys().getKeysStream().toList()).contains(key);
			assertThat(one.getStream(key, StringCodec.INSTANCE).remainTimeToLive()).isBetween(1L, 300_000L);
		}
		finally {
			one.shutdown();
			two.shutdown();
		}
	}

	@Test
	void aScopeIsCappedInRedis(RedisTestServer redis) {
		RedissonClient client = client(redis.address());
		try {
			RedisVectorStore store = new RedisVectorStore(client, TIMEOUT, "capped", 100, 10_000);
			Random random = new Random(5);
			for (int i = 0; i < 400; i++) {
				store.add("team-a", "s", InMemoryVectorStoreTest.entry("k" + i, InMemoryVectorStoreTest.randomUnit(random)),
						Duration.ofMinutes(1)).block();
			}
			long length = client.getStream("capped:{team-a}:s", StringCodec.INSTANCE).size();
			assertThat(length).as("MAXLEN ~ 100 trims in whole nodes").isBetween(100L, 250L);
			float[] probe = InMemoryVectorStoreTest.randomUnit(random);
			store.candidates("team-a", "s", probe).block();
			assertThat(store.mirrored()).isEqualTo((int) length);
		}
		finally {
			client.shutdown();
		}
	}

	@Test
	void anOutageSearchesTheLocalCopyAndDropsWritesWithinTheTimeout(RedisTestServer redis) throws Exception {
		RedissonClient client = client(redis.address());
		try {
			RedisVectorStore store = new RedisVectorStore(client, TIMEOUT, "outage", 100, 100);
			float[] vector = InMemoryVectorStoreTest.randomUnit(new Random(9));
			store.add("team-a", "s", InMemoryVectorStoreTest.entry("before", vector), Duration.ofMinutes(1)).block();
			assertThat(store.candidates("team-a", "s", vector).block()).extracting(VectorEntry::keyHash)
				.containsExactly("before");
			redis.stop();
			long start = System.nanoTime();
			List<VectorEntry> during = store.candidates("team-a", "s", vector).block();
			store.add("team-a", "s", InMemoryVectorStoreTest.entry("during", vector), Duration.ofMinutes(1)).block();
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
			assertThat(during).extracting(VectorEntry::keyHash).containsExactly("before");
		}
		finally {
			redis.start();
			client.shutdown();
		}
	}

	static RedissonClient client(String address) {
		return RedisTestServer.client(address, Duration.ofMillis(300), Duration.ofMillis(250));
	}

}
