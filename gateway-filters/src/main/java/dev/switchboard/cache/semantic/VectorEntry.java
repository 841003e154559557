package dev.switchboard.cache.semantic;

import dev.switchboard.core.Embedder;

/**
 * One indexed prompt: where its answer is stored, its embedding, and the regime it was stored under.
 *
 * @param keyHash the exact-tier key hash the answer is stored under, in the same namespace
 * @param vector the unit-length embedding of the prompt's last user turn
 * @param embedder the {@link Embedder#id()} that computed it; other embedders never match it
 * @param threshold the similarity threshold in force when it was stored; a lookup needs at least
 * this and its own, so loosening the threshold later does not loosen old entries
 * @param fingerprint the {@link LexicalGuard} fingerprint of the prompt (its numbers and direction
 * words, not its text)
 * @param expiresAtMillis wall-clock expiry, shared by every gateway of a fleet
 */
public record VectorEntry(String keyHash, float[] vector, String embedder, double threshold, String fingerprint,
		long expiresAtMillis) {

	boolean expired(long nowMillis) {
		return nowMillis >= this.expiresAtMillis;
	}

}
