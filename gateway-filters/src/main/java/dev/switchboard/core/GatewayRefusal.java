package dev.switchboard.core;

/**
 * A refusal of the gateway's own making about a request or an answer, such as a guardrail's deny
 * or a guardrail that could not check: never a provider's fault, whatever its status. No failover
 * walks on it to another target (the next one's answer would be refused the same way) and no
 * circuit breaker counts it, so a 503 of a guardrail that is down never opens a healthy
 * provider's breaker.
 */
public final class GatewayRefusal extends LlmApiException {

	public GatewayRefusal(int status, String type, String code, String message) {
		super(status, type, code, null, message, null, null);
	}

}
