package dev.switchboard.cache.semantic;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

import dev.switchboard.core.Embedder;

/**
 * Random-hyperplane locality-sensitive hashing: each of {@code tables} signatures is {@code bits}
 * signs of the vector's projections on random Gaussian directions. Two vectors at angle θ agree on
 * one bit with probability 1 − θ/π, so near vectors tend to share a bucket in at least one table
 * while far ones rarely do; a lookup compares the query with the few entries of its buckets instead
 * of all of them.
 *
 * <p>The shape follows the capacity of the index ({@link #forCapacity}): about 8 entries per
 * bucket when full, so a lookup reads {@code tables × 8} candidates at most, whatever the store
 * holds; and enough tables that two prompts at cosine 0.94 share a bucket in at least one with
 * probability 0.97 (for 100,000 entries: 17 tables of 14 bits). The planes come from a fixed seed:
 * every index of a given shape hashes alike.
 */
final class Lsh {

	/** The similarity the recall target is computed at: the default threshold. */
	private static final double DESIGN_COSINE = 0.94;

	private static final double DESIGN_RECALL = 0.97;

	private static final Map<String, Lsh> SHARED = new ConcurrentHashMap<>();

	private final float[][] planes;

	private final int tables;

	private final int bits;

	Lsh(int dimensions, int tables, int bits, long seed) {
		if (bits < 1 || bits > 30 || tables < 1) {
			throw new IllegalArgumentException("need 1 to 30 bits and at least one table");
		}
		this.tables = tables;
		this.bits = bits;
		this.planes = new float[tables * bits][dimensions];
		SplittableRandom random = new SplittableRandom(seed);
		for (float[] plane : this.planes) {
			for (int i = 0; i < dimensions; i++) {
				plane[i] = (float) gaussian(random);
			}
		}
	}

	/** The hashing for an index of up to {@code capacity} vectors of {@code dimensions}, shared by all such indexes. */
	static Lsh forCapacity(int dimensions, int capacity) {
		int bits = bits(capacity);
		int tables = tables(bits);
		return SHARED.computeIfAbsent(dimensions + "/" + bits + "/" + tables,
				key -> new Lsh(dimensions, tables, bits, 0x5b_c4c4_e5eedL));
	}

	/** About 8 entries per bucket at capacity, between 8 and 16 bits. */
	static int bits(int capacity) {
		int bits = (int) Math.ceil(Math.log(Math.max(1, capacity) / 8.0) / Math.log(2));
		return Math.max(8, Math.min(16, bits));
	}

	/** Tables for {@link #DESIGN_RECALL} at {@link #DESIGN_COSINE}: 1 − (1 − p<sup>bits</sup>)<sup>tables</sup>. */
	static int tables(int bits) {
		double agree = 1 - Math.acos(DESIGN_COSINE) / Math.PI;
		double sameBucket = Math.pow(agree, bits);
		return (int) Math.ceil(Math.log(1 - DESIGN_RECALL) / Math.log(1 - sameBucket));
	}

	int dimensions() {
		return this.planes[0].length;
	}

	int tables() {
		return this.tables;
	}

	/** One bucket number per table. */
	int[] signatures(float[] vector) {
		int[] signatures = new int[this.tables];
		for (int table = 0; table < this.tables; table++) {
			int signature = 0;
			for (int bit = 0; bit < this.bits; bit++) {
				if (Embedder.dot(this.planes[table * this.bits + bit], vector) >= 0) {
					signature |= 1 << bit;
				}
			}
			signatures[table] = signature;
		}
		return signatures;
	}

	private static double gaussian(SplittableRandom random) {
		// Box-Muller: SplittableRandom has no nextGaussian on Java 17.
		double u = 1 - random.nextDouble();
		double v = random.nextDouble();
		return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
	}

}
