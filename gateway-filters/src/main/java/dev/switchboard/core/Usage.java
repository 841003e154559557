package dev.switchboard.core;

import tools.jackson.databind.JsonNode;

import org.jspecify.annotations.Nullable;

/**
 * Token usage of one completed call, in OpenAI terms.
 *
 * @param promptTokens tokens the provider billed as input
 * @param completionTokens tokens the provider billed as output
 * @param cachedPromptTokens part of the prompt the provider served from its prompt cache (priced
 * lower by several providers)
 * @param reported whether the numbers come from the provider; {@code false} marks a gateway
 * estimate, e.g. a stream the client cut before the provider reported usage
 */
public record Usage(long promptTokens, long completionTokens, long cachedPromptTokens, boolean reported) {

	public static final Usage NONE = new Usage(0, 0, 0, false);

	public long totalTokens() {
		return this.promptTokens + this.completionTokens;
	}

	/** Reads an OpenAI {@code usage} object; {@code null} when absent or JSON null. */
	public static @Nullable Usage fromOpenAi(@Nullable JsonNode usage) {
		if (usage == null || !usage.isObject()) {
			return null;
		}
		long prompt = usage.path("prompt_tokens").asLong(0);
		long completion = usage.path("completion_tokens").asLong(0);
		long cached = usage.path("prompt_tokens_details").path("cached_tokens").asLong(0);
		return new Usage(prompt, completion, cached, true);
	}

}
