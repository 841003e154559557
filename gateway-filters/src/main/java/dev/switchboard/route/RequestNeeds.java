package dev.switchboard.route;

import java.util.EnumSet;
import java.util.Set;

import tools.jackson.databind.JsonNode;

import dev.switchboard.catalog.Capability;
import dev.switchboard.catalog.ModelSpec;
import dev.switchboard.core.Operation;

/**
 * What a request needs from a model: capabilities (tools, images, JSON output) and room in the
 * context window. Read from the parsed body, so a pool never sends a request to a member that
 * would refuse it.
 *
 * @param capabilities capabilities the request uses
 * @param promptTokens estimate of the prompt, at four characters a token (a routing estimate, not
 * an accounting one)
 * @param maxTokens completion tokens the request allows; {@link #DEFAULT_MAX_TOKENS} when it sets none
 */
public record RequestNeeds(Set<Capability> capabilities, long promptTokens, long maxTokens) {

	/** Completion budget assumed for pricing and context checks when a request sets none. */
	public static final long DEFAULT_MAX_TOKENS = 1024;

	public static RequestNeeds of(JsonNode body, Operation operation) {
		Set<Capability> needed = EnumSet.of((operation == Operation.EMBEDDINGS) ? Capability.EMBEDDINGS : Capability.CHAT);
		if (body.path("tools").size() > 0) {
			needed.add(Capability.TOOLS);
		}
		String format = body.path("response_format").path("type").asString("");
		if (format.equals("json_object") || format.equals("json_schema")) {
			needed.add(Capability.JSON);
		}
		long chars = 0;
		for (JsonNode message : body.path("messages")) {
			JsonNode content = message.path("content");
			if (content.isString()) {
				chars += content.stringValue().length();
			}
			for (JsonNode part : content) {
				String type = part.path("type").asString("");
				if (type.equals("image_url")) {
					needed.add(Capability.VISION);
				}
				chars += part.path("text").asString("").length();
			}
		}
		JsonNode input = body.path("input");
		chars += input.isString() ? input.stringValue().length() : input.toString().length();
		long max = body.path("max_completion_tokens").asLong(body.path("max_tokens").asLong(DEFAULT_MAX_TOKENS));
		return new RequestNeeds(needed, (chars + 3) / 4, max);
	}

	/** Whether the model can serve the request: every capability, and room for prompt and answer. */
	public boolean metBy(ModelSpec model) {
		if (!model.capabilities().containsAll(this.capabilities)) {
			return false;
		}
		return model.contextWindow() == null || model.contextWindow() >= this.promptTokens + this.maxTokens;
	}

	/** Estimated price of the request on the model in USD; unpriced models sort last. */
	public double estimatedCost(ModelSpec model) {
		if (model.inputPrice() == null && model.outputPrice() == null) {
			return Double.MAX_VALUE;
		}
		double input = (model.inputPrice() != null) ? model.inputPrice().doubleValue() : 0;
		double output = (model.outputPrice() != null) ? model.outputPrice().doubleValue() : 0;
		return (this.promptTokens * input + this.maxTokens * output) / 1_000_000.0;
	}

}
