package dev.switchboard.endpoint.door;

import java.util.ArrayList;
import java.util.List;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

import dev.switchboard.core.Json;
import dev.switchboard.sse.SseEvent;

/**
 * How a door writes a canonical {@code chat.completion.chunk} stream in its own events: each chunk
 * is parsed once, as it passes, and its parts handed to the door in order (the first chunk, the
 * first choice's delta, its finish reason, the usage chunk, {@code [DONE]}); whatever the door
 * writes for them goes out at once, nothing is collected. A chunk that is not JSON is skipped: the
 * provider adapters have already turned a provider's broken event into an error.
 *
 * <p>Per stream, not thread-safe: one stream delivers its events in order.
 */
public abstract class ChunkStreamRenderer {

	private boolean started;

	/** This door's events for one canonical event. */
	public final List<SseEvent> onEvent(SseEvent event) {
		List<SseEvent> out = new ArrayList<>(4);
		if (event.isDone()) {
			begin(out, Json.object());
			done(out);
			return out;
		}
		JsonNode chunk;
		try {
			chunk = Json.tree(event);
		}
		catch (JacksonException ex) {
			return out;
		}
		begin(out, chunk);
		JsonNode choice = chunk.path("choices").path(0);
		if (choice.isObject() && choice.path("index").asInt(0) == 0) {
			delta(out, choice.path("delta"));
			if (choice.path("finish_reason").isString()) {
				finish(out, choice);
			}
		}
		JsonNode usage = chunk.get("usage");
		if (usage != null && usage.isObject()) {
			usage(out, usage);
		}
		return out;
	}

	private void begin(List<SseEvent> out, JsonNode chunk) {
		if (!this.started) {
			this.started = true;
			start(out, chunk);
		}
	}

	/** Once, before anything else: the first chunk (its id, model, created), or an empty object for a stream without one. */
	protected abstract void start(List<SseEvent> out, JsonNode chunk);

	/** The first choice's delta of a chunk: content, reasoning, tool call fragments. */
	protected abstract void delta(List<SseEvent> out, JsonNode delta);

	/** The first choice finished: {@code choice.finish_reason} is a string. */
	protected abstract void finish(List<SseEvent> out, JsonNode choice);

	/** The stream's usage chunk, which the doors always ask for. */
	protected abstract void usage(List<SseEvent> out, JsonNode usage);

	/** {@code [DONE]}: the door's closing events. */
	protected abstract void done(List<SseEvent> out);

}
