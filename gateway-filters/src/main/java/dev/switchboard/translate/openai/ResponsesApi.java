package dev.switchboard.translate.openai;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.HttpHeaders;

import dev.switchboard.core.Json;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.NativeAnswer;
import dev.switchboard.core.NativeRequest;
import dev.switchboard.core.RouteTarget;
import dev.switchboard.core.Thinking;
import dev.switchboard.core.Usage;
import dev.switchboard.sse.SseEvent;
import dev.switchboard.translate.spi.StreamTranslator;
import dev.switchboard.translate.spi.UpstreamErrors;
import dev.switchboard.translate.spi.UpstreamJson;

/**
 * OpenAI's own Responses API ({@code POST /responses}) for requests that came in by the gateway's
 * Responses door: the client's body goes as written, and the answer is read back into the canonical
 * shape every capability works on, while the whole answer is kept as it came ({@link NativeAnswer})
 * for the door to hand over.
 *
 * <p>The request keeps everything the client wrote (built-in tools, {@code include},
 * {@code reasoning.summary}, encrypted reasoning items, fields newer than the gateway) except what
 * the gateway itself answers for: the model is the target's, {@code store} is {@code false} (the
 * gateway keeps responses, in its own per-team store, and OpenAI keeps none of a gateway's
 * traffic), and a continued conversation arrives whole, without {@code previous_response_id}. Its
 * messages, function calls and their outputs go without their ids, and reasoning items that are
 * only an id not at all: OpenAI looks up (and checks the pairing of) the items whose ids it is
 * given, and finds nothing when nothing was stored. Reasoning items with their
 * {@code encrypted_content} are read from it and keep their ids; other items go as they are.
 *
 * <p>Read back: output text, refusals, reasoning text (or its summary), function calls, the
 * status as a finish reason, and usage with cached and reasoning tokens. A response that failed
 * ({@code status: failed}, {@code response.failed}, an {@code error} event) is an error like an
 * HTTP one, so it can fail over.
 */
final class ResponsesApi {

	/** Items whose id is optional, and only a lookup OpenAI cannot make without storage. */
	private static final Set<String> WITHOUT_ID = Set.of("message", "function_call", "function_call_output");

	private ResponsesApi() {
	}

	/** The client's Responses request for a target, in OpenAI's own terms. */
	static byte[] request(NativeRequest client, RouteTarget target) {
		ObjectNode body = client.body().deepCopy();
		body.put("model", target.model().upstreamModel());
		body.remove("previous_response_id");
		body.put("store", false);
		if (body.get("input") instanceof ArrayNode input) {
			ArrayNode sent = Json.NODES.arrayNode();
			for (JsonNode item : input) {
				String type = item.path("type").asString(item.has("role") ? "message" : "");
				if (WITHOUT_ID.contains(type) && item instanceof ObjectNode object) {
					object.remove("id");
				}
				if (!"reasoning".equals(type) || item.path("encrypted_content").isString()) {
					sent.add(item);
				}
				// A reasoning item without its encrypted content is only an id: OpenAI would look it up, and find nothing.
			}
			body.set("input", sent);
		}
		return Json.MAPPER.writeValueAsBytes(body);
	}

	/** A whole answer: kept as it came for the door, read into a {@code chat.completion}; usage recorded. */
	static byte[] response(LlmExchange exchange, RouteTarget target, byte[] body) {
		JsonNode parsed = UpstreamJson.parse(target, body);
		if (!(parsed instanceof ObjectNode response)) {
			throw UpstreamErrors.invalidResponse(target, "a response that is not a JSON object");
		}
		if ("failed".equals(response.path("status").asString())) {
			throw failed(target, response.path("error"));
		}
		exchange.put(NativeAnswer.class, new NativeAnswer(NativeRequest.OPENAI_RESPONSES, target, response));
		ObjectNode message = Json.object().put("role", "assistant");
		StringBuilder text = new StringBuilder();
		StringBuilder refusal = new StringBuilder();
		StringBuilder reasoning = new StringBuilder();
		ArrayNode calls = Json.NODES.arrayNode();
		for (JsonNode item : response.path("output")) {
			switch (item.path("type").asString("")) {
				case "message" -> {
					for (JsonNode part : item.path("content")) {
						text.append("output_text".equals(part.path("type").asString()) ? part.path("text").asString("") : "");
						refusal.append(part.path("refusal").asString(""));
					}
				}
				case "reasoning" -> reasoning.append(reasoningText(item));
				case "function_call" -> {
					ObjectNode call = calls.addObject().put("id", item.path("call_id").asString("")).put("type", "function");
					call.putObject("function")
						.put("name", item.path("name").asString(""))
						.put("arguments", item.path("arguments").asString(""));
				}
				default -> {
					// Built-in tool calls and other items: the door hands them over from the native answer.
				}
			}
		}
		message.put("content", text.isEmpty() ? null : text.toString());
		if (!refusal.isEmpty()) {
			message.put("refusal", refusal.toString());
		}
		if (!reasoning.isEmpty()) {
			message.put(Thinking.REASONING_CONTENT, reasoning.toString());
		}
		if (!calls.isEmpty()) {
			message.set("tool_calls", calls);
		}
		ObjectNode completion = Json.object()
			.put("id", response.path("id").asString(""))
			.put("object", "chat.completion")
			.put("created", response.path("created_at").asLong(0))
			.put("model", response.path("model").asString(target.model().upstreamModel()));
		ObjectNode choice = completion.putArray("choices").addObject().put("index", 0);
		choice.set("message", message);
		choice.put("finish_reason", finishReason(response, !calls.isEmpty()));
		ObjectNode usage = usage(response.get("usage"));
		if (usage != null) {
			completion.set("usage", usage);
			exchange.recordUsage(Usage.fromOpenAi(usage));
		}
		return Json.MAPPER.writeValueAsBytes(completion);
	}

	private static String reasoningText(JsonNode item) {
		StringBuilder text = new StringBuilder();
		for (JsonNode part : item.path("content")) {
			text.append(part.path("text").asString(""));
		}
		if (text.isEmpty()) {
			for (JsonNode part : item.path("summary")) {
				text.append(part.path("text").asString(""));
			}
		}
		return text.toString();
	}

	private static String finishReason(JsonNode response, boolean calls) {
		if ("incomplete".equals(response.path("status").asString())) {
			return "content_filter".equals(response.path("incomplete_details").path("reason").asString()) ? "content_filter"
					: "length";
		}
		return calls ? "tool_calls" : "stop";
	}

	/** The Responses API's usage in chat completions' names. */
	static @Nullable ObjectNode usage(@Nullable JsonNode usage) {
		if (usage == null || !usage.isObject()) {
			return null;
		}
		long input = usage.path("input_tokens").asLong(0);
		long output = usage.path("output_tokens").asLong(0);
		ObjectNode canonical = Json.object().put("prompt_tokens", input).put("completion_tokens", output)
			.put("total_tokens", usage.path("total_tokens").asLong(input + output));
		canonical.putObject("prompt_tokens_details")
			.put("cached_tokens", usage.path("input_tokens_details").path("cached_tokens").asLong(0));
		canonical.putObject("completion_tokens_details")
			.put("reasoning_tokens", usage.path("output_tokens_details").path("reasoning_tokens").asLong(0));
		return canonical;
	}

	/** A response that failed, as the HTTP error its code stands for, mapped as every OpenAI error is. */
	private static LlmApiException failed(RouteTarget target, JsonNode error) {
		String code = error.path("code").asString("server_error");
		int status = code.contains("rate_limit") ? 429 : code.contains("invalid") ? 400 : 500;
		return UpstreamErrors.map(target, status, new HttpHeaders(),
				(status == 400) ? LlmApiException.INVALID_REQUEST : LlmApiException.SERVER_ERROR, code, null,
				error.path("message").asString("The response failed."));
	}

	/**
	 * The Responses event stream read into {@code chat.completion.chunk}s, event by event: text,
	 * refusal and reasoning deltas, one tool call per {@code function_call} item with its argument
	 * deltas, and at {@code response.completed} (or {@code .incomplete}) the finish reason and the
	 * usage. Events with no canonical counterpart (built-in tool progress) produce nothing.
	 */
	static final class Stream implements StreamTranslator {

		private final LlmExchange exchange;

		private final RouteTarget target;

		private String id = "";

		private String model;

		private long created;

		/** Canonical tool call index of each function call's output index. */
		private final Map<Integer, Integer> calls = new HashMap<>();

		private boolean finished;

		Stream(LlmExchange exchange, RouteTarget target) {
			this.exchange = exchange;
			this.target = target;
			this.model = target.model().upstreamModel();
		}

		@Override
		public List<SseEvent> onEvent(SseEvent event) {
			if (event.isDone()) {
				return List.of();
			}
			JsonNode data;
			try {
				data = Json.tree(event);
			}
			catch (JacksonException ex) {
				throw UpstreamErrors.invalidResponse(this.target, "a stream event that is not JSON");
			}
			String type = data.path("type").asString((event.event() != null) ? event.event() : "");
			List<SseEvent> out = new ArrayList<>(2);
			switch (type) {
				case "response.created" -> {
					JsonNode response = data.path("response");
					this.id = response.path("id").asString("");
					this.model = response.path("model").asString(this.model);
					this.created = response.path("created_at").asLong(0);
					out.add(chunk(Json.object().put("role", "assistant").put("content", ""), null));
				}
				case "response.output_text.delta" -> out.add(token(Json.object().put("content", delta(data))));
				case "response.refusal.delta" -> out.add(token(Json.object().put("refusal", delta(data))));
				case "response.reasoning_text.delta", "response.reasoning_summary_text.delta" ->
					out.add(token(Thinking.reasoningDelta(delta(data))));
				case "response.output_item.added" -> {
					JsonNode item = data.path("item");
					if ("function_call".equals(item.path("type").asString())) {
						int index = this.calls.size();
						this.calls.put(data.path("output_index").asInt(0), index);
						ObjectNode call = Json.object().put("index", index)
							.put("id", item.path("call_id").asString(""))
							.put("type", "function");
						call.putObject("function").put("name", item.path("name").asString("")).put("arguments", "");
						ObjectNode delta = Json.object();
						delta.putArray("tool_calls").add(call);
						out.add(token(delta));
					}
				}
				case "response.function_call_arguments.delta" -> {
					Integer index = this.calls.get(data.path("output_index").asInt(-1));
					if (index != null) {
						ObjectNode delta = Json.object();
						delta.putArray("tool_calls").addObject().put("index", index)
							.putObject("function").put("arguments", delta(data));
						out.add(token(delta));
					}
				}
				case "response.completed", "response.incomplete" -> {
					this.finished = true;
					JsonNode response = data.path("response");
					out.add(chunk(Json.object(), finishReason(response, !this.calls.isEmpty())));
					ObjectNode usage = usage(response.get("usage"));
					if (usage != null) {
						this.exchange.recordUsage(Usage.fromOpenAi(usage));
						ObjectNode last = envelope();
						last.putArray("choices");
						last.set("usage", usage);
						out.add(Json.event(last));
					}
				}
				case "response.failed" -> throw failed(this.target, data.path("response").path("error"));
				case "error" -> throw failed(this.target, data.has("error") ? data.get("error") : data);
				default -> {
					// Item boundaries, .done events, built-in tool progress: nothing canonical to say.
				}
			}
			return out;
		}

		@Override
		public List<SseEvent> onEnd() {
			if (!this.finished) {
				throw UpstreamErrors.streamTruncated(this.target, "no response.completed");
			}
			return List.of(SseEvent.DONE_EVENT);
		}

		private static String delta(JsonNode data) {
			return data.path("delta").asString("");
		}

		private SseEvent token(ObjectNode delta) {
			this.exchange.timing().firstToken();
			return chunk(delta, null);
		}

		private SseEvent chunk(ObjectNode delta, @Nullable String finishReason) {
			ObjectNode chunk = envelope();
			ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
			choice.set("delta", delta);
			choice.put("finish_reason", finishReason);
			return Json.event(chunk);
		}

		private ObjectNode envelope() {
			return Json.object()
				.put("id", this.id)
				.put("object", "chat.completion.chunk")
				.put("created", this.created)
				.put("model", this.model);
		}

	}

}
