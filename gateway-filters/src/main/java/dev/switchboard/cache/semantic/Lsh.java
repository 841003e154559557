package dev.switchboard.cache.semantic;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Random-hyperplane locality-sensitive hashing: each of {@code tables} signatures is {@code bits}
 * signs of the vector's projections on random Gaussian directions. Two vectors at angle θ agree on
 * one bit with probability 1 − θ/π, so near vectors tend to share a bucket in at least one table
 * while far ones rarely do; a lookup compares the query with the few entries of its buckets instead
 * of all of them.
 *
 * <p>With the defaults (10 tables of 10 bits), two prompts at cosine 0.94 share a bucket in some
 * table with probability 1 − (1 − 0.889<sup>10</sup>)<sup>10</sup> ≈ 0.97, and each table splits the
 * scope into 1,024 buckets. The planes come from a fixed seed, so every gateway of a fleet hashes
 * alike.
 */
final class Lsh {

	static final int DEFAULT_TABLES = 10;

	static final int DEFAULT_BITS = 10;

	private static final Map<Integer, Lsh> BY_DIMENSIONS = new ConcurrentHashMap<>();

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

	/** The shared default hashing of vectors of this many dimensions. */
	static Lsh forDimensions(int dimensions) {
		return BY_DIMENSIONS.computeIfAbsent(dimensions,
				size -> new Lsh(size, DEFAULT_TABLES, DEFAULT_BITS, 0x5b_c4c4_e5eedL));
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
