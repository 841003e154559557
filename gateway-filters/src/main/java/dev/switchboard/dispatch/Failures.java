package dev.switchboard.dispatch;

import org.jspecify.annotations.Nullable;

import dev.switchboard.core.GatewayRefusal;
import dev.switchboard.core.LlmApiException;

/**
 * Which {@link Trigger}, if any, a failed attempt is. Adapters have already mapped each provider's
 * errors to OpenAI statuses and codes, so one classification serves every provider.
 */
public final class Failures {

	private Failures() {
	}

	/** The trigger, or {@code null} for a failure that is the client's own (never failed over). */
	public static @Nullable Trigger classify(Throwable error) {
		if (error instanceof GatewayRefusal) {
			return null;
		}
		if (error instanceof CircuitOpenException) {
			return Trigger.CIRCUIT_OPEN;
		}
		if (!(error instanceof LlmApiException api)) {
			return null;
		}
		String code = (api.code() != null) ? api.code() : "";
		switch (code) {
			case "circuit_open":
				return Trigger.CIRCUIT_OPEN;
			case "upstream_timeout":
				return Trigger.TIMEOUT;
			case "upstream_unreachable":
				return Trigger.CONNECT_ERROR;
			case "upstream_auth_failed", "upstream_billing":
				return Trigger.PROVIDER_REJECTED;
			case "context_length_exceeded":
				return Trigger.CONTEXT_LENGTH;
			default:
				break;
		}
		int status = api.status();
		if (status == 429) {
			return Trigger.RATE_LIMITED;
		}
		if (status == 503 || status == 529) {
			return Trigger.OVERLOADED;
		}
		if (status >= 500) {
			return Trigger.SERVER_ERROR;
		}
		if (status == 402 || status == 404) {
			return Trigger.PROVIDER_REJECTED;
		}
		return null;
	}

	/** Whether a failure says something about the target's health (what its breaker counts). */
	public static boolean isProviderFault(Throwable error) {
		Trigger trigger = classify(error);
		return trigger != null && trigger != Trigger.CONTEXT_LENGTH && trigger != Trigger.CIRCUIT_OPEN;
	}

}
