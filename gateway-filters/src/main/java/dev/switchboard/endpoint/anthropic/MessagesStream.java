package dev.switchboard.endpoint.anthropic;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.core.Json;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.Thinking;
import dev.switchboard.endpoint.door.ChunkStreamRenderer;
import dev.switchboard.sse.SseEvent;

/**
 * Writes a canonical {@code chat.completion.chunk} stream as Anthropic's event stream, chunk by
 * chunk as it passes, holding nothing back: {@code message_start} and a {@code ping} with the first
 * chunk; per content block {@code content_block_start}, its deltas ({@code text_delta},
 * {@code thinking_delta} and {@code signature_delta}, {@code input_json_delta}) and
 * {@code content_block_stop}; then {@code message_delta} with the stop reason and the usage, and
 * {@code message_stop} at {@code [DONE]}.
 *
 * <p>Anthropic numbers content blocks in the order they open, one open at a time; a canonical
 * stream interleaves kinds freely within a delta (thinking, then text, then tool calls), so a delta
 * of another kind closes the open block and opens the next. A thinking block closes at its
 * signature ({@link Thinking}); thinking without a signature (a provider that does not sign it)
 * closes with the next kind. The usage of {@code message_delta} comes from the stream's usage chunk,
 * which the door always asks for, so {@code message_delta} waits for it or for {@code [DONE]}.
 * Per request, not thread-safe: one stream delivers its events in order.
 */
final class MessagesStream extends ChunkStreamRenderer {

	private enum Block {
		NONE, TEXT, THINKING, TOOL
	}

	private final LlmExchange exchange;

	private Block open = Block.NONE;

	private int openIndex = -1;

	private int nextIndex;

	/** Anthropic block index of each canonical tool call index. */
	private final Map<Integer, Integer> tools = new HashMap<>();

	private @Nullable String stopReason;

	private @Nullable String stopSequence;

	private @Nullable JsonNode usage;

	private boolean delivered;

	MessagesStream(LlmExchange exchange) {
		this.exchange = exchange;
	}

	@Override
	protected void finish(List<SseEvent> out, JsonNode choice) {
		closeBlock(out);
		this.stopSequence = MessagesResponses.stopSequence(choice);
		this.stopReason = MessagesResponses.stopReason(choice.get("finish_reason").stringValue(), this.stopSequence);
	}

	@Override
	protected void usage(List<SseEvent> out, JsonNode usage) {
		this.usage = usage;
		if (this.stopReason != null) {
			messageDelta(out);
		}
	}

	@Override
	protected void done(List<SseEvent> out) {
		closeBlock(out);
		messageDelta(out);
		out.add(messageStop());
	}

	@Override
	protected void start(List<SseEvent> out, JsonNode chunk) {
		ObjectNode message = MessagesResponses.head(chunk);
		message.putArray("content");
		message.putNull("stop_reason");
		message.putNull("stop_sequence");
		ObjectNode usage = MessagesResponses.usage(null);
		message.set("usage", usage);
		ObjectNode start = Json.object().put("type", "message_start");
		start.set("message", message);
		out.add(event("message_start", start));
		out.add(event("ping", Json.object().put("type", "ping")));
	}

	@Override
	protected void delta(List<SseEvent> out, JsonNode delta) {
		JsonNode reasoning = delta.get(Thinking.REASONING_CONTENT);
		if (reasoning != null && reasoning.isString() && !reasoning.stringValue().isEmpty()) {
			open(out, Block.THINKING, Json.object().put("type", "thinking").put("thinking", "").put("signature", ""));
			blockDelta(out, Json.object().put("type", "thinking_delta").put("thinking", reasoning.stringValue()));
		}
		for (JsonNode block : delta.path(Thinking.THINKING_BLOCKS)) {
			if ("thinking".equals(block.path("type").asString(""))) {
				open(out, Block.THINKING, Json.object().put("type", "thinking").put("thinking", "").put("signature", ""));
				blockDelta(out, Json.object().put("type", "signature_delta")
					.put("signature", block.path("signature").asString("")));
				closeBlock(out);
			}
			else if (block.isObject()) {
				closeBlock(out);
				openNew(out, Block.THINKING, (ObjectNode) block.deepCopy());
				closeBlock(out);
			}
		}
		// A refusal is the answer's text, as in a whole message (MessagesResponses).
		for (String field : new String[] { "content", "refusal" }) {
			JsonNode content = delta.get(field);
			if (content != null && content.isString() && !content.stringValue().isEmpty()) {
				open(out, Block.TEXT, Json.object().put("type", "text").put("text", ""));
				blockDelta(out, Json.object().put("type", "text_delta").put("text", content.stringValue()));
			}
		}
		for (JsonNode call : delta.path("tool_calls")) {
			toolCall(out, call);
		}
	}

	private void toolCall(List<SseEvent> out, JsonNode call) {
		int index = call.path("index").asInt(0);
		Integer block = this.tools.get(index);
		JsonNode function = call.path("function");
		if (block == null) {
			closeBlock(out);
			ObjectNode start = Json.object()
				.put("type", "tool_use")
				.put("id", call.path("id").asString(""))
				.put("name", function.path("name").asString(""));
			start.putObject("input");
			openNew(out, Block.TOOL, start);
			block = this.openIndex;
			this.tools.put(index, block);
		}
		String arguments = function.path("arguments").asString("");
		if (!arguments.isEmpty()) {
			ObjectNode delta = Json.object().put("type", "input_json_delta").put("partial_json", arguments);
			// A call's fragments go to its own block, even in the rare stream that interleaves calls.
			out.add(event("content_block_delta", blockEvent("content_block_delta", block).set("delta", delta)));
		}
	}

	/** Keeps the open block if it is of this kind, else closes it and opens one. */
	private void open(List<SseEvent> out, Block kind, ObjectNode contentBlock) {
		if (this.open != kind) {
			closeBlock(out);
			openNew(out, kind, contentBlock);
		}
	}

	private void openNew(List<SseEvent> out, Block kind, ObjectNode contentBlock) {
		this.open = kind;
		this.openIndex = this.nextIndex++;
		ObjectNode start = blockEvent("content_block_start", this.openIndex);
		start.set("content_block", contentBlock);
		out.add(event("content_block_start", start));
	}

	private void blockDelta(List<SseEvent> out, ObjectNode delta) {
		ObjectNode event = blockEvent("content_block_delta", this.openIndex);
		event.set("delta", delta);
		out.add(event("content_block_delta", event));
	}

	private void closeBlock(List<SseEvent> out) {
		if (this.open == Block.NONE) {
			return;
		}
		out.add(blockStop(this.openIndex));
		this.open = Block.NONE;
	}

	/** Once: the stop reason and the usage, from the usage chunk or, without one, what the exchange knows. */
	private void messageDelta(List<SseEvent> out) {
		if (this.delivered) {
			return;
		}
		this.delivered = true;
		out.add(messageDelta(this.stopReason, this.stopSequence, (this.usage != null) ? this.usage : exchangeUsage()));
	}

	/** {@code message_delta}: the stop reason ({@code end_turn} when none came) and the canonical usage in Anthropic's terms. */
	static SseEvent messageDelta(@Nullable String stopReason, @Nullable String stopSequence, @Nullable JsonNode usage) {
		ObjectNode event = Json.object().put("type", "message_delta");
		event.putObject("delta")
			.put("stop_reason", (stopReason != null) ? stopReason : "end_turn")
			.put("stop_sequence", stopSequence);
		event.set("usage", MessagesResponses.usage(usage));
		return event("message_delta", event);
	}

	static SseEvent blockStop(int index) {
		return event("content_block_stop", blockEvent("content_block_stop", index));
	}

	static SseEvent messageStop() {
		return event("message_stop", Json.object().put("type", "message_stop"));
	}

	private @Nullable JsonNode exchangeUsage() {
		var usage = this.exchange.usage();
		if (usage == null) {
			return null;
		}
		return usage.toOpenAi();
	}

	private static ObjectNode blockEvent(String type, int index) {
		return Json.object().put("type", type).put("index", index);
	}

	private static SseEvent event(String name, ObjectNode data) {
		return new SseEvent(name, Json.MAPPER.writeValueAsBytes(data));
	}

}
