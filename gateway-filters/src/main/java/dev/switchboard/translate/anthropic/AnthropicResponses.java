package dev.switchboard.translate.anthropic;

import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.HttpHeaders;

import dev.switchboard.core.Json;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.RouteTarget;
import dev.switchboard.core.Thinking;
import dev.switchboard.core.Usage;
import dev.switchboard.translate.spi.UpstreamErrors;

/**
 * Reads Anthropic answers in OpenAI terms: messages, stop reasons, usage and errors, shared by the
 * whole response and the stream.
 *
 * <p>Content: text blocks are joined without separator (Anthropic splits one text into several
 * blocks around citations), {@code tool_use} blocks become tool calls, and in JSON mode the forced
 * tool's input becomes the text. Thinking is carried where OpenAI-style clients of reasoning
 * models look for it and where a client that sends the history back keeps it: the text as
 * {@code reasoning_content}, and each block, with the signature Anthropic needs to see again on
 * the next turn of a tool loop, in {@code thinking_blocks} ({@code {"type":"thinking","thinking",
 * "signature"}} or {@code {"type":"redacted_thinking","data"}}). Server-tool blocks are skipped:
 * OpenAI chat completions have no place for them.
 */
final class AnthropicResponses {

	private static final Pattern CONTEXT_LENGTH = Pattern
		.compile("(?i)prompt is too long|context (window|limit|length)|too many (input )?tokens");

	/** "Your credit balance is too low to access the Anthropic API. Please go to Plans &amp; Billing..." */
	private static final Pattern CREDIT_TOO_LOW = Pattern.compile("(?i)credit balance is too low");

	private AnthropicResponses() {
	}

	/** The OpenAI {@code chat.completion} for an Anthropic message. */
	static ObjectNode completion(JsonNode message, boolean jsonMode, long created) {
		StringBuilder text = new StringBuilder();
		StringBuilder reasoning = new StringBuilder();
		ArrayNode thinking = Json.NODES.arrayNode();
		ArrayNode toolCalls = Json.NODES.arrayNode();
		for (JsonNode block : message.path("content")) {
			switch (block.path("type").asString("")) {
				case "text" -> text.append(block.path("text").asString(""));
				case "thinking", "redacted_thinking" -> reasoning.append(Thinking.add(thinking, block));
				case "tool_use" -> {
					if (jsonMode) {
						text.append(Json.MAPPER.writeValueAsString(block.path("input")));
					}
					else {
						ObjectNode call = toolCalls.addObject()
							.put("id", block.path("id").asString(""))
							.put("type", "function");
						call.putObject("function")
							.put("name", block.path("name").asString(""))
							.put("arguments", Json.MAPPER.writeValueAsString(block.path("input")));
					}
				}
				default -> {
					// server tools: see class comment
				}
			}
		}
		ObjectNode completion = Json.object()
			.put("id", message.path("id").asString(""))
			.put("object", "chat.completion")
			.put("created", created)
			.put("model", message.path("model").asString(""));
		ObjectNode choice = completion.putArray("choices").addObject().put("index", 0);
		ObjectNode reply = choice.putObject("message").put("role", "assistant");
		if (text.isEmpty() && !toolCalls.isEmpty()) {
			reply.putNull("content");
		}
		else {
			reply.put("content", text.toString());
		}
		if (!reasoning.isEmpty()) {
			reply.put("reasoning_content", reasoning.toString());
		}
		if (!thinking.isEmpty()) {
			reply.set("thinking_blocks", thinking);
		}
		reply.putNull("refusal");
		if (!toolCalls.isEmpty()) {
			reply.set("tool_calls", toolCalls);
		}
		choice.putNull("logprobs");
		// Anthropic-compatible servers (and proxies rebuilding messages) sometimes leave stop_reason out;
		// a whole response has ended, and SDKs that read finish_reason expect one.
		String finishReason = finishReason(AnthropicRequests.string(message, "stop_reason"), jsonMode);
		choice.put("finish_reason", (finishReason != null) ? finishReason : "stop");
		// The sequence it stopped at, where vLLM puts the one it matched: finish_reason is only "stop".
		String stopSequence = AnthropicRequests.string(message, "stop_sequence");
		if (stopSequence != null) {
			choice.put("stop_reason", stopSequence);
		}
		JsonNode usage = message.get("usage");
		if (usage != null && usage.isObject()) {
			completion.set("usage", usageJson(usage));
		}
		return completion;
	}

	/**
	 * OpenAI's {@code finish_reason} for an Anthropic {@code stop_reason}. {@code pause_turn} only
	 * ends turns that use Anthropic's server tools, which the gateway never sends, so it is mapped
	 * as a normal stop; a {@code tool_use} stop in JSON mode is the answer itself, a normal stop too.
	 */
	static @Nullable String finishReason(@Nullable String stopReason, boolean jsonMode) {
		if (stopReason == null) {
			return null;
		}
		return switch (stopReason) {
			case "max_tokens", "model_context_window_exceeded" -> "length";
			case "tool_use" -> jsonMode ? "stop" : "tool_calls";
			case "refusal" -> "content_filter";
			default -> "stop";
		};
	}

	/**
	 * Usage in OpenAI terms: Anthropic counts fresh, cache-read and cache-written input tokens
	 * separately ({@code input_tokens}, {@code cache_read_input_tokens},
	 * {@code cache_creation_input_tokens}, the last split by lifetime in {@code cache_creation}),
	 * {@link Usage} holds their sum with each part beside it. Its {@code output_tokens} include the
	 * thinking, which Anthropic does not count apart.
	 */
	static @Nullable Usage usage(@Nullable JsonNode usage) {
		if (usage == null || !usage.isObject()) {
			return null;
		}
		long read = Usage.count(usage, "cache_read_input_tokens");
		long written = Usage.count(usage, "cache_creation_input_tokens");
		JsonNode lifetimes = usage.path("cache_creation");
		// The split by lifetime, when given, is the better count of the writes.
		long fiveMinutes = Usage.count(lifetimes, "ephemeral_5m_input_tokens");
		long anHour = Usage.count(lifetimes, "ephemeral_1h_input_tokens");
		written = Math.max(written, Usage.sum(fiveMinutes, anHour));
		return new Usage(Usage.sum(Usage.count(usage, "input_tokens"), read, written), Usage.count(usage, "output_tokens"),
				read, written, anHour, 0, true);
	}

	/** An Anthropic {@code usage} object in OpenAI terms ({@link Usage#toOpenAi}), cache writes included. */
	static ObjectNode usageJson(JsonNode anthropic) {
		Usage usage = usage(anthropic);
		return ((usage != null) ? usage : Usage.NONE).toOpenAi();
	}

	/**
	 * The client's error for an Anthropic error object ({@code {"type": ..., "message": ...}}),
	 * with the OpenAI type and code SDKs and retry logic look at; statuses and credential
	 * problems are left to {@link UpstreamErrors}.
	 *
	 * <p>An exhausted account is the operator's problem like a rejected key, not the client's:
	 * {@code billing_error} (402) and the 400 {@code invalid_request_error} Anthropic answers when
	 * the credit balance is too low both become {@link UpstreamErrors#billing}'s 502, so the client
	 * is not told to fix a request that was fine, and failover moves on to another provider.
	 */
	static LlmApiException error(RouteTarget target, int status, HttpHeaders headers, JsonNode error) {
		String type = AnthropicRequests.string(error, "type");
		String message = AnthropicRequests.string(error, "message");
		if (status == 402 || "billing_error".equals(type)
				|| ("invalid_request_error".equals(type) && message != null && CREDIT_TOO_LOW.matcher(message).find())) {
			return UpstreamErrors.billing(target, status);
		}
		if ("invalid_request_error".equals(type) && message != null && CONTEXT_LENGTH.matcher(message).find()) {
			return UpstreamErrors.map(target, status, headers, LlmApiException.INVALID_REQUEST,
					"context_length_exceeded", "messages", message);
		}
		return switch ((type != null) ? type : "") {
			case "invalid_request_error" -> UpstreamErrors.map(target, status, headers,
					LlmApiException.INVALID_REQUEST, null, null, message);
			case "request_too_large" -> UpstreamErrors.map(target, status, headers, LlmApiException.INVALID_REQUEST,
					"request_too_large", null, message);
			case "not_found_error" -> UpstreamErrors.map(target, status, headers, LlmApiException.NOT_FOUND, null,
					null, message);
			case "rate_limit_error" -> UpstreamErrors.map(target, status, headers, LlmApiException.RATE_LIMIT,
					"rate_limit_exceeded", null, message);
			default -> UpstreamErrors.map(target, status, headers, null, null, null, message);
		};
	}

	/**
	 * The HTTP status Anthropic uses for an error type; an error event inside a stream arrives
	 * after a 200, so its status has to be inferred from the type.
	 */
	static int status(@Nullable String type) {
		return switch ((type != null) ? type : "") {
			case "invalid_request_error" -> 400;
			case "authentication_error" -> 401;
			case "billing_error" -> 402;
			case "permission_error" -> 403;
			case "not_found_error" -> 404;
			case "request_too_large" -> 413;
			case "rate_limit_error" -> 429;
			case "timeout_error" -> 504;
			case "overloaded_error" -> 529;
			default -> 500;
		};
	}

}
