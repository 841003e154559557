package dev.switchboard.cache;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.core.Json;
import dev.switchboard.core.Thinking;
import dev.switchboard.core.LlmResponse;
import dev.switchboard.sse.SseEvent;

/**
 * Serves a stored {@code chat.completion} in the form the client asked for: the JSON itself, or
 * {@code chat.completion.chunk} events (per choice one chunk with the whole message, one with its
 * finish reason), the usage chunk when the client asked for {@code include_usage}, then {@code [DONE]}.
 */
public final class Replay {

	private Replay() {
	}

	public static LlmResponse response(byte[] completion, boolean stream, boolean includeUsage) {
		if (!stream) {
			return LlmResponse.json(200, completion, null);
		}
		return LlmResponse.stream(Flux.defer(() -> Flux.fromIterable(events(completion, includeUsage))), null);
	}

	static List<SseEvent> events(byte[] json, boolean includeUsage) {
		JsonNode completion = Json.MAPPER.readTree(json);
		List<SseEvent> events = new ArrayList<>();
		for (JsonNode choice : completion.path("choices")) {
			int index = choice.path("index").asInt(0);
			ObjectNode delta = Json.object();
			JsonNode message = choice.path("message");
			delta.put("role", message.path("role").asString("assistant"));
			thinking(completion, index, message, events);
			if (message.path("content").isString()) {
				delta.set("content", message.get("content"));
			}
			if (message.path("refusal").isString()) {
				delta.set("refusal", message.get("refusal"));
			}
			if (message.path("tool_calls").isArray()) {
				ArrayNode calls = delta.putArray("tool_calls");
				int i = 0;
				for (JsonNode call : message.get("tool_calls")) {
					ObjectNode indexed = Json.object();
					indexed.put("index", i++);
					call.properties().forEach(field -> indexed.set(field.getKey(), field.getValue()));
					calls.add(indexed);
				}
			}
			events.add(chunk(completion, choice(index, delta, null)));
			ObjectNode end = choice(index, Json.object(), choice.path("finish_reason").asString("stop"));
			if (choice.path("stop_reason").isString()) {
				end.set("stop_reason", choice.get("stop_reason"));
			}
			events.add(chunk(completion, end));
		}
		if (includeUsage && completion.path("usage").isObject()) {
			ObjectNode usage = envelope(completion);
			usage.putArray("choices");
			usage.set("usage", completion.get("usage"));
			events.add(Json.event(usage));
		}
		events.add(SseEvent.DONE_EVENT);
		return events;
	}

	/**
	 * The message's thinking ahead of its content, as a provider streams it ({@link Thinking}): per
	 * signed block its text, then its signature; redacted blocks whole; unsigned reasoning as text.
	 */
	private static void thinking(JsonNode completion, int index, JsonNode message, List<SseEvent> events) {
		JsonNode blocks = Thinking.blocks(message);
		if (blocks == null) {
			if (message.path(Thinking.REASONING_CONTENT).isString()) {
				String text = message.get(Thinking.REASONING_CONTENT).stringValue();
				events.add(chunk(completion, choice(index, Thinking.reasoningDelta(text), null)));
			}
			return;
		}
		for (JsonNode block : blocks) {
			if ("thinking".equals(block.path("type").asString(""))) {
				String text = block.path("thinking").asString("");
				if (!text.isEmpty()) {
					events.add(chunk(completion, choice(index, Thinking.reasoningDelta(text), null)));
				}
				ObjectNode signed = Thinking.signatureDelta(block.path("signature").asString(""));
				events.add(chunk(completion, choice(index, signed, null)));
			}
			else {
				events.add(chunk(completion, choice(index, Thinking.blockDelta(block), null)));
			}
		}
	}

	private static ObjectNode choice(int index, ObjectNode delta, @Nullable String finishReason) {
		ObjectNode choice = Json.object();
		choice.put("index", index);
		choice.set("delta", delta);
		choice.put("finish_reason", finishReason);
		return choice;
	}

	private static SseEvent chunk(JsonNode completion, ObjectNode choice) {
		ObjectNode chunk = envelope(completion);
		chunk.putArray("choices").add(choice);
		return Json.event(chunk);
	}

	private static ObjectNode envelope(JsonNode completion) {
		ObjectNode chunk = Json.object();
		for (String field : new String[] { "id", "object", "created", "model", "system_fingerprint" }) {
			JsonNode value = completion.get(field);
			if (value != null) {
				chunk.set(field, value);
			}
		}
		chunk.put("object", "chat.completion.chunk");
		return chunk;
	}

}
