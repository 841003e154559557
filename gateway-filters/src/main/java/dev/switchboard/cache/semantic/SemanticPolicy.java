package dev.switchboard.cache.semantic;

import java.time.Duration;

/**
 * How close is close enough.
 *
 * @param threshold the cosine similarity at or above which a stored answer is served; 0.94 keeps
 * precision at 1.0 and recall near 0.6 on the project's labelled pairs with the default embedder
 * (see {@code SemanticQualityTest}); lower it only after measuring on your traffic in shadow mode
 * @param shadow whether matches are only reported (decision log, log line, metric) and never served
 * @param lexicalGuard whether {@link LexicalGuard} may veto a match whose numbers or direction words differ
 * @param timeout the longest a lookup (embedding plus vector search) may take before the request
 * goes on as a miss
 */
public record SemanticPolicy(double threshold, boolean shadow, boolean lexicalGuard, Duration timeout) {

	public static final double DEFAULT_THRESHOLD = 0.94;

	public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(250);

	public static SemanticPolicy defaults() {
		return new SemanticPolicy(DEFAULT_THRESHOLD, false, true, DEFAULT_TIMEOUT);
	}

	public SemanticPolicy {
		if (!(threshold > 0 && threshold <= 1)) {
			throw new IllegalArgumentException("threshold must be in (0, 1], was " + threshold);
		}
		if (timeout == null || timeout.isZero() || timeout.isNegative()) {
			throw new IllegalArgumentException("timeout must be positive, was " + timeout);
		}
	}

}
