package dev.switchboard.cache.store;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import dev.switchboard.cache.CacheKey;

import static org.assertj.core.api.Assertions.assertThat;

class InMemoryCacheStoreTest {

	private final AtomicLong now = new AtomicLong();

	private final InMemoryCacheStore store = new InMemoryCacheStore(2, this.now::get);

	static CacheKey key(String hash) {
		return new CacheKey("team-a", hash);
	}

	@Test
	void servesUntilTheTtl() {
		this.store.put(key("a"), new byte[] { 1 }, Duration.ofSeconds(10)).block();
		this.now.addAndGet(Duration.ofSeconds(9).toNanos());
		StepVerifier.create(this.store.get(key("a"))).expectNextMatches(bytes -> bytes[0] == 1).verifyComplete();
		this.now.addAndGet(Duration.ofSeconds(1).toNanos());
		StepVerifier.create(this.store.get(key("a"))).verifyComplete();
		assertThat(this.store.size()).isZero();
	}

	@Test
	void keepsAnAnswerStaleForItsWindowAfterTheTtl() {
		this.store.put(key("a"), new byte[] { 1 }, Duration.ofSeconds(10), Duration.ofSeconds(5)).block();
		this.now.addAndGet(Duration.ofSeconds(9).toNanos());
		StepVerifier.create(this.store.read(key("a")))
			.expectNextMatches(stored -> stored.fresh() && stored.completion()[0] == 1)
			.verifyComplete();
		this.now.addAndGet(Duration.ofSeconds(1).toNanos());
		StepVerifier.create(this.store.read(key("a")))
			.expectNextMatches(stored -> !stored.fresh() && stored.completion()[0] == 1)
			.verifyComplete();
		StepVerifier.create(this.store.get(key("a"))).as("get serves fresh answers only").verifyComplete();
		this.now.addAndGet(Duration.ofSeconds(5).toNanos());
		StepVerifier.create(this.store.read(key("a"))).verifyComplete();
		assertThat(this.store.size()).isZero();
	}

	@Test
	void evictsTheLeastRecentlyUsedWhenFull() {
		Duration ttl = Duration.ofMinutes(1);
		this.store.put(key("a"), new byte[] { 1 }, ttl).block();
		this.store.put(key("b"), new byte[] { 2 }, ttl).block();
		this.store.get(key("a")).block();
		this.store.put(key("c"), new byte[] { 3 }, ttl).block();
		assertThat(this.store.size()).isEqualTo(2);
		StepVerifier.create(this.store.get(key("b"))).verifyComplete();
		StepVerifier.create(this.store.get(key("a"))).expectNextCount(1).verifyComplete();
		StepVerifier.create(this.store.get(key("c"))).expectNextCount(1).verifyComplete();
	}

	@Test
	void teamsDoNotShareEntries() {
		this.store.put(new CacheKey("team-a", "h"), new byte[] { 1 }, Duration.ofMinutes(1)).block();
		StepVerifier.create(this.store.get(new CacheKey("team-b", "h"))).verifyComplete();
	}

}
