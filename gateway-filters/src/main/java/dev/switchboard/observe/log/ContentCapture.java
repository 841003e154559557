package dev.switchboard.observe.log;

import reactor.core.publisher.Flux;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

import dev.switchboard.core.Json;
import dev.switchboard.core.LlmResponse;
import dev.switchboard.core.Operation;
import dev.switchboard.sse.SseEvent;

/**
 * The prompt and completion text of one request, for the request log when an operator asks for it
 * ({@code switchboard.observability.log-content.enabled}). Off by default: prompts carry whatever
 * users type.
 *
 * <p>Each text is bounded by {@code maxChars}. The completion of a stream is read from its chunks as
 * they pass, never by holding the stream: once the limit is reached the remaining chunks are not
 * even parsed. Images, audio and other non-text parts appear as a placeholder, so a data URL never
 * fills a log line.
 */
final class ContentCapture {

	static final String TRUNCATED = "...";

	private final int maxChars;

	private final Operation operation;

	private final StringBuilder prompt = new StringBuilder();

	private final StringBuilder completion = new StringBuilder();

	private volatile boolean completionFull;

	ContentCapture(Operation operation, JsonNode body, int maxChars) {
		this.maxChars = maxChars;
		this.operation = operation;
		if (operation == Operation.EMBEDDINGS) {
			embeddingsInput(body.path("input"));
		}
		else {
			for (JsonNode message : body.path("messages")) {
				if (!this.prompt.isEmpty()) {
					append(this.prompt, "\n");
				}
				append(this.prompt, message.path("role").asString("?") + ": ");
				content(this.prompt, message.path("content"));
				toolCalls(this.prompt, message.path("tool_calls"));
			}
		}
	}

	String prompt() {
		return this.prompt.toString();
	}

	/** The completion so far; whole once the response has been written. */
	synchronized String completion() {
		return this.completion.toString();
	}

	/** Reads the completion from the response as it is written; the response itself is unchanged. */
	LlmResponse tee(LlmResponse response) {
		if (response.status() != 200 || this.operation == Operation.EMBEDDINGS) {
			// an error is in the record already; vectors are not text
			return response;
		}
		if (response.isStream()) {
			return response.withEvents(this::tee);
		}
		try {
			for (JsonNode choice : Json.MAPPER.readTree(response.json()).path("choices")) {
				completionPart(choice.path("message"));
			}
		}
		catch (JacksonException ex) {
			// not JSON: nothing to log, and the client gets the body as it is
		}
		return response;
	}

	private Flux<SseEvent> tee(Flux<SseEvent> events) {
		return events.doOnNext(event -> {
			if (this.completionFull || event.isDone()) {
				return;
			}
			try {
				for (JsonNode choice : Json.tree(event).path("choices")) {
					completionPart(choice.path("delta"));
				}
			}
			catch (JacksonException ex) {
				// an event that is not a chunk (an error event is already in the record)
			}
		});
	}

	private synchronized void completionPart(JsonNode message) {
		content(this.completion, message.path("content"));
		toolCalls(this.completion, message.path("tool_calls"));
		this.completionFull = this.completion.length() > this.maxChars;
	}

	private void embeddingsInput(JsonNode input) {
		if (input.isString()) {
			append(this.prompt, input.asString());
			return;
		}
		for (JsonNode item : input) {
			if (!this.prompt.isEmpty()) {
				append(this.prompt, "\n");
			}
			append(this.prompt, item.isString() ? item.asString() : "[tokens]");
		}
	}

	/** A message's content: a string, or parts of which only text is kept. */
	private void content(StringBuilder into, JsonNode content) {
		if (content.isString()) {
			append(into, content.asString());
			return;
		}
		for (JsonNode part : content) {
			String type = part.path("type").asString("");
			append(into, type.equals("text") ? part.path("text").asString("") : "[" + type + "]");
		}
	}

	/** Tool calls, whole in a message or in pieces in stream deltas (name first, then arguments). */
	private void toolCalls(StringBuilder into, JsonNode calls) {
		for (JsonNode call : calls) {
			JsonNode function = call.path("function");
			if (function.hasNonNull("name")) {
				append(into, "[tool call " + function.path("name").asString("?") + "] ");
			}
			append(into, function.path("arguments").asString(""));
		}
	}

	/** Appends what fits; the first text that does not fit leaves the cut mark, after which nothing is added. */
	private void append(StringBuilder into, String text) {
		int room = this.maxChars - into.length();
		if (text.isEmpty() || room < 0) {
			return;
		}
		if (text.length() <= room) {
			into.append(text);
		}
		else {
			into.append(text, 0, room).append(TRUNCATED);
		}
	}

}
