package dev.switchboard.endpoint.responses;

import java.security.SecureRandom;
import java.util.HexFormat;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.core.Json;
import dev.switchboard.core.Thinking;

/**
 * The Responses API's {@code response} object for a canonical answer, whole or as its stream
 * closes: the output items (reasoning, the message, one {@code function_call} per tool call), the
 * status, the usage, and the request's settings echoed as OpenAI echoes them. One place for the
 * shape, so the JSON answer and {@code response.completed} agree.
 */
final class ResponsesOutput {

	private static final SecureRandom RANDOM = new SecureRandom();

	private ResponsesOutput() {
	}

	/**
	 * The whole answer for a canonical {@code chat.completion}: its first choice, as response
	 * {@code resp_<base>}.
	 */
	static ObjectNode response(JsonNode completion, JsonNode request, String base, boolean stored) {
		JsonNode choice = completion.path("choices").path(0);
		JsonNode reply = choice.path("message");
		ArrayNode output = Json.NODES.arrayNode();
		String reasoning = reply.path(Thinking.REASONING_CONTENT).asString("");
		if (!reasoning.isEmpty()) {
			output.add(reasoningItem(base, reasoning));
		}
		String text = reply.path("content").asString("");
		String refusal = reply.path("refusal").asString("");
		if (!text.isEmpty() || !refusal.isEmpty()) {
			output.add(messageItem(base, "completed", refusal.isEmpty() ? textPart(text) : refusalPart(refusal)));
		}
		for (JsonNode call : reply.path("tool_calls")) {
			JsonNode function = call.path("function");
			output.add(functionCall(call.path("id").asString(""), function.path("name").asString(""),
					function.path("arguments").asString(""), "completed"));
		}
		return response(base, completion.path("model").asString(""), completion.path("created").asLong(0), request,
				stored, status(choice.path("finish_reason").asString("stop")), output, completion.get("usage"));
	}

	/**
	 * A provider's own Responses answer, handed over as it came but for what the gateway answers
	 * for: the response's id, whether it is stored, and the conversation it continues (the provider
	 * was sent the whole conversation, and kept nothing).
	 */
	static ObjectNode handedOver(ObjectNode provider, JsonNode request, String base, boolean stored) {
		ObjectNode response = provider.deepCopy();
		response.put("id", "resp_" + base);
		response.put("store", stored);
		response.set("previous_response_id", echo(request, "previous_response_id", Json.NODES.nullNode()));
		return response;
	}

	/**
	 * A response object. {@code status} is {@code in_progress}, {@code completed}, or
	 * {@code incomplete:<reason>} ({@code max_output_tokens}, {@code content_filter}).
	 */
	static ObjectNode response(String base, String model, long createdAt, JsonNode request, boolean stored,
			String status, ArrayNode output, @Nullable JsonNode usage) {
		ObjectNode response = Json.object()
			.put("id", "resp_" + base)
			.put("object", "response")
			.put("created_at", (createdAt > 0) ? createdAt : System.currentTimeMillis() / 1000);
		boolean incomplete = status.startsWith("incomplete:");
		response.put("status", incomplete ? "incomplete" : status);
		response.put("background", false);
		response.putNull("error");
		if (incomplete) {
			response.putObject("incomplete_details").put("reason", status.substring("incomplete:".length()));
		}
		else {
			response.putNull("incomplete_details");
		}
		response.set("instructions", echo(request, "instructions", Json.NODES.nullNode()));
		response.set("max_output_tokens", echo(request, "max_output_tokens", Json.NODES.nullNode()));
		response.put("model", model);
		response.set("output", output);
		response.set("parallel_tool_calls", echo(request, "parallel_tool_calls", Json.NODES.booleanNode(true)));
		response.set("previous_response_id", echo(request, "previous_response_id", Json.NODES.nullNode()));
		ObjectNode reasoning = response.putObject("reasoning");
		reasoning.set("effort", echo(request.path("reasoning"), "effort", Json.NODES.nullNode()));
		reasoning.set("summary", echo(request.path("reasoning"), "summary", Json.NODES.nullNode()));
		response.set("service_tier", echo(request, "service_tier", Json.NODES.stringNode("default")));
		response.put("store", stored);
		response.set("temperature", echo(request, "temperature", Json.NODES.numberNode(1.0)));
		ObjectNode text = response.putObject("text");
		JsonNode format = request.path("text").get("format");
		if (format != null && format.isObject()) {
			text.set("format", format);
		}
		else {
			text.putObject("format").put("type", "text");
		}
		response.set("tool_choice", echo(request, "tool_choice", Json.NODES.stringNode("auto")));
		response.set("tools", echo(request, "tools", Json.NODES.arrayNode()));
		response.set("top_p", echo(request, "top_p", Json.NODES.numberNode(1.0)));
		response.put("truncation", "disabled");
		response.set("usage", (usage != null && usage.isObject()) ? usage(usage) : Json.NODES.nullNode());
		response.set("user", echo(request, "user", Json.NODES.nullNode()));
		response.set("metadata", echo(request, "metadata", Json.object()));
		return response;
	}

	static String status(String finishReason) {
		return switch (finishReason) {
			case "length" -> "incomplete:max_output_tokens";
			case "content_filter" -> "incomplete:content_filter";
			default -> "completed";
		};
	}

	static ObjectNode usage(JsonNode canonical) {
		ObjectNode usage = Json.object();
		long input = canonical.path("prompt_tokens").asLong(0);
		long output = canonical.path("completion_tokens").asLong(0);
		usage.put("input_tokens", input);
		usage.putObject("input_tokens_details")
			.put("cached_tokens", canonical.path("prompt_tokens_details").path("cached_tokens").asLong(0));
		usage.put("output_tokens", output);
		usage.putObject("output_tokens_details")
			.put("reasoning_tokens", canonical.path("completion_tokens_details").path("reasoning_tokens").asLong(0));
		usage.put("total_tokens", canonical.path("total_tokens").asLong(input + output));
		return usage;
	}

	static ObjectNode messageItem(String base, String status, @Nullable ObjectNode part) {
		ObjectNode item = Json.object()
			.put("id", "msg_" + base)
			.put("type", "message")
			.put("status", status)
			.put("role", "assistant");
		ArrayNode content = item.putArray("content");
		if (part != null) {
			content.add(part);
		}
		return item;
	}

	static ObjectNode textPart(String text) {
		ObjectNode part = Json.object().put("type", "output_text").put("text", text);
		part.putArray("annotations");
		part.putArray("logprobs");
		return part;
	}

	static ObjectNode refusalPart(String refusal) {
		return Json.object().put("type", "refusal").put("refusal", refusal);
	}

	static ObjectNode reasoningItem(String base, String text) {
		ObjectNode item = Json.object().put("id", "rs_" + base).put("type", "reasoning");
		item.putArray("summary");
		item.putArray("content").addObject().put("type", "reasoning_text").put("text", text);
		return item;
	}

	static ObjectNode functionCall(String callId, String name, String arguments, String status) {
		return Json.object()
			.put("id", "fc_" + callId.replaceAll("[^A-Za-z0-9_]", "_"))
			.put("type", "function_call")
			.put("status", status)
			.put("arguments", arguments)
			.put("call_id", callId)
			.put("name", name);
	}

	/**
	 * A new response's id part, which its items' ids share: random, never the provider's, since a
	 * cache hit or a simulator repeats an answer's id, and a stored response must be one client's
	 * own, not guessable from another's.
	 */
	static String newBase() {
		byte[] random = new byte[24];
		RANDOM.nextBytes(random);
		return HexFormat.of().formatHex(random);
	}

	private static JsonNode echo(JsonNode request, String field, JsonNode otherwise) {
		JsonNode value = request.get(field);
		return (value == null || value.isNull()) ? otherwise : value;
	}

}
