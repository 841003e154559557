package dev.switchboard.mock;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * How the simulated provider behaves: speed, length, and the faults it injects.
 *
 * @param latency wait before a non-streamed response
 * @param timeToFirstToken wait before the first streamed token
 * @param tokensPerSecond stream speed after the first token; 0 streams as fast as possible
 * @param responseTokens length of generated answers (models whose name contains {@code echo}
 * answer the last user message instead)
 * @param failureRates HTTP status to the probability of answering it (429, 500, 503, 529...)
 * @param hangRate probability of never answering, to exercise timeouts
 * @param retryAfter {@code Retry-After} sent with 429 and 503
 * @param embeddingDimensions size of embedding vectors when the request does not set {@code dimensions}
 */
public record MockBehavior(Duration latency, Duration timeToFirstToken, double tokensPerSecond, int responseTokens,
		Map<Integer, Double> failureRates, double hangRate, Duration retryAfter, int embeddingDimensions) {

	public MockBehavior {
		failureRates = Map.copyOf(new TreeMap<>(failureRates));
		double total = hangRate + failureRates.values().stream().mapToDouble(Double::doubleValue).sum();
		if (total > 1.0 + 1e-9) {
			throw new IllegalArgumentException("mock failure rates and hang rate add up to " + total + " (> 1)");
		}
		if (responseTokens < 1) {
			throw new IllegalArgumentException("mock response-tokens must be at least 1");
		}
	}

	/** Instant, fault-free answers of 16 tokens: the embedded default and the benchmark stub. */
	public static MockBehavior instant() {
		return new MockBehavior(Duration.ZERO, Duration.ZERO, 0, 16, Map.of(), 0, Duration.ofSeconds(1), 16);
	}

	public MockBehavior withLatency(Duration latency, Duration timeToFirstToken) {
		return new MockBehavior(latency, timeToFirstToken, this.tokensPerSecond, this.responseTokens,
				this.failureRates, this.hangRate, this.retryAfter, this.embeddingDimensions);
	}

	public MockBehavior withStreaming(double tokensPerSecond, int responseTokens) {
		return new MockBehavior(this.latency, this.timeToFirstToken, tokensPerSecond, responseTokens,
				this.failureRates, this.hangRate, this.retryAfter, this.embeddingDimensions);
	}

	public MockBehavior withFaults(Map<Integer, Double> failureRates, double hangRate) {
		return new MockBehavior(this.latency, this.timeToFirstToken, this.tokensPerSecond, this.responseTokens,
				failureRates, hangRate, this.retryAfter, this.embeddingDimensions);
	}

}
