package dev.switchboard.core;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * How the canonical (OpenAI chat completions) shape carries a model's thinking, which OpenAI's own
 * chat completions do not return: written by the provider adapters that receive it, read by the
 * cache and by front doors that hand it back.
 *
 * <p>A message holds the thinking text as {@value #REASONING_CONTENT} (where clients of
 * DeepSeek, vLLM and LiteLLM already look for it) and, where the provider signs its thinking, each
 * block in {@value #THINKING_BLOCKS}: {@code {"type":"thinking","thinking","signature"}} or
 * {@code {"type":"redacted_thinking","data"}}. The signature is what lets a client send a tool
 * loop's history back: Anthropic refuses a turn whose thinking came back changed or without it.
 *
 * <p>A stream delta carries thinking text as {@value #REASONING_CONTENT} fragments, and the end of
 * a signed block as a {@value #THINKING_BLOCKS} delta of one block holding its signature without
 * its text: the block's text is what was streamed since the previous block ended. A redacted block
 * arrives whole. {@link Collector} puts the blocks of a stream back together.
 */
public final class Thinking {

	public static final String REASONING_CONTENT = "reasoning_content";

	public static final String THINKING_BLOCKS = "thinking_blocks";

	private Thinking() {
	}

	/** A stream delta of thinking text. */
	public static ObjectNode reasoningDelta(String text) {
		return Json.object().put(REASONING_CONTENT, text);
	}

	/** A stream delta that ends the signed block whose text streamed since the previous block ended. */
	public static ObjectNode signatureDelta(String signature) {
		ObjectNode delta = Json.object();
		delta.putArray(THINKING_BLOCKS).addObject().put("type", "thinking").put("signature", signature);
		return delta;
	}

	/** A stream delta of one whole block (a redacted one), in the shape {@link #add} gives it. */
	public static ObjectNode blockDelta(JsonNode block) {
		ObjectNode delta = Json.object();
		add(delta.putArray(THINKING_BLOCKS), block);
		return delta;
	}

	/**
	 * Adds an Anthropic {@code thinking} or {@code redacted_thinking} content block to a message's
	 * {@value #THINKING_BLOCKS}, in the shape described above, and returns its thinking text
	 * (empty for a redacted block), for {@value #REASONING_CONTENT}.
	 */
	public static String add(ArrayNode blocks, JsonNode block) {
		if ("redacted_thinking".equals(block.path("type").asString(""))) {
			blocks.addObject().put("type", "redacted_thinking").put("data", block.path("data").asString(""));
			return "";
		}
		String text = block.path("thinking").asString("");
		blocks.addObject()
			.put("type", "thinking")
			.put("thinking", text)
			.put("signature", block.path("signature").asString(""));
		return text;
	}

	/** Collects the thinking of one streamed message, delta by delta. Not thread-safe. */
	public static final class Collector {

		private final StringBuilder reasoning = new StringBuilder();

		private final StringBuilder block = new StringBuilder();

		private final ArrayNode blocks = Json.NODES.arrayNode();

		public void accept(JsonNode delta) {
			JsonNode text = delta.get(REASONING_CONTENT);
			if (text != null && text.isString()) {
				this.reasoning.append(text.stringValue());
				this.block.append(text.stringValue());
			}
			for (JsonNode ended : delta.path(THINKING_BLOCKS)) {
				if ("thinking".equals(ended.path("type").asString(""))) {
					ObjectNode whole = this.blocks.addObject().put("type", "thinking");
					whole.put("thinking", ended.hasNonNull("thinking") ? ended.path("thinking").asString("")
							: this.block.toString());
					whole.put("signature", ended.path("signature").asString(""));
					this.block.setLength(0);
				}
				else if (ended.isObject()) {
					this.blocks.add(ended.deepCopy());
				}
			}
		}

		/** Puts the collected thinking on an assembled message; nothing when there was none. */
		public void into(ObjectNode message) {
			if (!this.reasoning.isEmpty()) {
				message.put(REASONING_CONTENT, this.reasoning.toString());
			}
			if (!this.blocks.isEmpty()) {
				message.set(THINKING_BLOCKS, this.blocks);
			}
		}

	}

	/** The thinking blocks of a canonical message, or {@code null} when it has none. */
	public static @Nullable JsonNode blocks(JsonNode message) {
		JsonNode blocks = message.get(THINKING_BLOCKS);
		return (blocks != null && blocks.isArray() && !blocks.isEmpty()) ? blocks : null;
	}

}
