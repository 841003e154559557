package dev.switchboard.translate.spi;

import dev.switchboard.catalog.UnsupportedParameters;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.RouteTarget;

/**
 * Applies a provider's {@link UnsupportedParameters} policy when an adapter meets an OpenAI
 * parameter it cannot translate faithfully.
 */
public final class ParameterPolicy {

	private ParameterPolicy() {
	}

	/**
	 * Rejects the request (400 naming {@code param}) or records the drop on the exchange, per the
	 * target provider's policy. Returns normally only when the parameter may be left out.
	 * @param why what the provider lacks, e.g. "Anthropic has no logprobs"
	 */
	public static void unsupported(LlmExchange exchange, RouteTarget target, String param, String why) {
		if (target.provider().unsupportedParameters() == UnsupportedParameters.DROP) {
			exchange.translation().drop(param, target.label() + ": " + why);
			return;
		}
		throw LlmApiException.invalidRequest("The parameter '" + param + "' is not supported by provider '"
				+ target.provider().name() + "' (" + why + "). Remove it, or set switchboard.providers."
				+ target.provider().name() + ".unsupported-parameters=drop to have the gateway drop it.", param);
	}

}
