package dev.switchboard.endpoint.responses;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.core.Json;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.Thinking;
import dev.switchboard.endpoint.door.ChunkStreamRenderer;
import dev.switchboard.sse.SseEvent;

/**
 * Writes a canonical {@code chat.completion.chunk} stream as the Responses API's event stream,
 * chunk by chunk as it passes: {@code response.created} and {@code response.in_progress} with the
 * first chunk; per output item {@code response.output_item.added}, its content
 * ({@code response.content_part.added}, {@code response.output_text.delta} ...
 * {@code response.output_text.done}, {@code response.content_part.done}; or
 * {@code response.refusal.delta} ... {@code .done}; or
 * {@code response.function_call_arguments.delta} ... {@code .done}; or
 * {@code response.reasoning_text.delta} ... {@code .done}) and {@code response.output_item.done};
 * then {@code response.completed} (or {@code response.incomplete}) with the whole response and its
 * usage at {@code [DONE]}. Every event carries its {@code sequence_number}.
 *
 * <p>One item is open at a time, in the order the kinds arrive: a delta of another kind, or a new
 * tool call, closes the open item. What the items held so far is kept only to write the
 * {@code .done} events and the final response, which the Responses API repeats in full; the
 * chunks themselves pass on at once. Per request, not thread-safe.
 */
final class ResponsesStream extends ChunkStreamRenderer {

	private enum Kind {
		NONE, REASONING, MESSAGE, REFUSAL, CALL
	}

	private final JsonNode request;

	private int sequence;

	private final String base;

	private String model = "";

	private long createdAt;

	private final ArrayNode output = Json.NODES.arrayNode();

	private Kind open = Kind.NONE;

	private @Nullable ObjectNode openItem;

	/** The open item's id as a JSON string, written into each of its delta events. */
	private String openIdJson = "\"\"";

	private final StringBuilder openText = new StringBuilder();

	/** Output index of each canonical tool call index. */
	private final Map<Integer, Integer> calls = new HashMap<>();

	private String status = "completed";

	private @Nullable JsonNode usage;

	private final boolean stored;

	private @Nullable ObjectNode completed;

	/**
	 * @param base the response's id part ({@link ResponsesOutput#newBase})
	 * @param stored whether the response is kept, as its {@code store} field says
	 */
	ResponsesStream(JsonNode request, String base, boolean stored) {
		this.request = request;
		this.base = base;
		this.stored = stored;
	}

	@Override
	protected void finish(List<SseEvent> out, JsonNode choice) {
		this.status = ResponsesOutput.status(choice.get("finish_reason").stringValue());
	}

	@Override
	protected void usage(List<SseEvent> out, JsonNode usage) {
		this.usage = usage;
	}

	/** The error event of a stream that fails after it started: OpenAI's {@code error} event. */
	SseEvent error(LlmApiException error) {
		ObjectNode event = Json.object()
			.put("type", "error")
			.put("code", (error.code() != null) ? error.code() : error.type())
			.put("message", error.getMessage())
			.put("param", error.param())
			.put("sequence_number", this.sequence++);
		return new SseEvent("error", Json.MAPPER.writeValueAsBytes(event));
	}

	/** An error event for a stream that never got to start this renderer: no sequence of its own yet. */
	static SseEvent error(@Nullable ResponsesStream stream, LlmApiException error) {
		return (stream != null) ? stream.error(error)
				: new ResponsesStream(Json.object(), ResponsesOutput.newBase(), false).error(error);
	}

	@Override
	protected void start(List<SseEvent> out, JsonNode chunk) {
		this.model = chunk.path("model").asString("");
		this.createdAt = chunk.path("created").asLong(0);
		ObjectNode response = response("in_progress");
		out.add(event("response.created", Json.object().put("type", "response.created").set("response", response)));
		out.add(event("response.in_progress",
				Json.object().put("type", "response.in_progress").set("response", response)));
	}

	@Override
	protected void delta(List<SseEvent> out, JsonNode delta) {
		String reasoning = delta.path(Thinking.REASONING_CONTENT).asString("");
		if (!reasoning.isEmpty()) {
			if (this.open != Kind.REASONING) {
				close(out);
				ObjectNode item = Json.object().put("id", "rs_" + itemBase()).put("type", "reasoning");
				item.putArray("summary");
				open(out, Kind.REASONING, item);
			}
			this.openText.append(reasoning);
			out.add(deltaEvent("response.reasoning_text.delta", reasoning, true, false));
		}
		String text = delta.path("content").asString("");
		if (!text.isEmpty()) {
			if (this.open != Kind.MESSAGE) {
				close(out);
				open(out, Kind.MESSAGE, ResponsesOutput.messageItem(itemBase(), "in_progress", null));
				out.add(event("response.content_part.added", itemEvent("response.content_part.added")
					.put("content_index", 0)
					.set("part", ResponsesOutput.textPart(""))));
			}
			this.openText.append(text);
			out.add(deltaEvent("response.output_text.delta", text, true, true));
		}
		String refusal = delta.path("refusal").asString("");
		if (!refusal.isEmpty()) {
			if (this.open != Kind.REFUSAL) {
				close(out);
				open(out, Kind.REFUSAL, ResponsesOutput.messageItem(itemBase(), "in_progress", null));
				out.add(event("response.content_part.added", itemEvent("response.content_part.added")
					.put("content_index", 0)
					.set("part", ResponsesOutput.refusalPart(""))));
			}
			this.openText.append(refusal);
			out.add(deltaEvent("response.refusal.delta", refusal, true, false));
		}
		for (JsonNode call : delta.path("tool_calls")) {
			int index = call.path("index").asInt(0);
			JsonNode function = call.path("function");
			if (!this.calls.containsKey(index)) {
				close(out);
				open(out, Kind.CALL, ResponsesOutput.functionCall(call.path("id").asString(""),
						function.path("name").asString(""), "", "in_progress"));
				this.calls.put(index, this.output.size());
			}
			String arguments = function.path("arguments").asString("");
			if (!arguments.isEmpty() && this.open == Kind.CALL && this.calls.get(index) == this.output.size()) {
				this.openText.append(arguments);
				out.add(deltaEvent("response.function_call_arguments.delta", arguments, false, false));
			}
		}
	}

	private void open(List<SseEvent> out, Kind kind, ObjectNode item) {
		this.open = kind;
		this.openItem = item;
		this.openIdJson = Json.MAPPER.writeValueAsString(item.path("id").asString(""));
		this.openText.setLength(0);
		out.add(event("response.output_item.added", Json.object()
			.put("type", "response.output_item.added")
			.put("output_index", this.output.size())
			.set("item", item.deepCopy())));
	}

	/** Closes the open item: its {@code .done} events with everything it held, then {@code output_item.done}. */
	private void close(List<SseEvent> out) {
		ObjectNode item = this.openItem;
		if (this.open == Kind.NONE || item == null) {
			return;
		}
		String text = this.openText.toString();
		switch (this.open) {
			case REASONING -> {
				out.add(event("response.reasoning_text.done",
						itemEvent("response.reasoning_text.done").put("content_index", 0).put("text", text)));
				item.putArray("content").addObject().put("type", "reasoning_text").put("text", text);
			}
			case MESSAGE -> {
				ObjectNode done = itemEvent("response.output_text.done").put("content_index", 0).put("text", text);
				done.putArray("logprobs");
				out.add(event("response.output_text.done", done));
				ObjectNode part = ResponsesOutput.textPart(text);
				out.add(event("response.content_part.done",
						itemEvent("response.content_part.done").put("content_index", 0).set("part", part)));
				item.put("status", "completed");
				item.putArray("content").add(part);
			}
			case REFUSAL -> {
				out.add(event("response.refusal.done",
						itemEvent("response.refusal.done").put("content_index", 0).put("refusal", text)));
				ObjectNode part = ResponsesOutput.refusalPart(text);
				out.add(event("response.content_part.done",
						itemEvent("response.content_part.done").put("content_index", 0).set("part", part)));
				item.put("status", "completed");
				item.putArray("content").add(part);
			}
			case CALL -> {
				out.add(event("response.function_call_arguments.done",
						itemEvent("response.function_call_arguments.done")
							.put("name", item.path("name").asString(""))
							.put("arguments", text)));
				item.put("status", "completed").put("arguments", text);
			}
			default -> {
			}
		}
		out.add(event("response.output_item.done", Json.object()
			.put("type", "response.output_item.done")
			.put("output_index", this.output.size())
			.set("item", item)));
		this.output.add(item);
		this.open = Kind.NONE;
		this.openItem = null;
	}

	@Override
	protected void done(List<SseEvent> out) {
		close(out);
		ObjectNode response = response(this.status);
		this.completed = response;
		String type = "incomplete".equals(response.path("status").asString()) ? "response.incomplete"
				: "response.completed";
		out.add(event(type, Json.object().put("type", type).set("response", response)));
	}

	private ObjectNode response(String status) {
		return ResponsesOutput.response(this.base, this.model, this.createdAt, this.request, this.stored, status,
				this.output.deepCopy(), "in_progress".equals(status) ? null : this.usage);
	}

	/** The whole response once the stream has closed ({@code response.completed}'s), else {@code null}. */
	@Nullable ObjectNode completed() {
		return this.completed;
	}

	/**
	 * The id part of the next item: the response's, and from the second item on its output index
	 * too, so that text after a tool call (or a second reasoning) is an item of its own.
	 */
	private String itemBase() {
		return this.output.isEmpty() ? this.base : this.base + "_" + this.output.size();
	}

	/** An event about the open item: its type, {@code item_id} and {@code output_index}. */
	private ObjectNode itemEvent(String type) {
		ObjectNode item = this.openItem;
		return Json.object()
			.put("type", type)
			.put("item_id", (item != null) ? item.path("id").asString("") : "")
			.put("output_index", this.output.size());
	}

	/**
	 * A delta event of the open item, the one event of a stream that is written once per token:
	 * written straight as bytes ({@code type}, {@code item_id}, {@code output_index}, then the
	 * delta, escaped by Jackson), without building a tree first, field for field what
	 * {@link #itemEvent} and {@link #event(String, ObjectNode)} would write.
	 */
	private SseEvent deltaEvent(String type, String delta, boolean contentIndex, boolean logprobs) {
		StringBuilder json = new StringBuilder(96 + delta.length());
		json.append("{\"type\":\"").append(type).append("\",\"item_id\":").append(this.openIdJson);
		json.append(",\"output_index\":").append(this.output.size());
		if (contentIndex) {
			json.append(",\"content_index\":0");
		}
		json.append(",\"delta\":").append(Json.MAPPER.writeValueAsString(delta));
		if (logprobs) {
			json.append(",\"logprobs\":[]");
		}
		json.append(",\"sequence_number\":").append(this.sequence++).append('}');
		return new SseEvent(type, json.toString().getBytes(StandardCharsets.UTF_8));
	}

	private SseEvent event(String name, ObjectNode data) {
		data.put("sequence_number", this.sequence++);
		return new SseEvent(name, Json.MAPPER.writeValueAsBytes(data));
	}

}
