package dev.switchboard.route;

import java.time.Duration;

/**
 * A canary rollout: the model name {@code name} (an alias, a model id or a pool) moves to the
 * catalog model {@code to} gradually. A share of its requests, {@code percent} at first and
 * {@code step} more every {@code every}, goes to {@code to}; the rest is served as without the
 * rollout. Sticky like a weighted pool, so a user or a team stays on one side while the share grows.
 * {@link Guards} compare the two sides and send everything back at once when the new one is worse.
 *
 * @param name the name clients send as {@code model}
 * @param to the catalog model it moves to
 * @param percent the share on {@code to} when the rollout starts, 0 to 100
 * @param step added to the share every {@code every}; 0 holds it at {@code percent}
 * @param every how long each share lasts
 * @param sticky what keeps a client on one side: {@code none}, {@code team} or {@code user}
 * @param guards when the rollout is aborted
 */
public record Rollout(String name, String to, int percent, int step, Duration every, ModelPool.Sticky sticky,
		Guards guards) {

	/**
	 * The comparison of the new side with the old one over the last {@code window}: judged once the
	 * new side has served {@code minRequests} in it; latency and time to first token once both have.
	 *
	 * @param window how far back outcomes count
	 * @param minRequests requests of a side in the window before it is judged
	 * @param maxErrorRateIncrease how much higher the new side's rate of provider faults (5xx, 429,
	 * timeouts, unreachable) may be than the old side's, e.g. 0.05 for five points
	 * @param maxLatencyRatio how many times the old side's p95 latency to the first byte the new side's may be
	 * @param maxTtftRatio how many times the old side's p95 time to first token (streams) the new side's may be
	 */
	public record Guards(Duration window, int minRequests, double maxErrorRateIncrease, double maxLatencyRatio,
			double maxTtftRatio) {

		public static Guards defaults() {
			return new Guards(Duration.ofMinutes(5), 20, 0.05, 2.0, 2.0);
		}

	}

	/** The share on {@code to} after running for {@code elapsed}: {@code percent}, plus a step per {@code every}, at most 100. */
	public int share(Duration elapsed) {
		if (this.step <= 0 || this.every.isZero() || elapsed.isNegative()) {
			return Math.min(100, this.percent);
		}
		long steps = elapsed.toNanos() / this.every.toNanos();
		return (int) Math.min(100, this.percent + steps * (long) this.step);
	}

}
