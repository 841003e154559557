package dev.switchboard.guard;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The texts of a canonical answer that guardrails read and may rewrite: per choice its
 * {@code content}, {@code reasoning_content} and {@code refusal}, and each tool call's
 * {@code arguments}, read from {@code message} in a whole completion and from {@code delta} in a
 * stream's chunk. Each text has its {@link Slot}, so a stream's pieces add up to the whole
 * answer's texts and a rewrite lands where it was read.
 */
final class AnswerTexts {

	static final String MESSAGE = "message";

	static final String DELTA = "delta";

	private static final List<String> FIELDS = List.of("content", "reasoning_content", "refusal");

	private AnswerTexts() {
	}

	/**
	 * Where a text is: a choice's field, or ({@code field} {@code "arguments"}) a tool call's
	 * arguments. Ordered by choice, then field, then tool call.
	 */
	record Slot(int choice, String field, int tool) implements Comparable<Slot> {

		@Override
		public int compareTo(Slot other) {
			int byChoice = Integer.compare(this.choice, other.choice);
			if (byChoice != 0) {
				return byChoice;
			}
			int byField = Integer.compare(rank(this.field), rank(other.field));
			return (byField != 0) ? byField : Integer.compare(this.tool, other.tool);
		}

		private static int rank(String field) {
			int rank = FIELDS.indexOf(field);
			return (rank >= 0) ? rank : FIELDS.size();
		}

	}

	record Piece(Slot slot, String text) {
	}

	/** The texts of {@code root} (a completion or a chunk), in slot order within each choice. */
	static List<Piece> read(JsonNode root, String container) {
		List<Piece> pieces = new ArrayList<>();
		JsonNode choices = root.path("choices");
		for (int position = 0; position < choices.size(); position++) {
			JsonNode choice = choices.get(position);
			int index = choice.path("index").asInt(position);
			JsonNode holder = choice.path(container);
			for (String field : FIELDS) {
				JsonNode value = holder.path(field);
				if (value.isString()) {
					pieces.add(new Piece(new Slot(index, field, -1), value.stringValue()));
				}
			}
			JsonNode calls = holder.path("tool_calls");
			for (int call = 0; call < calls.size(); call++) {
				JsonNode arguments = calls.get(call).path("function").path("arguments");
				if (arguments.isString()) {
					pieces.add(new Piece(new Slot(index, "arguments", calls.get(call).path("index").asInt(call)),
							arguments.stringValue()));
				}
			}
		}
		return pieces;
	}

	/** Writes {@code texts} into {@code root} (a copy), at the slots {@link #read} found them in. */
	static void write(ObjectNode root, String container, Map<Slot, String> texts) {
		JsonNode choices = root.path("choices");
		for (int position = 0; position < choices.size(); position++) {
			JsonNode choice = choices.get(position);
			int index = choice.path("index").asInt(position);
			if (!(choice.path(container) instanceof ObjectNode holder)) {
				continue;
			}
			for (String field : FIELDS) {
				String text = texts.get(new Slot(index, field, -1));
				if (text != null && holder.path(field).isString()) {
					holder.put(field, text);
				}
			}
			if (holder.path("tool_calls") instanceof ArrayNode calls) {
				for (int call = 0; call < calls.size(); call++) {
					String text = texts.get(new Slot(index, "arguments", calls.get(call).path("index").asInt(call)));
					if (text != null && calls.get(call).path("function") instanceof ObjectNode function
							&& function.path("arguments").isString()) {
						function.put("arguments", text);
					}
				}
			}
		}
	}

	/**
	 * Adds {@code text} to slot {@code slot} of a chunk (a copy), creating the delta's field (or
	 * its tool call) where the chunk has none: for text held back that must still go out.
	 */
	static void append(ObjectNode chunk, Slot slot, String text) {
		ArrayNode choices = (chunk.path("choices") instanceof ArrayNode array) ? array : chunk.putArray("choices");
		ObjectNode choice = null;
		for (int position = 0; position < choices.size(); position++) {
			if (choices.get(position).path("index").asInt(position) == slot.choice()
					&& choices.get(position) instanceof ObjectNode object) {
				choice = object;
			}
		}
		if (choice == null) {
			choice = choices.addObject().put("index", slot.choice());
		}
		ObjectNode delta = (choice.path(DELTA) instanceof ObjectNode object) ? object : choice.putObject(DELTA);
		if (!slot.field().equals("arguments")) {
			delta.put(slot.field(), delta.path(slot.field()).asString("") + text);
			return;
		}
		ArrayNode calls = (delta.path("tool_calls") instanceof ArrayNode array) ? array : delta.putArray("tool_calls");
		for (int call = 0; call < calls.size(); call++) {
			if (calls.get(call).path("index").asInt(call) == slot.tool()
					&& calls.get(call) instanceof ObjectNode object) {
				ObjectNode function = (object.path("function") instanceof ObjectNode f) ? f : object.putObject("function");
				function.put("arguments", function.path("arguments").asString("") + text);
				return;
			}
		}
		calls.addObject().put("index", slot.tool()).putObject("function").put("arguments", text);
	}

}
