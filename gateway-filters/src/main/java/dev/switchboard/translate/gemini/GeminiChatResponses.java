package dev.switchboard.translate.gemini;

import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.core.Json;
import dev.switchboard.core.Thinking;
import dev.switchboard.core.Usage;

/**
 * The pieces of a Gemini {@code GenerateContentResponse} in OpenAI terms, shared by whole
 * responses and stream chunks (a stream chunk is a whole response object with a slice of the
 * text).
 *
 * <p>Candidates become choices, text parts the message content and {@code functionCall} parts
 * tool calls. Thought summaries (sent when the request asks for them) become
 * {@code reasoning_content}, as Anthropic's thinking does, never the content. Gemini 3
 * signs function calls and wants the signature back on the next turn; it travels on the tool call
 * as {@code extra_content.google.thought_signature}, the field Google's own OpenAI-compatible
 * endpoint uses, which clients that replay assistant messages keep.
 */
final class GeminiChatResponses {

	private GeminiChatResponses() {
	}

	/**
	 * What identifies one completion, fixed for every chunk of a stream.
	 * @param id Gemini's {@code responseId} as {@code chatcmpl-<responseId>}, or a generated one
	 * @param created epoch seconds; Gemini sends no creation time
	 * @param model {@code modelVersion} when Gemini names it, else the upstream model
	 */
	record Identity(String id, long created, String model) {

		static Identity of(JsonNode response, String upstreamModel, long created, Supplier<String> ids) {
			String responseId = response.path("responseId").asString("");
			String model = response.path("modelVersion").asString("");
			return new Identity("chatcmpl-" + (responseId.isEmpty() ? ids.get() : responseId), created,
					model.isEmpty() ? upstreamModel : model);
		}

		ObjectNode start(String object) {
			ObjectNode node = Json.object();
			node.put("id", this.id);
			node.put("object", object);
			node.put("created", this.created);
			node.put("model", this.model);
			return node;
		}

	}

	/** A whole {@code chat.completion}: one choice per candidate. */
	static ObjectNode completion(JsonNode response, Identity identity, Supplier<String> ids) {
		ObjectNode completion = identity.start("chat.completion");
		ArrayNode choices = completion.putArray("choices");
		JsonNode candidates = response.path("candidates");
		for (int position = 0; position < candidates.size(); position++) {
			JsonNode candidate = candidates.get(position);
			ObjectNode choice = choices.addObject();
			choice.put("index", candidate.path("index").asInt(position));
			ObjectNode message = choice.putObject("message");
			message.put("role", "assistant");
			JsonNode parts = candidate.path("content").path("parts");
			String text = text(parts);
			if (text != null) {
				message.put("content", text);
			}
			else {
				message.putNull("content");
			}
			String thoughts = thoughts(parts);
			if (thoughts != null) {
				message.put(Thinking.REASONING_CONTENT, thoughts);
			}
			ArrayNode toolCalls = Json.NODES.arrayNode();
			for (JsonNode part : parts) {
				if (part.has("functionCall")) {
					toolCalls.add(toolCall(part, ids));
				}
			}
			if (!toolCalls.isEmpty()) {
				message.set("tool_calls", toolCalls);
			}
			choice.putNull("logprobs");
			String finish = finishReason(candidate.path("finishReason").asString(null), !toolCalls.isEmpty());
			choice.put("finish_reason", (finish != null) ? finish : "stop");
		}
		JsonNode usage = response.get("usageMetadata");
		if (usage != null && usage.isObject()) {
			completion.set("usage", openAiUsage(usage));
		}
		return completion;
	}

	/** The candidate's text parts joined, thoughts excluded; {@code null} when it has none. */
	static @Nullable String text(JsonNode parts) {
		return text(parts, false);
	}

	/**
	 * The candidate's thought summaries joined (parts marked {@code thought}, sent when the
	 * request asked for them with {@code includeThoughts}), for {@code reasoning_content}; {@code null}
	 * when it has none.
	 */
	static @Nullable String thoughts(JsonNode parts) {
		return text(parts, true);
	}

	private static @Nullable String text(JsonNode parts, boolean thoughts) {
		StringBuilder text = null;
		for (JsonNode part : parts) {
			JsonNode value = part.get("text");
			if (value != null && value.isString() && part.path("thought").asBoolean(false) == thoughts) {
				text = (text != null) ? text : new StringBuilder();
				text.append(value.stringValue());
			}
		}
		return (text != null) ? text.toString() : null;
	}

	/**
	 * An OpenAI tool call for a {@code functionCall} part. Gemini's own call id is kept when it
	 * sends one; otherwise a random id, so ids never repeat across the turns of a conversation
	 * (tool results are matched to their call by id).
	 */
	static ObjectNode toolCall(JsonNode part, Supplier<String> ids) {
		JsonNode call = part.path("functionCall");
		String id = call.path("id").asString("");
		ObjectNode toolCall = Json.object();
		toolCall.put("id", id.isEmpty() ? "call_" + ids.get() : id);
		toolCall.put("type", "function");
		ObjectNode function = toolCall.putObject("function");
		function.put("name", call.path("name").asString(""));
		JsonNode args = call.get("args");
		function.put("arguments", Json.MAPPER.writeValueAsString((args != null && args.isObject()) ? args : Json.object()));
		JsonNode signature = part.get("thoughtSignature");
		if (signature != null && signature.isString()) {
			toolCall.putObject("extra_content").putObject("google").put("thought_signature", signature.stringValue());
		}
		return toolCall;
	}

	/**
	 * Gemini's {@code finishReason} as OpenAI's {@code finish_reason}. The safety family
	 * (including recitation of protected text) is {@code content_filter}; STOP and every other
	 * reason ({@code LANGUAGE}, {@code OTHER}, {@code MALFORMED_FUNCTION_CALL}...) has no OpenAI
	 * counterpart and reads as a normal end: {@code tool_calls} when the candidate called
	 * functions, else {@code stop}. {@code null} while a stream is still running.
	 */
	static @Nullable String finishReason(@Nullable String reason, boolean calledFunctions) {
		if (reason == null || reason.isEmpty()) {
			return null;
		}
		return switch (reason) {
			case "MAX_TOKENS" -> "length";
			case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY",
					"IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION" ->
				"content_filter";
			default -> calledFunctions ? "tool_calls" : "stop";
		};
	}

	/**
	 * Gemini's {@code usageMetadata} as billed tokens. Thinking tokens are output tokens, billed as
	 * such, so they count as completion tokens, as OpenAI counts reasoning tokens, and are the
	 * usage's reasoning part; tool-use prompt tokens (grounding results) count as prompt.
	 * {@code promptTokenCount} already includes the cached tokens, as OpenAI's
	 * {@code prompt_tokens} does. Gemini bills no cache writes per request (a cached content is
	 * stored, and paid for, apart).
	 */
	static Usage usage(JsonNode metadata) {
		long thoughts = Usage.count(metadata, "thoughtsTokenCount");
		return new Usage(Usage.sum(Usage.count(metadata, "promptTokenCount"), Usage.count(metadata, "toolUsePromptTokenCount")),
				Usage.sum(Usage.count(metadata, "candidatesTokenCount"), thoughts), Usage.count(metadata, "cachedContentTokenCount"),
				0, 0, thoughts, true);
	}

	static ObjectNode openAiUsage(JsonNode metadata) {
		return usage(metadata).toOpenAi();
	}

}
