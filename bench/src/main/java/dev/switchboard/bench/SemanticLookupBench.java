package dev.switchboard.bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import dev.switchboard.cache.semantic.InMemoryVectorStore;
import dev.switchboard.cache.semantic.OnnxMiniLmEmbedder;
import dev.switchboard.cache.semantic.VectorEntry;
import dev.switchboard.core.Embedder;

/**
 * Semantic lookup time as the store grows: the in-process embedding of one prompt (real model),
 * then the vector search in one scope of 1k, 10k and 100k entries, against a brute-force scan of the
 * same scope. Prints a markdown table.
 *
 * <p>The stored vectors are synthetic, 384-dimensional and clustered (1,000 topics, each entry at
 * cosine 0.6 to 0.9 of its topic), since embedding 100k real prompts would take minutes; every query
 * sits at cosine 0.95 of one stored entry, and recall says how often the index returned it.
 */
public final class SemanticLookupBench {

	private static final int DIMENSIONS = 384;

	private static final int QUERIES = 2000;

	private SemanticLookupBench() {
	}

	public static void main(String[] args) {
		System.out.println("### Semantic lookup vs store size");
		System.out.println();
		try (OnnxMiniLmEmbedder embedder = new OnnxMiniLmEmbedder(1, 16)) {
			long[] embed = new long[300];
			for (int i = -100; i < embed.length; i++) {
				String prompt = "How do I reset the password of account number " + i + "?";
				long start = System.nanoTime();
				embedder.embed(prompt).block();
				if (i >= 0) {
					embed[i] = System.nanoTime() - start;
				}
			}
			System.out.printf(Locale.ROOT, "In-process embedding of a short prompt (all-MiniLM-L6-v2, one thread): "
					+ "p50 **%.2f ms**, p99 %.2f ms.%n%n", percentile(embed, 50), percentile(embed, 99));
		}
		System.out.println("| stored entries | index p50 | index p99 | candidates read | recall at cosine 0.95 | "
				+ "brute-force p50 | index / brute force |");
		System.out.println("| --- | --- | --- | --- | --- | --- | --- |");
		for (int size : new int[] { 1_000, 10_000, 100_000 }) {
			run(size);
		}
	}

	private static void run(int size) {
		SplittableRandom random = new SplittableRandom(42);
		float[][] topics = new float[1000][];
		for (int i = 0; i < topics.length; i++) {
			topics[i] = randomUnit(random);
		}
		// Sized as the default max-entries (100,000) whatever it holds: the index shape a gateway would have.
		InMemoryVectorStore store = new InMemoryVectorStore(100_000);
		float[][] stored = new float[size][];
		for (int i = 0; i < size; i++) {
			stored[i] = near(topics[random.nextInt(topics.length)], 0.6 + 0.3 * random.nextDouble(), random);
			store.add("team", "scope", new VectorEntry("k" + i, stored[i], "bench/384", 0.94, "n=", Long.MAX_VALUE),
					Duration.ofHours(1)).block();
		}
		long[] indexed = new long[QUERIES];
		long[] brute = new long[QUERIES];
		long candidates = 0;
		int found = 0;
		double sink = 0;
		for (int round = -1; round < 1; round++) { // round -1 warms the JIT up
			for (int q = 0; q < QUERIES; q++) {
				int target = random.nextInt(size);
				float[] query = near(stored[target], 0.95, random);
				long start = System.nanoTime();
				List<VectorEntry> result = store.candidates("team", "scope", query).block();
				String best = null;
				double bestScore = -2;
				for (VectorEntry entry : result) {
					double score = Embedder.dot(query, entry.vector());
					if (score > bestScore) {
						bestScore = score;
						best = entry.keyHash();
					}
				}
				long middle = System.nanoTime();
				double bruteBest = -2;
				for (float[] vector : stored) {
					bruteBest = Math.max(bruteBest, Embedder.dot(query, vector));
				}
				long end = System.nanoTime();
				sink += bruteBest;
				if (round == 0) {
					indexed[q] = middle - start;
					brute[q] = end - middle;
					candidates += result.size();
					if (("k" + target).equals(best)) {
						found++;
					}
				}
			}
		}
		double indexP50 = percentile(indexed, 50);
		double bruteP50 = percentile(brute, 50);
		System.out.printf(Locale.ROOT, "| %,d | %.3f ms | %.3f ms | %,d | %.3f | %.3f ms | %.2f |%n", size, indexP50,
				percentile(indexed, 99), candidates / QUERIES, found / (double) QUERIES, bruteP50, indexP50 / bruteP50);
		if (sink == 42) {
			System.out.println();
		}
	}

	private static double percentile(long[] nanos, int percentile) {
		long[] sorted = nanos.clone();
		Arrays.sort(sorted);
		return sorted[Math.min(sorted.length - 1, sorted.length * percentile / 100)] / 1e6;
	}

	private static float[] randomUnit(SplittableRandom random) {
		float[] vector = new float[DIMENSIONS];
		for (int i = 0; i < DIMENSIONS; i++) {
			double u = 1 - random.nextDouble();
			vector[i] = (float) (Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble()));
		}
		return Embedder.normalize(vector);
	}

	/** A unit vector at cosine {@code cosine} of {@code base}. */
	private static float[] near(float[] base, double cosine, SplittableRandom random) {
		float[] noise = randomUnit(random);
		double along = Embedder.dot(noise, base);
		float[] result = new float[DIMENSIONS];
		double sine = Math.sqrt(1 - cosine * cosine);
		float[] orthogonal = new float[DIMENSIONS];
		for (int i = 0; i < DIMENSIONS; i++) {
			orthogonal[i] = (float) (noise[i] - along * base[i]);
		}
		Embedder.normalize(orthogonal);
		for (int i = 0; i < DIMENSIONS; i++) {
			result[i] = (float) (cosine * base[i] + sine * orthogonal[i]);
		}
		return Embedder.normalize(result);
	}

}
