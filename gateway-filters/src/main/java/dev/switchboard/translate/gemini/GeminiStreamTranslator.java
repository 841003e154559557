package dev.switchboard.translate.gemini;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.core.Json;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.RouteTarget;
import dev.switchboard.core.Thinking;
import dev.switchboard.sse.SseEvent;
import dev.switchboard.translate.spi.StreamTranslator;
import dev.switchboard.translate.spi.UpstreamErrors;

/**
 * Turns {@code streamGenerateContent?alt=sse} events into OpenAI {@code chat.completion.chunk}s.
 *
 * <p>Each Gemini event is a complete {@code GenerateContentResponse} carrying the next slice of
 * text, whole function calls (never split) and, on the last event, the finish reason. The
 * translator fixes the id, creation time and model at the first event, sends the assistant role
 * once per choice, numbers tool calls per choice, and remembers whether a choice called functions
 * so that its STOP reads as {@code tool_calls}.
 *
 * <p>Gemini repeats {@code usageMetadata} on events, cumulative, final on the last one: the last
 * seen is recorded when the stream ends, and sent as OpenAI's trailing {@code choices: []} chunk
 * only to clients that asked with {@code stream_options.include_usage}.
 *
 * <p>A complete stream gives each candidate a {@code finishReason} on its last event. A stream that
 * ends without any was cut short (a dropped connection, a proxy's idle timeout), so
 * {@link #onEnd()} throws a 502 rather than send the {@code [DONE]} that would present a partial
 * answer as complete; the gateway turns it into an error event, or fails over if nothing was
 * written yet. Whenever a stream fails (cut short, an {@code error} event, a prompt blocked after
 * the first events) the usage reported so far is recorded before the error is raised: Google bills
 * the prompt it read.
 */
final class GeminiStreamTranslator implements StreamTranslator {

	private final LlmExchange exchange;

	private final RouteTarget target;

	private final long created;

	private final Supplier<String> ids;

	private GeminiChatResponses.@Nullable Identity identity;

	private final Set<Integer> roleSent = new HashSet<>();

	private final Map<Integer, Integer> toolCalls = new HashMap<>();

	private @Nullable JsonNode usage;

	/** Whether a candidate reported a {@code finishReason}: the stream got to its end. */
	private boolean finished;

	GeminiStreamTranslator(LlmExchange exchange, RouteTarget target, long created, Supplier<String> ids) {
		this.exchange = exchange;
		this.target = target;
		this.created = created;
		this.ids = ids;
	}

	@Override
	public List<SseEvent> onEvent(SseEvent event) {
		if (event.isDone() || event.data().length == 0) {
			return List.of();
		}
		JsonNode response;
		try {
			response = Json.tree(event);
		}
		catch (JacksonException ex) {
			throw UpstreamErrors.invalidResponse(this.target, "a stream event that is not valid JSON");
		}
		JsonNode error = response.get("error");
		if (error != null && error.isObject()) {
			recordUsageSoFar();
			throw GeminiErrors.inStream(this.target, error);
		}
		if (this.identity == null) {
			this.identity = GeminiChatResponses.Identity.of(response, this.target.model().upstreamModel(), this.created,
					this.ids);
		}
		JsonNode metadata = response.get("usageMetadata");
		if (metadata != null && metadata.isObject()) {
			this.usage = metadata;
		}
		JsonNode candidates = response.path("candidates");
		String blockReason = response.path("promptFeedback").path("blockReason").asString("");
		if (candidates.isEmpty() && !blockReason.isEmpty()) {
			recordUsageSoFar();
			throw GeminiErrors.blockedPrompt(this.target, blockReason);
		}
		List<SseEvent> out = new ArrayList<>();
		for (int position = 0; position < candidates.size(); position++) {
			JsonNode candidate = candidates.get(position);
			ObjectNode chunk = chunk(candidate.path("index").asInt(position), candidate);
			if (chunk != null) {
				out.add(Json.event(chunk));
			}
		}
		return out;
	}

	/** The OpenAI chunk for one candidate's slice; {@code null} when the slice says nothing. */
	private @Nullable ObjectNode chunk(int index, JsonNode candidate) {
		ObjectNode delta = Json.object();
		if (this.roleSent.add(index)) {
			delta.put("role", "assistant");
		}
		JsonNode parts = candidate.path("content").path("parts");
		String thoughts = GeminiChatResponses.thoughts(parts);
		if (thoughts != null) {
			delta.put(Thinking.REASONING_CONTENT, thoughts);
		}
		String text = GeminiChatResponses.text(parts);
		if (text != null) {
			delta.put("content", text);
		}
		ArrayNode calls = Json.NODES.arrayNode();
		for (JsonNode part : parts) {
			if (part.has("functionCall")) {
				ObjectNode call = GeminiChatResponses.toolCall(part, this.ids);
				int callIndex = this.toolCalls.merge(index, 1, Integer::sum) - 1;
				calls.add(Json.object().put("index", callIndex).setAll(call));
			}
		}
		if (!calls.isEmpty()) {
			delta.set("tool_calls", calls);
		}
		if ((text != null && !text.isEmpty()) || (thoughts != null && !thoughts.isEmpty()) || !calls.isEmpty()) {
			this.exchange.timing().firstToken();
		}
		String finish = GeminiChatResponses.finishReason(candidate.path("finishReason").asString(null),
				this.toolCalls.containsKey(index));
		this.finished |= finish != null;
		if (delta.isEmpty() && finish == null) {
			return null;
		}
		ObjectNode chunk = this.identity.start("chat.completion.chunk");
		ObjectNode choice = chunk.putArray("choices").addObject();
		choice.put("index", index);
		choice.set("delta", delta);
		choice.putNull("logprobs");
		if (finish != null) {
			choice.put("finish_reason", finish);
		}
		else {
			choice.putNull("finish_reason");
		}
		return chunk;
	}

	@Override
	public List<SseEvent> onEnd() {
		recordUsageSoFar();
		if (!this.finished) {
			throw UpstreamErrors.streamTruncated(this.target, "no finishReason");
		}
		if (this.usage == null || !this.exchange.clientWantsStreamUsage()) {
			return List.of(SseEvent.DONE_EVENT);
		}
		ObjectNode chunk = this.identity.start("chat.completion.chunk");
		chunk.putArray("choices");
		chunk.set("usage", GeminiChatResponses.openAiUsage(this.usage));
		return List.of(Json.event(chunk), SseEvent.DONE_EVENT);
	}

	private void recordUsageSoFar() {
		if (this.usage != null) {
			this.exchange.recordUsage(GeminiChatResponses.usage(this.usage));
		}
	}

}
