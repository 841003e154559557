package dev.switchboard.guard;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.core.Json;
import dev.switchboard.core.Thinking;

/**
 * The texts of a canonical answer that guardrails read and may rewrite: per choice its
 * {@code content}, its thinking and {@code refusal}, and each tool call's {@code arguments}, read
 * from {@code message} in a whole completion and from {@code delta} in a stream's chunk. Each text
 * has its {@link Slot}, so a stream's pieces add up to the whole answer's texts and a rewrite lands
 * where it was read.
 *
 * <p>Thinking is read once, where it is carried ({@link Thinking}): a whole message that keeps
 * signed blocks ({@code thinking_blocks}) has each block's text as a slot of its own, and its
 * {@code reasoning_content} (their concatenation) is written from them; a message with
 * {@code reasoning_content} alone, and a stream's {@code reasoning_content} deltas, have it as one
 * slot. A block whose text a rewrite changed loses its signature: what it holds is no longer what
 * the model signed, and a client that sent it back signed would be refused by the provider
 * (unsigned thinking is left out of the next turn, see {@code AnthropicRequests}). Should a
 * message's {@code reasoning_content} not be its blocks' concatenation, both are read.
 */
final class AnswerTexts {

	static final String MESSAGE = "message";

	static final String DELTA = "delta";

	/** A signed thinking block's text; its {@link Slot#tool()} is the block's index. */
	static final String THINKING = "thinking";

	static final String ARGUMENTS = "arguments";

	private static final List<String> FIELDS = List.of("content", Thinking.REASONING_CONTENT, "refusal");

	/** The slots' order within a choice. */
	private static final List<String> ORDER = List.of("content", Thinking.REASONING_CONTENT, THINKING, "refusal",
			ARGUMENTS);

	private AnswerTexts() {
	}

	/** The answer's choices; none when {@code choices} is not an array (a provider's malformed chunk). */
	private static JsonNode choices(JsonNode root) {
		JsonNode choices = root.path("choices");
		return choices.isArray() ? choices : Json.NODES.arrayNode();
	}

	/**
	 * Where a text is: a choice's field, a signed thinking block ({@value #THINKING}, {@code tool}
	 * its index) or a tool call's arguments ({@value #ARGUMENTS}). Ordered by choice, then field,
	 * then block or tool call.
	 */
	record Slot(int choice, String field, int tool) implements Comparable<Slot> {

		@Override
		public int compareTo(Slot other) {
			int byChoice = Integer.compare(this.choice, other.choice);
			if (byChoice != 0) {
				return byChoice;
			}
			int byField = Integer.compare(ORDER.indexOf(this.field), ORDER.indexOf(other.field));
			return (byField != 0) ? byField : Integer.compare(this.tool, other.tool);
		}

		/** Whether the slot holds the model's thinking rather than its answer. */
		boolean thinking() {
			return this.field.equals(THINKING) || this.field.equals(Thinking.REASONING_CONTENT);
		}

	}

	record Piece(Slot slot, String text) {
	}

	/** The texts of {@code root} (a completion or a chunk), in slot order within each choice. */
	static List<Piece> read(JsonNode root, String container) {
		List<Piece> pieces = new ArrayList<>();
		JsonNode choices = choices(root);
		for (int position = 0; position < choices.size(); position++) {
			JsonNode choice = choices.get(position);
			int index = choice.path("index").asInt(position);
			JsonNode holder = choice.path(container);
			boolean fromBlocks = reasoningFromBlocks(holder);
			for (String field : FIELDS) {
				JsonNode value = holder.path(field);
				if (value.isString() && !(fromBlocks && field.equals(Thinking.REASONING_CONTENT))) {
					pieces.add(new Piece(new Slot(index, field, -1), value.stringValue()));
				}
				if (field.equals(Thinking.REASONING_CONTENT)) {
					JsonNode blocks = holder.path(Thinking.THINKING_BLOCKS);
					for (int block = 0; blocks.isArray() && block < blocks.size(); block++) {
						JsonNode text = blocks.get(block).path(THINKING);
						if (text.isString() && THINKING.equals(blocks.get(block).path("type").asString(""))) {
							pieces.add(new Piece(new Slot(index, THINKING, block), text.stringValue()));
						}
					}
				}
			}
			JsonNode calls = holder.path("tool_calls");
			for (int call = 0; calls.isArray() && call < calls.size(); call++) {
				JsonNode arguments = calls.get(call).path("function").path(ARGUMENTS);
				if (arguments.isString()) {
					pieces.add(new Piece(new Slot(index, ARGUMENTS, calls.get(call).path("index").asInt(call)),
							arguments.stringValue()));
				}
			}
		}
		return pieces;
	}

	/** Whether the holder's {@code reasoning_content} is its thinking blocks' texts joined (or absent). */
	private static boolean reasoningFromBlocks(JsonNode holder) {
		JsonNode blocks = holder.path(Thinking.THINKING_BLOCKS);
		if (!blocks.isArray() || blocks.isEmpty()) {
			return false;
		}
		StringBuilder joined = new StringBuilder();
		boolean anyText = false;
		for (JsonNode block : blocks) {
			if (THINKING.equals(block.path("type").asString("")) && block.path(THINKING).isString()) {
				joined.append(block.path(THINKING).stringValue());
				anyText = true;
			}
		}
		JsonNode reasoning = holder.path(Thinking.REASONING_CONTENT);
		return anyText && (reasoning.isMissingNode() || reasoning.isNull()
				|| reasoning.isString() && reasoning.stringValue().contentEquals(joined));
	}

	/**
	 * Writes {@code texts} into {@code root} (a copy), at the slots {@link #read} found them in. A
	 * slot read from two entries (a choice or a tool call's index given twice, as a provider's
	 * malformed chunk may) holds the pieces' texts joined: it is written once, into the first, and
	 * the others are emptied, so no text goes out twice.
	 */
	static void write(ObjectNode root, String container, Map<Slot, String> texts) {
		JsonNode choices = choices(root);
		Set<Slot> written = new HashSet<>();
		for (int position = 0; position < choices.size(); position++) {
			JsonNode choice = choices.get(position);
			int index = choice.path("index").asInt(position);
			if (!(choice.path(container) instanceof ObjectNode holder)) {
				continue;
			}
			boolean fromBlocks = reasoningFromBlocks(holder);
			for (String field : FIELDS) {
				Slot slot = new Slot(index, field, -1);
				String text = texts.get(slot);
				if (text != null && holder.path(field).isString() && !(fromBlocks && field.equals(Thinking.REASONING_CONTENT))) {
					holder.put(field, written.add(slot) ? text : "");
				}
			}
			if (holder.path(Thinking.THINKING_BLOCKS) instanceof ArrayNode blocks) {
				boolean changed = false;
				StringBuilder joined = new StringBuilder();
				for (int block = 0; block < blocks.size(); block++) {
					Slot slot = new Slot(index, THINKING, block);
					String text = texts.get(slot);
					if (blocks.get(block) instanceof ObjectNode object && THINKING.equals(object.path("type").asString(""))
							&& object.path(THINKING).isString()) {
						String now = (text == null) ? null : written.add(slot) ? text : "";
						if (now != null && !now.equals(object.path(THINKING).stringValue())) {
							object.put(THINKING, now).put("signature", "");
							changed = true;
						}
						joined.append(object.path(THINKING).stringValue());
					}
				}
				if (changed && fromBlocks && holder.path(Thinking.REASONING_CONTENT).isString()) {
					holder.put(Thinking.REASONING_CONTENT, joined.toString());
				}
			}
			if (holder.path("tool_calls") instanceof ArrayNode calls) {
				for (int call = 0; call < calls.size(); call++) {
					Slot slot = new Slot(index, ARGUMENTS, calls.get(call).path("index").asInt(call));
					String text = texts.get(slot);
					if (text != null && calls.get(call).path("function") instanceof ObjectNode function
							&& function.path(ARGUMENTS).isString()) {
						function.put(ARGUMENTS, written.add(slot) ? text : "");
					}
				}
			}
		}
	}

	/**
	 * The choices of a stream chunk that end a signed thinking block here (a {@code thinking_blocks}
	 * delta of a {@code thinking} block, holding its signature).
	 */
	static List<Integer> signing(JsonNode chunk) {
		List<Integer> signing = List.of();
		JsonNode choices = choices(chunk);
		for (int position = 0; position < choices.size(); position++) {
			for (JsonNode block : blocks(choices.get(position))) {
				if (THINKING.equals(block.path("type").asString("")) && !block.path("signature").asString("").isEmpty()) {
					signing = (signing.isEmpty()) ? new ArrayList<>(1) : signing;
					signing.add(choices.get(position).path("index").asInt(position));
					break;
				}
			}
		}
		return signing;
	}

	/** A stream choice's {@code thinking_blocks} delta; none when it is not an array. */
	private static JsonNode blocks(JsonNode choice) {
		JsonNode blocks = choice.path(DELTA).path(Thinking.THINKING_BLOCKS);
		return blocks.isArray() ? blocks : Json.NODES.arrayNode();
	}

	/** The choices of a stream chunk that finish in it (a {@code finish_reason}). */
	static List<Integer> finishing(JsonNode chunk) {
		List<Integer> finishing = List.of();
		JsonNode choices = choices(chunk);
		for (int position = 0; position < choices.size(); position++) {
			if (choices.get(position).path("finish_reason").isString()) {
				finishing = (finishing.isEmpty()) ? new ArrayList<>(1) : finishing;
				finishing.add(choices.get(position).path("index").asInt(position));
			}
		}
		return finishing;
	}

	/** Empties the signatures of the {@code thinking} blocks the chunk (a copy) ends for {@code choice}. */
	static void unsign(ObjectNode chunk, int choice) {
		JsonNode choices = choices(chunk);
		for (int position = 0; position < choices.size(); position++) {
			if (choices.get(position).path("index").asInt(position) != choice) {
				continue;
			}
			for (JsonNode block : blocks(choices.get(position))) {
				if (block instanceof ObjectNode object && THINKING.equals(object.path("type").asString(""))) {
					object.put("signature", "");
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
		if (!slot.field().equals(ARGUMENTS)) {
			delta.put(slot.field(), delta.path(slot.field()).asString("") + text);
			return;
		}
		ArrayNode calls = (delta.path("tool_calls") instanceof ArrayNode array) ? array : delta.putArray("tool_calls");
		for (int call = 0; call < calls.size(); call++) {
			if (calls.get(call).path("index").asInt(call) == slot.tool()
					&& calls.get(call) instanceof ObjectNode object) {
				ObjectNode function = (object.path("function") instanceof ObjectNode f) ? f : object.putObject("function");
				function.put(ARGUMENTS, function.path(ARGUMENTS).asString("") + text);
				return;
			}
		}
		calls.addObject().put("index", slot.tool()).putObject("function").put(ARGUMENTS, text);
	}

}
