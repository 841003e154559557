package dev.switchboard.endpoint.compare;

import java.time.Duration;

/**
 * What a comparison may ask: how many models at most, and how long the whole call may take (a
 * request may ask less, never more).
 *
 * @param maxModels most models in one comparison
 * @param deadline longest a comparison runs; legs still running then end with a
 * {@code deadline_exceeded} entry
 * @param page whether a browser that opens {@code /v1/compare} gets the comparison page: static
 * HTML and script, which shows nothing until the person enters a team key
 */
public record ComparePolicy(int maxModels, Duration deadline, boolean page) {

	public static final int DEFAULT_MAX_MODELS = 8;

	public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(60);

	public ComparePolicy {
		if (maxModels < 1) {
			throw new IllegalArgumentException("max-models must be at least 1, got " + maxModels);
		}
		if (deadline.isNegative() || deadline.isZero()) {
			throw new IllegalArgumentException("deadline must be positive, got " + deadline);
		}
	}

	public static ComparePolicy defaults() {
		return new ComparePolicy(DEFAULT_MAX_MODELS, DEFAULT_DEADLINE, true);
	}

}
