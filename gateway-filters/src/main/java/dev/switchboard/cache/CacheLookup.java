package dev.switchboard.cache;

import org.jspecify.annotations.Nullable;

/**
 * What the cache made of one request.
 *
 * @param outcome hit, semantic hit, miss or bypass; the value of the {@code x-switchboard-cache} header
 * @param key the request's exact key (null on bypass)
 * @param completion the stored {@code chat.completion} JSON on a hit
 * @param reason why, for the decision log
 * @param similarity the similarity of a semantic hit, or of the answer shadow mode would have served
 * on a miss; {@code NaN} otherwise
 * @param stale on a miss, the request's answer past its TTL but within the stale window: served only
 * if no provider can answer
 */
public record CacheLookup(Outcome outcome, @Nullable CacheKey key, byte @Nullable [] completion, String reason,
		double similarity, byte @Nullable [] stale) {

	public CacheLookup(Outcome outcome, @Nullable CacheKey key, byte @Nullable [] completion, String reason) {
		this(outcome, key, completion, reason, Double.NaN, null);
	}

	public CacheLookup(Outcome outcome, @Nullable CacheKey key, byte @Nullable [] completion, String reason,
			double similarity) {
		this(outcome, key, completion, reason, similarity, null);
	}

	/** This lookup, a miss, with the stale answer to fall back on. */
	CacheLookup withStale(byte[] answer) {
		return new CacheLookup(this.outcome, this.key, this.completion, this.reason + "; stale copy kept for errors",
				this.similarity, answer);
	}

	public enum Outcome {

		HIT("hit"), SEMANTIC_HIT("semantic-hit"), MISS("miss"), BYPASS("bypass");

		private final String header;

		Outcome(String header) {
			this.header = header;
		}

		/** The value of the {@code x-switchboard-cache} header. */
		public String header() {
			return this.header;
		}

	}

	/** Whether this miss is one the semantic tier, in shadow mode, would have answered. */
	public boolean shadowHit() {
		return this.outcome == Outcome.MISS && !Double.isNaN(this.similarity);
	}

	static CacheLookup bypass(String reason) {
		return new CacheLookup(Outcome.BYPASS, null, null, reason);
	}

}
