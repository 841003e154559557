package dev.switchboard.guard;

import java.time.Duration;

/**
 * A guardrail as the service runs it: with its timeout and what happens when it fails.
 *
 * @param guardrail the check
 * @param timeout longest the check may take before its fail mode applies
 * @param failClosed whether a check that fails or times out refuses the request (a 503 the client
 * may retry) rather than letting it pass unchecked
 */
public record GuardedRail(Guardrail guardrail, Duration timeout, boolean failClosed) {

	public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

	public String name() {
		return this.guardrail.name();
	}

}
