package dev.switchboard.failover;

/** A target was skipped because its circuit breaker is open; no call was made. */
public class CircuitOpenException extends RuntimeException {

	public CircuitOpenException(String target) {
		super("circuit breaker of " + target + " is open", null, false, false);
	}

}
