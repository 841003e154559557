package dev.switchboard.translate.spi;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import dev.switchboard.catalog.Capability;
import dev.switchboard.catalog.ReasoningTable;
import dev.switchboard.catalog.ReasoningTable.Effort;
import dev.switchboard.catalog.ReasoningTable.Setting;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.NativeRequest;
import dev.switchboard.core.RouteTarget;

/**
 * Reads {@code reasoning_effort} for an adapter that sends thinking in its provider's own terms
 * (Anthropic, Gemini), so that every such adapter validates it, checks the model and looks it up
 * in the model's {@link ReasoningTable} alike.
 */
public final class ReasoningEffort {

	private ReasoningEffort() {
	}

	/**
	 * The thinking setting the request asks of the target; {@code null} when it asks none or the
	 * effort is not to be sent. The adapter records what it sends (after clamping) as a decision.
	 *
	 * <p>An effort that is not one of OpenAI's is the client's 400, as OpenAI answers it. A model
	 * that is not declared {@link Capability#REASONING} is never sent thinking: a client's own
	 * {@code reasoning_effort} goes through the {@link ParameterPolicy} (400 naming the fix, or
	 * dropped and listed), while an effort the Anthropic door derived from the client's
	 * {@code thinking} is left out with a decision only, since the client did not write it and the
	 * dropped-parameters header already names its {@code thinking}.
	 */
	public static @Nullable Setting setting(LlmExchange exchange, RouteTarget target) {
		JsonNode value = exchange.body().get("reasoning_effort");
		if (value == null || value.isNull()) {
			return null;
		}
		Effort effort = value.isString() ? Effort.of(value.stringValue()) : null;
		if (effort == null) {
			throw LlmApiException.invalidRequest("Invalid value for 'reasoning_effort': " + value
					+ ". Supported values are: " + Effort.ids() + ".", "reasoning_effort");
		}
		if (!target.model().supports(Capability.REASONING)) {
			String why = "model '" + target.model().id() + "' is not declared with the capability 'reasoning' in "
					+ "switchboard.models";
			NativeRequest client = exchange.nativeRequest();
			if (client != null && NativeRequest.ANTHROPIC_MESSAGES.equals(client.protocol())) {
				exchange.decide("translate", "reasoning_effort " + effort.id() + " left out: " + why);
				return null;
			}
			ParameterPolicy.unsupported(exchange, target, "reasoning_effort", why);
			return null;
		}
		return target.model().reasoning(target.provider().type()).setting(effort);
	}

}
