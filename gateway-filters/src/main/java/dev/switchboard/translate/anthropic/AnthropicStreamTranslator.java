package dev.switchboard.translate.anthropic;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.HttpHeaders;

import dev.switchboard.core.Json;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.RouteTarget;
import dev.switchboard.core.Thinking;
import dev.switchboard.core.Usage;
import dev.switchboard.sse.SseEvent;
import dev.switchboard.translate.spi.StreamTranslator;
import dev.switchboard.translate.spi.UpstreamErrors;

/**
 * Turns Anthropic's stream events into OpenAI chunks, one upstream event at a time and never
 * buffering: each text or tool-argument delta is written as soon as it arrives.
 *
 * <p>Anthropic numbers content blocks across text and tool use, OpenAI numbers tool calls alone,
 * so the translator keeps the tool-call index of each {@code tool_use} block. It also keeps the id
 * and model from {@code message_start}, which later events do not repeat but every OpenAI chunk
 * carries, and the usage, which Anthropic spreads over {@code message_start} (input) and
 * {@code message_delta} (cumulative output). In JSON mode the forced tool's argument deltas are
 * the answer, so they are written as content. Thinking is carried as in whole responses
 * ({@link AnthropicResponses}): each {@code thinking_delta} as a {@code reasoning_content} delta,
 * and the end of a thinking block as a {@code thinking_blocks} delta holding its signature (the
 * block's text is the reasoning streamed since the previous block ended), a redacted block whole.
 *
 * <p>A tool called without arguments streams only empty {@code input_json_delta} fragments (or
 * none); the client would put together {@code ""}, which is not JSON and breaks SDKs that parse
 * arguments, so a tool block closed without a fragment gets {@code "{}"} as its arguments (and a
 * JSON-mode block {@code {}} as its content), as whole responses serialize the empty input.
 *
 * <p>Anthropic ends every complete stream with {@code message_stop}. A stream that ends without
 * one was cut short (a proxy's idle timeout, a dropped connection), so {@link #onEnd()} throws a
 * 502 rather than send the {@code [DONE]} that would present a partial answer as complete; the
 * gateway turns it into an error event, or fails over if nothing was written yet. The usage
 * reported so far is recorded first, as it is before an {@code error} event is raised.
 */
final class AnthropicStreamTranslator implements StreamTranslator {

	private final LlmExchange exchange;

	private final RouteTarget target;

	private final boolean jsonMode;

	private final long created = System.currentTimeMillis() / 1000;

	private String id = "";

	private String model;

	private final ObjectNode usage = Json.object();

	/** Tool-call index of each {@code tool_use} content block, by Anthropic block index. */
	private final Map<Integer, Integer> toolCalls = new HashMap<>();

	/** Block indexes of the JSON-mode tool, whose input is streamed as content. */
	private final Set<Integer> jsonBlocks = new HashSet<>();

	/** Tool and JSON-mode blocks that have streamed a non-empty argument fragment. */
	private final Set<Integer> withArguments = new HashSet<>();

	/** Whether {@code message_stop} arrived: the stream is complete. */
	private boolean stopped;

	/** Whether the client speaks Anthropic's API too: each canonical event then carries the events it was read from. */
	private final boolean handOver;

	AnthropicStreamTranslator(LlmExchange exchange, RouteTarget target, boolean jsonMode, boolean handOver) {
		this.exchange = exchange;
		this.target = target;
		this.jsonMode = jsonMode;
		this.handOver = handOver;
		this.model = target.model().upstreamModel();
	}

	/**
	 * Translates one event; for a client of Anthropic's own API, the first canonical event it
	 * became carries it ({@link SseEvent#origin()}), and an event with no canonical counterpart
	 * (server tool results, citations, {@code ping}, types added later) rides on an empty chunk,
	 * so the door hands every event over, in order, as Anthropic wrote it.
	 */
	@Override
	public List<SseEvent> onEvent(SseEvent event) {
		List<SseEvent> canonical = translate(event);
		if (!this.handOver) {
			return canonical;
		}
		if (canonical.isEmpty()) {
			ObjectNode carrier = base();
			carrier.putArray("choices");
			return List.of(event(carrier).from(List.of(event)));
		}
		List<SseEvent> out = new ArrayList<>(canonical);
		out.set(0, out.get(0).from(List.of(event)));
		return out;
	}

	private List<SseEvent> translate(SseEvent event) {
		JsonNode data;
		try {
			data = Json.tree(event);
		}
		catch (JacksonException ex) {
			return List.of();
		}
		String type = data.path("type").asString((event.event() != null) ? event.event() : "");
		return switch (type) {
			case "message_start" -> start(data.path("message"));
			case "content_block_start" -> blockStart(data.path("index").asInt(), data.path("content_block"));
			case "content_block_delta" -> blockDelta(data.path("index").asInt(), data.path("delta"));
			case "message_delta" -> messageDelta(data);
			case "content_block_stop" -> blockStop(data.path("index").asInt());
			case "message_stop" -> stop();
			case "error" -> {
				recordUsageSoFar();
				throw AnthropicResponses.error(this.target,
						AnthropicResponses.status(AnthropicRequests.string(data.path("error"), "type")),
						new HttpHeaders(), data.path("error"));
			}
			// ping, and event types Anthropic may add later
			default -> List.of();
		};
	}

	@Override
	public List<SseEvent> onEnd() {
		if (!this.stopped) {
			recordUsageSoFar();
			throw UpstreamErrors.streamTruncated(this.target, "no message_stop");
		}
		return List.of(SseEvent.DONE_EVENT);
	}

	/** What the provider reported before the stream failed: billed, though the answer is incomplete. */
	private void recordUsageSoFar() {
		if (!this.usage.isEmpty()) {
			this.exchange.recordUsage(AnthropicResponses.usage(this.usage));
		}
	}

	private List<SseEvent> start(JsonNode message) {
		this.id = message.path("id").asString(this.id);
		this.model = message.path("model").asString(this.model);
		addUsage(message.path("usage"));
		ObjectNode delta = Json.object().put("role", "assistant").put("content", "");
		return List.of(chunk(delta, null));
	}

	private List<SseEvent> blockStart(int index, JsonNode block) {
		String type = block.path("type").asString("");
		if ("text".equals(type)) {
			return content(block.path("text").asString(""));
		}
		if ("thinking".equals(type)) {
			return reasoning(block.path("thinking").asString(""));
		}
		if ("redacted_thinking".equals(type)) {
			return thinking(Thinking.blockDelta(block));
		}
		if (!"tool_use".equals(type)) {
			return List.of();
		}
		if (this.jsonMode) {
			this.jsonBlocks.add(index);
			return List.of();
		}
		int toolIndex = this.toolCalls.size();
		this.toolCalls.put(index, toolIndex);
		ObjectNode call = Json.object()
			.put("index", toolIndex)
			.put("id", block.path("id").asString(""))
			.put("type", "function");
		call.putObject("function").put("name", block.path("name").asString("")).put("arguments", "");
		return toolCall(call);
	}

	private List<SseEvent> blockDelta(int index, JsonNode delta) {
		String type = delta.path("type").asString("");
		if ("text_delta".equals(type)) {
			return content(delta.path("text").asString(""));
		}
		if ("thinking_delta".equals(type)) {
			return reasoning(delta.path("thinking").asString(""));
		}
		if ("signature_delta".equals(type)) {
			return thinking(Thinking.signatureDelta(delta.path("signature").asString("")));
		}
		String partialJson = delta.path("partial_json").asString("");
		if (!"input_json_delta".equals(type) || partialJson.isEmpty()) {
			// citations_delta; or an empty argument fragment
			return List.of();
		}
		if (this.jsonBlocks.contains(index)) {
			this.withArguments.add(index);
			return content(partialJson);
		}
		Integer toolIndex = this.toolCalls.get(index);
		if (toolIndex == null) {
			return List.of();
		}
		this.withArguments.add(index);
		return arguments(toolIndex, partialJson);
	}

	/** Closes a block: a tool or JSON-mode block that streamed no argument fragment gets {@code {}}. */
	private List<SseEvent> blockStop(int index) {
		if (this.withArguments.contains(index)) {
			return List.of();
		}
		if (this.jsonBlocks.contains(index)) {
			this.withArguments.add(index);
			return content("{}");
		}
		Integer toolIndex = this.toolCalls.get(index);
		if (toolIndex == null) {
			return List.of();
		}
		this.withArguments.add(index);
		return arguments(toolIndex, "{}");
	}

	private List<SseEvent> arguments(int toolIndex, String fragment) {
		ObjectNode call = Json.object().put("index", toolIndex);
		call.putObject("function").put("arguments", fragment);
		return toolCall(call);
	}

	private List<SseEvent> messageDelta(JsonNode data) {
		addUsage(data.path("usage"));
		String finishReason = AnthropicResponses
			.finishReason(AnthropicRequests.string(data.path("delta"), "stop_reason"), this.jsonMode);
		if (finishReason == null) {
			return List.of();
		}
		SseEvent chunk = chunk(Json.object(), finishReason, AnthropicRequests.string(data.path("delta"), "stop_sequence"));
		return List.of(chunk);
	}

	private List<SseEvent> stop() {
		this.stopped = true;
		Usage usage = AnthropicResponses.usage(this.usage);
		this.exchange.recordUsage(usage);
		if (!this.exchange.clientWantsStreamUsage()) {
			return List.of();
		}
		ObjectNode chunk = base();
		chunk.putArray("choices");
		chunk.set("usage", AnthropicResponses.usageJson(this.usage));
		return List.of(event(chunk));
	}

	private List<SseEvent> content(String text) {
		if (text.isEmpty()) {
			return List.of();
		}
		this.exchange.timing().firstToken();
		return List.of(chunk(Json.object().put("content", text), null));
	}

	private List<SseEvent> reasoning(String text) {
		return text.isEmpty() ? List.of() : thinking(Thinking.reasoningDelta(text));
	}

	private List<SseEvent> thinking(ObjectNode delta) {
		this.exchange.timing().firstToken();
		return List.of(chunk(delta, null));
	}

	private List<SseEvent> toolCall(ObjectNode call) {
		this.exchange.timing().firstToken();
		ObjectNode delta = Json.object();
		delta.putArray("tool_calls").add(call);
		return List.of(chunk(delta, null));
	}

	/**
	 * Usage counts are cumulative, and {@code message_delta} may repeat input counts that
	 * {@code message_start} already gave (or, on Anthropic-compatible servers, give them for the
	 * first time), so each count keeps the largest value seen.
	 */
	private void addUsage(JsonNode usage) {
		addCounts(this.usage, usage);
		JsonNode lifetimes = usage.path("cache_creation");
		if (lifetimes.isObject()) {
			JsonNode seen = this.usage.get("cache_creation");
			addCounts((seen instanceof ObjectNode kept) ? kept : this.usage.putObject("cache_creation"), lifetimes);
		}
	}

	private static void addCounts(ObjectNode kept, JsonNode counts) {
		for (Map.Entry<String, JsonNode> count : counts.properties()) {
			if (count.getValue().isIntegralNumber()) {
				kept.put(count.getKey(), Math.max(Usage.count(kept, count.getKey()), Usage.count(counts, count.getKey())));
			}
		}
	}

	private SseEvent chunk(ObjectNode delta, @Nullable String finishReason) {
		return chunk(delta, finishReason, null);
	}

	/** @param stopSequence the sequence Anthropic stopped at, as {@code stop_reason} (see {@link AnthropicResponses}) */
	private SseEvent chunk(ObjectNode delta, @Nullable String finishReason, @Nullable String stopSequence) {
		ObjectNode chunk = base();
		ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
		choice.set("delta", delta);
		choice.putNull("logprobs");
		choice.put("finish_reason", finishReason);
		if (stopSequence != null) {
			choice.put("stop_reason", stopSequence);
		}
		return event(chunk);
	}

	private ObjectNode base() {
		return Json.object()
			.put("id", this.id)
			.put("object", "chat.completion.chunk")
			.put("created", this.created)
			.put("model", this.model);
	}

	private static SseEvent event(ObjectNode chunk) {
		return Json.event(chunk);
	}

}
