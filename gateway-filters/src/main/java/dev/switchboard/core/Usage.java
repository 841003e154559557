package dev.switchboard.core;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import org.jspecify.annotations.Nullable;

/**
 * Token usage of one completed call, in OpenAI terms: the one shape every provider's counts are
 * normalised into, so that quotas, prices, metrics and logs read them alike.
 *
 * <p>The prompt is the whole input, however the provider splits it: {@code promptTokens} = fresh
 * input + tokens read from the provider's prompt cache + tokens written to it (OpenAI and Gemini
 * report the whole with the cached part inside it; Anthropic reports the three parts apart, and
 * its adapter adds them up). Each part has its own price ({@link Pricing}). The completion
 * likewise includes the model's reasoning ("thinking"), which every provider bills as output.
 *
 * <p>In JSON ({@link #toOpenAi}, {@link #fromOpenAi}) the parts are OpenAI's
 * {@code prompt_tokens_details.cached_tokens} and {@code completion_tokens_details.reasoning_tokens},
 * and, for the cache writes OpenAI has no field for, {@code prompt_tokens_details.cache_write_tokens}
 * (the name OpenAI's Responses usage gives them) and {@code cache_write_1h_tokens}, written only
 * when there are any.
 *
 * @param promptTokens tokens the provider billed as input, all parts included
 * @param completionTokens tokens the provider billed as output, reasoning included
 * @param cachedPromptTokens part of the prompt read from the provider's prompt cache
 * @param cacheWriteTokens part of the prompt written to the provider's prompt cache (Anthropic bills
 * a write above the input price)
 * @param cacheWrite1hTokens part of {@code cacheWriteTokens} written with a one-hour lifetime
 * (Anthropic's {@code ttl: "1h"}, priced above a five-minute write)
 * @param reasoningTokens part of the completion the model spent reasoning
 * @param reported whether the numbers come from the provider; {@code false} marks a gateway
 * estimate, e.g. a stream the client cut before the provider reported usage
 */
public record Usage(long promptTokens, long completionTokens, long cachedPromptTokens, long cacheWriteTokens,
		long cacheWrite1hTokens, long reasoningTokens, boolean reported) {

	public static final Usage NONE = new Usage(0, 0, 0, false);

	/**
	 * Keeps the parts inside their wholes, whatever a provider sent: no count below 0, cache reads
	 * within the prompt, writes within what is left of it, hour-long writes within the writes,
	 * reasoning within the completion. Everything downstream (prices, the Anthropic door's
	 * {@code input_tokens} and {@code ephemeral_5m_input_tokens}, logs) can then subtract safely.
	 */
	public Usage {
		promptTokens = Math.max(0, promptTokens);
		completionTokens = Math.max(0, completionTokens);
		cachedPromptTokens = Math.min(Math.max(0, cachedPromptTokens), promptTokens);
		cacheWriteTokens = Math.min(Math.max(0, cacheWriteTokens), promptTokens - cachedPromptTokens);
		cacheWrite1hTokens = Math.min(Math.max(0, cacheWrite1hTokens), cacheWriteTokens);
		reasoningTokens = Math.min(Math.max(0, reasoningTokens), completionTokens);
	}

	/** Usage without prompt-cache writes or reasoning. */
	public Usage(long promptTokens, long completionTokens, long cachedPromptTokens, boolean reported) {
		this(promptTokens, completionTokens, cachedPromptTokens, 0, 0, 0, reported);
	}

	public long totalTokens() {
		return sum(this.promptTokens, this.completionTokens);
	}

	/** Counts added up, saturating at {@code Long.MAX_VALUE}: provider counts are not trusted to be sane. */
	public static long sum(long... counts) {
		long total = 0;
		for (long count : counts) {
			total = (total > Long.MAX_VALUE - count) ? Long.MAX_VALUE : total + count;
		}
		return total;
	}

	/** The prompt tokens neither read from nor written to the prompt cache: those at the input price. */
	public long freshPromptTokens() {
		return this.promptTokens - this.cachedPromptTokens - this.cacheWriteTokens;
	}

	/**
	 * This usage with another completion count (what a stream cut short was seen to carry), as an
	 * estimate; its reasoning part stays within it (the constructor sees to that).
	 */
	public Usage withCompletionTokens(long completion) {
		return new Usage(this.promptTokens, completion, this.cachedPromptTokens, this.cacheWriteTokens,
				this.cacheWrite1hTokens, this.reasoningTokens, false);
	}

	/** Reads an OpenAI {@code usage} object (with the cache-write fields described above); {@code null} when absent or JSON null. */
	public static @Nullable Usage fromOpenAi(@Nullable JsonNode usage) {
		if (usage == null || !usage.isObject()) {
			return null;
		}
		JsonNode prompt = usage.path("prompt_tokens_details");
		return new Usage(count(usage, "prompt_tokens"), count(usage, "completion_tokens"), count(prompt, "cached_tokens"),
				count(prompt, "cache_write_tokens"), count(prompt, "cache_write_1h_tokens"),
				count(usage.path("completion_tokens_details"), "reasoning_tokens"), true);
	}

	/** This usage as an OpenAI {@code usage} object, as {@link #fromOpenAi} reads it. */
	public ObjectNode toOpenAi() {
		ObjectNode json = Json.object()
			.put("prompt_tokens", this.promptTokens)
			.put("completion_tokens", this.completionTokens)
			.put("total_tokens", totalTokens());
		ObjectNode prompt = json.putObject("prompt_tokens_details").put("cached_tokens", this.cachedPromptTokens);
		if (this.cacheWriteTokens > 0) {
			prompt.put("cache_write_tokens", this.cacheWriteTokens);
		}
		if (this.cacheWrite1hTokens > 0) {
			prompt.put("cache_write_1h_tokens", this.cacheWrite1hTokens);
		}
		json.putObject("completion_tokens_details").put("reasoning_tokens", this.reasoningTokens);
		return json;
	}

	/**
	 * A token count from provider JSON: a non-negative integer (or a float without a fraction) that
	 * fits a long, else 0. Provider JSON is not trusted to be well formed (Jackson reads an integer
	 * beyond a long as a big integer, never narrowed here). Every adapter reads its provider's
	 * counts with it.
	 */
	public static long count(JsonNode node, String field) {
		JsonNode value = node.path(field);
		if (value.isInt() || value.isLong()) {
			return Math.max(0, value.longValue());
		}
		// 12.0 from a server that writes every number as a float; a fraction or a giant is no count.
		if (value.isFloatingPointNumber() && value.doubleValue() >= 0 && value.doubleValue() < 0x1p62
				&& value.doubleValue() == Math.rint(value.doubleValue())) {
			return (long) value.doubleValue();
		}
		return 0;
	}

}
