package dev.switchboard.guard;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.core.Json;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.LlmResponse;
import dev.switchboard.core.NativeAnswer;
import dev.switchboard.core.Operation;
import dev.switchboard.guard.AnswerTexts.Piece;
import dev.switchboard.guard.AnswerTexts.Slot;
import dev.switchboard.sse.SseEvent;

/**
 * Puts back, in the answer, what a reversible mask took out of the request: each placeholder the
 * masked request carried ({@code [EMAIL_1]}) becomes the client's own text again. Applied as the
 * exchange's last step ({@code ResponsePlan#personalize}), after the cache stored the answer as the
 * provider wrote it, placeholders and all: a cache hit for the same masked request gets the
 * placeholders back with the values of the request it answers, and nothing shared ever holds them.
 *
 * <p>On a stream a placeholder may be split across chunks: text that could be the start of one is
 * held back until the next piece of the same text says, and released at the latest with the
 * choice's finish.
 *
 * <p>A value goes back into a tool call's {@code arguments} escaped as JSON string content: they
 * are JSON, and a value with a quote or a backslash must not end the string it is put in (nor add
 * keys to the object). Thinking keeps its placeholders: it is the model's own working, and a
 * signed block changed after the provider signed it would be refused when sent back.
 */
final class Restoration {

	private final Map<String, String> placeholders;

	private Restoration(Map<String, String> placeholders) {
		this.placeholders = Map.copyOf(placeholders);
	}

	/** The response with the placeholders restored. */
	static LlmResponse restore(LlmExchange exchange, Map<String, String> placeholders, LlmResponse response) {
		if (placeholders.isEmpty() || exchange.operation() != Operation.CHAT || response.status() < 200
				|| response.status() >= 300) {
			return response;
		}
		Restoration restoration = new Restoration(placeholders);
		// The provider's native body would carry the placeholders: the client gets the canonical answer.
		exchange.remove(NativeAnswer.class);
		if (response.isStream()) {
			return response.withEvents(events -> Flux.defer(() -> {
				Streamed stream = restoration.new Streamed();
				return events.concatMapIterable(stream::onEvent);
			}));
		}
		JsonNode completion = Json.MAPPER.readTree(response.json());
		Map<Slot, String> restored = new HashMap<>();
		for (Piece piece : AnswerTexts.read(completion, AnswerTexts.MESSAGE)) {
			if (piece.slot().thinking()) {
				continue;
			}
			String text = restoration.apply(piece.slot(), piece.text());
			if (!text.equals(piece.text())) {
				restored.put(piece.slot(), text);
			}
		}
		if (restored.isEmpty()) {
			return response;
		}
		ObjectNode copy = (ObjectNode) completion.deepCopy();
		AnswerTexts.write(copy, AnswerTexts.MESSAGE, restored);
		return response.withJson(Json.MAPPER.writeValueAsBytes(copy));
	}

	/** The text of {@code slot} with the placeholders' values in, escaped for tool-call arguments. */
	String apply(Slot slot, String text) {
		if (text.indexOf('[') < 0 && text.indexOf('<') < 0) {
			return text;
		}
		boolean json = slot.field().equals(AnswerTexts.ARGUMENTS);
		String result = text;
		for (Map.Entry<String, String> placeholder : this.placeholders.entrySet()) {
			result = result.replace(placeholder.getKey(), json ? escaped(placeholder.getValue()) : placeholder.getValue());
		}
		return result;
	}

	/** {@code value} as the content of a JSON string. */
	private static String escaped(String value) {
		String quoted = Json.MAPPER.writeValueAsString(value);
		return quoted.substring(1, quoted.length() - 1);
	}

	/** Where the text stops being safe to release: the start of a placeholder it may end with. */
	int safeEnd(String text) {
		for (int start = Math.max(text.lastIndexOf('['), text.lastIndexOf('<')); start >= 0;
				start = Math.max(text.lastIndexOf('[', start - 1), text.lastIndexOf('<', start - 1))) {
			String tail = text.substring(start);
			for (String placeholder : this.placeholders.keySet()) {
				if (placeholder.length() > tail.length() && placeholder.startsWith(tail)) {
					return start;
				}
			}
			if (text.length() - start > 64) {
				break;
			}
		}
		return text.length();
	}

	/** One stream's restoring, with each text's held-back tail. */
	final class Streamed {

		private final Map<Slot, String> pending = new TreeMap<>();

		private JsonNode last = Json.object();

		List<SseEvent> onEvent(SseEvent event) {
			if (event.isDone()) {
				List<SseEvent> out = new ArrayList<>(2);
				if (!this.pending.isEmpty()) {
					out.add(flush(this.pending.keySet().stream().map(Slot::choice).distinct().toList()));
				}
				out.add(event);
				return out;
			}
			List<Piece> pieces = HeldStream.pieces(event);
			JsonNode chunk = pieces.isEmpty() ? null : Json.tree(event);
			List<Integer> finished = finished(event);
			if (pieces.isEmpty() && (finished.isEmpty() || this.pending.isEmpty())) {
				return List.of(HeldStream.canonical(event));
			}
			chunk = (chunk != null) ? chunk : Json.tree(event);
			this.last = chunk;
			Map<Slot, String> texts = new HashMap<>();
			for (Piece piece : pieces) {
				if (piece.slot().thinking()) {
					continue;
				}
				String text = this.pending.getOrDefault(piece.slot(), "") + piece.text();
				int end = safeEnd(text);
				// A slot given twice in one chunk is written once, with both pieces (AnswerTexts.write).
				texts.merge(piece.slot(), apply(piece.slot(), text.substring(0, end)), String::concat);
				if (end < text.length()) {
					this.pending.put(piece.slot(), text.substring(end));
				}
				else {
					this.pending.remove(piece.slot());
				}
			}
			ObjectNode copy = (ObjectNode) chunk.deepCopy();
			AnswerTexts.write(copy, AnswerTexts.DELTA, texts);
			for (Integer choice : finished) {
				drain(choice).forEach((slot, text) -> AnswerTexts.append(copy, slot, text));
			}
			return List.of(Json.event(event.event(), copy));
		}

		/** A chunk like the stream's last, carrying what is still held for {@code choices}. */
		private SseEvent flush(List<Integer> choices) {
			ObjectNode chunk = Json.object();
			for (String field : List.of("id", "object", "created", "model")) {
				if (this.last.has(field)) {
					chunk.set(field, this.last.get(field));
				}
			}
			chunk.putArray("choices");
			for (Integer choice : choices) {
				drain(choice).forEach((slot, text) -> AnswerTexts.append(chunk, slot, text));
			}
			return Json.event(chunk);
		}

		private Map<Slot, String> drain(int choice) {
			Map<Slot, String> out = new TreeMap<>();
			this.pending.entrySet().removeIf(entry -> {
				if (entry.getKey().choice() != choice) {
					return false;
				}
				out.put(entry.getKey(), apply(entry.getKey(), entry.getValue()));
				return true;
			});
			return out;
		}

		private List<Integer> finished(SseEvent event) {
			try {
				return AnswerTexts.finishing(Json.tree(event));
			}
			catch (RuntimeException ex) {
				return List.of(); // not a chunk: nothing finishes
			}
		}

	}

}
