package dev.switchboard.endpoint.anthropic;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.core.Json;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.Thinking;
import dev.switchboard.core.Usage;

/**
 * Writes canonical answers and gateway errors the way Anthropic's API does: a {@code message}
 * with content blocks, its stop reason and usage, and {@code {"type":"error","error":{...}}}.
 * Shared by whole answers and the stream ({@link MessagesStream}).
 */
final class MessagesResponses {

	private MessagesResponses() {
	}

	/** The Anthropic {@code message} for a canonical {@code chat.completion}: its first choice. */
	static ObjectNode message(JsonNode completion) {
		JsonNode choice = completion.path("choices").path(0);
		JsonNode reply = choice.path("message");
		ObjectNode message = head(completion);
		ArrayNode content = message.putArray("content");
		JsonNode blocks = Thinking.blocks(reply);
		if (blocks != null) {
			blocks.forEach(block -> content.add(block.deepCopy()));
		}
		else if (!reply.path(Thinking.REASONING_CONTENT).asString("").isEmpty()) {
			// A provider that does not sign its thinking (DeepSeek, vLLM, OpenAI-compatible servers):
			// shown as thinking, as the stream shows it, with the empty signature it has.
			content.addObject()
				.put("type", "thinking")
				.put("thinking", reply.path(Thinking.REASONING_CONTENT).asString())
				.put("signature", "");
		}
		String text = reply.path("content").asString("");
		if (text.isEmpty()) {
			text = reply.path("refusal").asString("");
		}
		if (!text.isEmpty()) {
			content.addObject().put("type", "text").put("text", text);
		}
		for (JsonNode call : reply.path("tool_calls")) {
			content.addObject()
				.put("type", "tool_use")
				.put("id", call.path("id").asString(""))
				.put("name", call.path("function").path("name").asString(""))
				.set("input", input(call.path("function").path("arguments").asString("")));
		}
		String stopSequence = stopSequence(choice);
		message.put("stop_reason", stopReason(choice.path("finish_reason").asString("stop"), stopSequence));
		message.put("stop_sequence", stopSequence);
		message.set("usage", usage(completion.get("usage")));
		return message;
	}

	/** {@code id}, {@code type}, {@code role} and {@code model} of a message. */
	static ObjectNode head(JsonNode completion) {
		return Json.object()
			.put("id", id(completion.path("id").asString("")))
			.put("type", "message")
			.put("role", "assistant")
			.put("model", completion.path("model").asString(""));
	}

	/** Anthropic's own message ids pass; others get its prefix, which some clients check for. */
	static String id(String id) {
		return id.startsWith("msg_") ? id : "msg_" + id;
	}

	/**
	 * Tool arguments as the object Anthropic's clients expect; arguments a provider sent that are
	 * not a JSON object (a model's broken output) are kept as the string they were, under
	 * {@code _raw}, rather than lost.
	 */
	static JsonNode input(String arguments) {
		if (arguments.isBlank()) {
			return Json.object();
		}
		try {
			JsonNode parsed = Json.MAPPER.readTree(arguments);
			if (parsed.isObject()) {
				return parsed;
			}
		}
		catch (JacksonException ex) {
			// kept below
		}
		return Json.object().put("_raw", arguments);
	}

	/** The sequence a provider stopped at, as the canonical choice carries it ({@code stop_reason}). */
	static @Nullable String stopSequence(JsonNode choice) {
		JsonNode sequence = choice.get("stop_reason");
		return (sequence != null && sequence.isString()) ? sequence.stringValue() : null;
	}

	/** Anthropic's {@code stop_reason} for an OpenAI {@code finish_reason}. */
	static String stopReason(String finishReason, @Nullable String stopSequence) {
		return switch (finishReason) {
			case "length" -> "max_tokens";
			case "tool_calls", "function_call" -> "tool_use";
			case "content_filter" -> "refusal";
			default -> (stopSequence != null) ? "stop_sequence" : "end_turn";
		};
	}

	/**
	 * Canonical usage in Anthropic's terms: its {@code input_tokens} exclude the tokens read from
	 * and written to the prompt cache, which it reports beside them, the writes split by lifetime
	 * in {@code cache_creation} as Anthropic's own answers do.
	 */
	static ObjectNode usage(@Nullable JsonNode canonical) {
		Usage usage = Usage.fromOpenAi(canonical);
		if (usage == null) {
			usage = Usage.NONE;
		}
		ObjectNode json = Json.object()
			.put("input_tokens", usage.freshPromptTokens())
			.put("cache_creation_input_tokens", usage.cacheWriteTokens())
			.put("cache_read_input_tokens", usage.cachedPromptTokens())
			.put("output_tokens", usage.completionTokens());
		if (usage.cacheWriteTokens() > 0) {
			json.putObject("cache_creation")
				.put("ephemeral_5m_input_tokens", usage.cacheWriteTokens() - usage.cacheWrite1hTokens())
				.put("ephemeral_1h_input_tokens", usage.cacheWrite1hTokens());
		}
		return json;
	}

	/** {@code {"type":"error","error":{"type","message"}}}, with Anthropic's type for the status. */
	static ObjectNode error(LlmApiException error) {
		ObjectNode root = Json.object().put("type", "error");
		root.putObject("error").put("type", errorType(error.status())).put("message", error.getMessage());
		return root;
	}

	/**
	 * The error type Anthropic uses with a status, which its SDKs and Claude Code read: 529 and the
	 * gateway's own 503s (a breaker open, provider limits full) are {@code overloaded_error}, the
	 * condition clients retry after a pause.
	 */
	static String errorType(int status) {
		return switch (status) {
			case 401 -> "authentication_error";
			case 402 -> "billing_error";
			case 403 -> "permission_error";
			case 404 -> "not_found_error";
			case 413 -> "request_too_large";
			case 429 -> "rate_limit_error";
			case 503, 529 -> "overloaded_error";
			case 504 -> "timeout_error";
			default -> (status >= 500) ? "api_error" : "invalid_request_error";
		};
	}

}
