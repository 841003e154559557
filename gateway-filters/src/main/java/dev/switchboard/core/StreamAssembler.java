package dev.switchboard.core;

import java.util.Map;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.sse.SseEvent;

/**
 * Rebuilds the {@code chat.completion} of a stream from its {@code chat.completion.chunk}s as they
 * pass to the client, so a streamed miss can be stored and a compared leg reported. Per request, not thread-safe (one stream
 * delivers its events in order). {@link #completion()} answers only for a stream that ended with
 * {@code [DONE]} and carried no error event. Thinking is put back together as {@link Thinking}
 * describes, so a replayed answer can still be sent back by the client on its next turn.
 */
public final class StreamAssembler {

	/** id, object, created, model, system_fingerprint: first seen wins; object is replaced. */
	private final ObjectNode head = Json.object();

	private final Map<Integer, ChoiceState> choices = new TreeMap<>();

	private @Nullable JsonNode usage;

	private boolean done;

	private boolean broken;

	public void accept(SseEvent event) {
		if (this.broken) {
			return;
		}
		if (event.isDone()) {
			this.done = true;
			return;
		}
		JsonNode chunk;
		try {
			chunk = Json.tree(event);
		}
		catch (RuntimeException ex) {
			this.broken = true;
			return;
		}
		if (!chunk.isObject() || chunk.has("error")) {
			this.broken = true;
			return;
		}
		for (String field : new String[] { "id", "object", "created", "model", "system_fingerprint" }) {
			JsonNode value = chunk.get(field);
			if (!this.head.has(field) && value != null && !value.isNull()) {
				this.head.set(field, value);
			}
		}
		JsonNode usage = chunk.get("usage");
		if (usage != null && usage.isObject()) {
			this.usage = usage;
		}
		for (JsonNode choice : chunk.path("choices")) {
			this.choices.computeIfAbsent(choice.path("index").asInt(0), i -> new ChoiceState()).accept(choice);
		}
	}

	/** The assembled answer, or {@code null} when the stream was cut, failed or is not over. */
	public @Nullable ObjectNode completion() {
		if (!this.done || this.broken || this.choices.isEmpty()) {
			return null;
		}
		ObjectNode completion = Json.object();
		completion.setAll(this.head);
		completion.put("object", "chat.completion");
		ArrayNode choices = completion.putArray("choices");
		this.choices.forEach((index, state) -> choices.add(state.toChoice(index)));
		if (this.usage != null) {
			completion.set("usage", this.usage);
		}
		return completion;
	}

	private static final class ChoiceState {

		private @Nullable String role;

		private @Nullable StringBuilder content;

		private @Nullable StringBuilder refusal;

		private final Map<Integer, ObjectNode> toolCalls = new TreeMap<>();

		private @Nullable String finishReason;

		private @Nullable String stopReason;

		private final Thinking.Collector thinking = new Thinking.Collector();

		void accept(JsonNode choice) {
			JsonNode delta = choice.path("delta");
			this.thinking.accept(delta);
			if (delta.path("role").isString()) {
				this.role = delta.get("role").asString();
			}
			if (delta.path("content").isString()) {
				this.content = append(this.content, delta.get("content").asString());
			}
			if (delta.path("refusal").isString()) {
				this.refusal = append(this.refusal, delta.get("refusal").asString());
			}
			for (JsonNode call : delta.path("tool_calls")) {
				ObjectNode target = this.toolCalls.computeIfAbsent(call.path("index").asInt(0), i -> {
					ObjectNode created = Json.object();
					created.put("type", "function");
					created.putObject("function").put("name", "").put("arguments", "");
					return created;
				});
				if (call.path("id").isString()) {
					target.put("id", call.get("id").asString());
				}
				if (call.path("type").isString()) {
					target.put("type", call.get("type").asString());
				}
				ObjectNode function = (ObjectNode) target.get("function");
				JsonNode part = call.path("function");
				if (part.path("name").isString()) {
					function.put("name", function.get("name").asString() + part.get("name").asString());
				}
				if (part.path("arguments").isString()) {
					function.put("arguments", function.get("arguments").asString() + part.get("arguments").asString());
				}
			}
			if (choice.path("finish_reason").isString()) {
				this.finishReason = choice.get("finish_reason").asString();
			}
			if (choice.path("stop_reason").isString()) {
				this.stopReason = choice.get("stop_reason").asString();
			}
		}

		ObjectNode toChoice(int index) {
			ObjectNode choice = Json.object();
			choice.put("index", index);
			ObjectNode message = choice.putObject("message");
			message.put("role", (this.role != null) ? this.role : "assistant");
			message.put("content", (this.content != null) ? this.content.toString() : null);
			this.thinking.into(message);
			if (this.refusal != null) {
				message.put("refusal", this.refusal.toString());
			}
			if (!this.toolCalls.isEmpty()) {
				ArrayNode calls = message.putArray("tool_calls");
				this.toolCalls.values().forEach(calls::add);
			}
			choice.put("finish_reason", this.finishReason);
			if (this.stopReason != null) {
				choice.put("stop_reason", this.stopReason);
			}
			return choice;
		}

		private static StringBuilder append(@Nullable StringBuilder builder, String text) {
			return ((builder != null) ? builder : new StringBuilder()).append(text);
		}

	}

}
