package dev.switchboard.core;

import reactor.core.publisher.Mono;

/**
 * Turns a prompt into a unit-length vector whose dot product with another is their cosine
 * similarity. Implementations do their work off the Netty event loop: an embedding is milliseconds
 * of CPU (in process) or a network call (through a provider).
 */
public interface Embedder {

	/**
	 * Names the model and its dimensions, e.g. {@code all-minilm-l6-v2-q/384}. Stored with every
	 * entry: vectors of two models are not comparable, so an entry is only matched by the model that
	 * embedded it.
	 */
	String id();

	/** The embedding of {@code text}, normalized to unit length. */
	Mono<float[]> embed(String text);

	/** Scales {@code vector} to unit length in place (a zero vector is left as is). */
	static float[] normalize(float[] vector) {
		double sum = 0;
		for (float value : vector) {
			sum += value * value;
		}
		if (sum > 0) {
			float scale = (float) (1 / Math.sqrt(sum));
			for (int i = 0; i < vector.length; i++) {
				vector[i] *= scale;
			}
		}
		return vector;
	}

	/** The dot product, which is the cosine similarity of two unit vectors. */
	static double dot(float[] a, float[] b) {
		if (a.length != b.length) {
			return -1;
		}
		float sum = 0;
		for (int i = 0; i < a.length; i++) {
			sum += a[i] * b[i];
		}
		return sum;
	}

}
