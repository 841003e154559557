package dev.switchboard.cache.semantic;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import dev.switchboard.core.Embedder;

import static org.assertj.core.api.Assertions.assertThat;

/** The LSH index: finds near vectors among many while reading a small part of them, bounded, isolated, expiring. */
class InMemoryVectorStoreTest {

	private static final int DIMENSIONS = 384;

	@Test
	void findsNearVectorsReadingOnlyAFractionOfTheScope() {
		Random random = new Random(7);
		InMemoryVectorStore store = new InMemoryVectorStore(100_000);
		List<float[]> stored = new ArrayList<>();
		for (int i = 0; i < 20_000; i++) {
			float[] vector = randomUnit(random);
			stored.add(vector);
			store.addNow("team-a/s", entry("k" + i, vector));
		}
		int found = 0;
		long candidates = 0;
		int queries = 300;
		for (int q = 0; q < queries; q++) {
			int target = random.nextInt(stored.size());
			float[] query = near(stored.get(target), 0.95, random);
			List<VectorEntry> result = store.candidatesNow("team-a/s", query);
			candidates += result.size();
			if (result.stream().anyMatch(entry -> entry.keyHash().equals("k" + target))) {
				found++;
			}
		}
		assertThat(found / (double) queries).as("recall of vectors at cosine 0.95").isGreaterThanOrEqualTo(0.95);
		assertThat(candidates / (double) queries).as("candidates read per lookup, of 20,000")
			.isLessThan(20_000 * 0.05);
	}

	@Test
	void smallScopesAreScannedWholeAndEmptyReadsHoldNothing() {
		InMemoryVectorStore store = new InMemoryVectorStore(100_000);
		store.addFromLog("t/empty", java.util.List.of());
		assertThat(store.position("t/empty")).as("no scope for a read that found nothing").isNull();
		Random random = new Random(11);
		for (int i = 0; i < LshIndex.LINEAR_MAX; i++) {
			store.addNow("t/s", entry("k" + i, randomUnit(random)));
		}
		assertThat(store.candidatesNow("t/s", randomUnit(random))).as("a small scope: every entry")
			.hasSize(LshIndex.LINEAR_MAX);
		for (int i = LshIndex.LINEAR_MAX; i < 1000; i++) {
			store.addNow("t/s", entry("k" + i, randomUnit(random)));
		}
		assertThat(store.candidatesNow("t/s", randomUnit(random)).size()).as("past it, buckets only")
			.isLessThan(100);
	}

	@Test
	void scopesNeverSeeEachOther() {
		InMemoryVectorStore store = new InMemoryVectorStore(100);
		float[] vector = randomUnit(new Random(1));
		store.add("team-a", "scope", entry("a", vector), Duration.ofMinutes(1)).block();
		assertThat(store.candidates("team-a", "scope", vector).block()).extracting(VectorEntry::keyHash)
			.containsExactly("a");
		assertThat(store.candidates("team-b", "scope", vector).block()).isEmpty();
		assertThat(store.candidates("team-a", "other", vector).block()).isEmpty();
	}

	@Test
	void staysWithinItsBoundAndDropsExpiredEntries() {
		AtomicLong now = new AtomicLong(1_000);
		InMemoryVectorStore store = new InMemoryVectorStore(50, now::get);
		Random random = new Random(3);
		for (int i = 0; i < 120; i++) {
			store.addNow("t/" + (i % 3), new VectorEntry("k" + i, randomUnit(random), "e", 0.9, "n=", 2_000));
		}
		assertThat(store.size()).isEqualTo(50);
		float[] vector = randomUnit(random);
		store.addNow("t/x", new VectorEntry("short", vector, "e", 0.9, "n=", 1_500));
		assertThat(store.candidatesNow("t/x", vector)).hasSize(1);
		now.set(1_500);
		assertThat(store.candidatesNow("t/x", vector)).isEmpty();
	}

	static VectorEntry entry(String key, float[] vector) {
		return new VectorEntry(key, vector, "test/384", 0.9, "n=", Long.MAX_VALUE);
	}

	static float[] randomUnit(Random random) {
		float[] vector = new float[DIMENSIONS];
		for (int i = 0; i < DIMENSIONS; i++) {
			vector[i] = (float) random.nextGaussian();
		}
		return Embedder.normalize(vector);
	}

	/** A unit vector at cosine {@code cosine} from {@code base}. */
	static float[] near(float[] base, double cosine, Random random) {
		float[] noise = randomUnit(random);
		double along = Embedder.dot(noise, base);
		float[] orthogonal = new float[DIMENSIONS];
		for (int i = 0; i < DIMENSIONS; i++) {
			orthogonal[i] = (float) (noise[i] - along * base[i]);
		}
		Embedder.normalize(orthogonal);
		double sine = Math.sqrt(1 - cosine * cosine);
		float[] result = new float[DIMENSIONS];
		for (int i = 0; i < DIMENSIONS; i++) {
			result[i] = (float) (cosine * base[i] + sine * orthogonal[i]);
		}
		return Embedder.normalize(result);
	}

}
