package dev.switchboard.endpoint.anthropic;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

import dev.switchboard.core.Json;
import dev.switchboard.sse.SseEvent;

/**
 * The Anthropic door's stream: an Anthropic provider's own events handed over as they came, when
 * the canonical events carry them ({@link SseEvent#origin()}), so server tool results, citations,
 * {@code pause_turn} and event types newer than the gateway reach the client; a canonical stream
 * (any other provider, a cache hit) written by {@link MessagesStream}.
 *
 * <p>A decorator may end a handed-over stream with canonical events of its own (the quota's cut
 * at a budget: a finish chunk, usage, {@code [DONE]}). Those close the stream in Anthropic's
 * terms: the open blocks stop, then {@code message_delta} with the stop reason and usage, then
 * {@code message_stop}, each only if Anthropic had not sent it. For that the events handed over
 * are watched by name; only block starts and stops are parsed, for their index.
 */
final class MessagesHandOver {

	private final MessagesStream canonical;

	private boolean handingOver;

	private final TreeSet<Integer> openBlocks = new TreeSet<>();

	private boolean delivered;

	private boolean stopped;

	private @Nullable String stopReason;

	private @Nullable JsonNode usage;

	MessagesHandOver(MessagesStream canonical) {
		this.canonical = canonical;
	}

	List<SseEvent> onEvent(SseEvent event) {
		List<SseEvent> origin = event.origin();
		if (origin != null) {
			this.handingOver = true;
			origin.forEach(this::watch);
			return origin;
		}
		if (!this.handingOver) {
			return this.canonical.onEvent(event);
		}
		return close(event);
	}

	private void watch(SseEvent event) {
		String name = (event.event() != null) ? event.event() : "";
		switch (name) {
			case "content_block_start" -> this.openBlocks.add(index(event));
			case "content_block_stop" -> this.openBlocks.remove(index(event));
			case "message_delta" -> this.delivered = true;
			case "message_stop" -> this.stopped = true;
			default -> {
			}
		}
	}

	/** A decorator's canonical event after the provider's: the finish and usage are kept, {@code [DONE]} closes. */
	private List<SseEvent> close(SseEvent event) {
		if (this.stopped) {
			return List.of();
		}
		if (!event.isDone()) {
			JsonNode chunk = parse(event);
			JsonNode finish = chunk.path("choices").path(0).path("finish_reason");
			if (finish.isString()) {
				this.stopReason = MessagesResponses.stopReason(finish.stringValue(), null);
			}
			if (chunk.path("usage").isObject()) {
				this.usage = chunk.get("usage");
			}
			return List.of();
		}
		List<SseEvent> out = new ArrayList<>();
		this.openBlocks.forEach(index -> out.add(MessagesStream.blockStop(index)));
		this.openBlocks.clear();
		if (!this.delivered) {
			out.add(MessagesStream.messageDelta(this.stopReason, null, this.usage));
		}
		out.add(MessagesStream.messageStop());
		this.stopped = true;
		return out;
	}

	private static int index(SseEvent event) {
		return parse(event).path("index").asInt(-1);
	}

	private static JsonNode parse(SseEvent event) {
		try {
			return Json.tree(event);
		}
		catch (JacksonException ex) {
			return Json.object();
		}
	}

}
