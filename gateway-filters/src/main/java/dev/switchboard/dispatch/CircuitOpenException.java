package dev.switchboard.dispatch;

import dev.switchboard.core.LlmApiException;

/**
 * A target was skipped because its circuit breaker is open; no call was made. When no other target
 * remains, the client gets it as a 503 and may retry later.
 */
public class CircuitOpenException extends LlmApiException {

	public CircuitOpenException(String target) {
		super(503, SERVER_ERROR, "circuit_open", null,
				"The provider behind this model is failing and is rested for a while; retry later.", null, null);
	}

}
