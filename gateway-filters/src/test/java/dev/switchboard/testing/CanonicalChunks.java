package dev.switchboard.testing;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

import dev.switchboard.core.FrontDoor;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.LlmResponse;
import dev.switchboard.sse.SseEvent;

/**
 * Canonical {@code chat.completion.chunk} streams for tests of a front door's renderer: chunks of
 * one choice, and a door's events for a stream of them ending with {@code [DONE]}.
 */
public final class CanonicalChunks {

	private CanonicalChunks() {
	}

	/** A chunk of choice 0 with this delta (JSON) and finish reason. */
	public static String chunk(String delta, @Nullable String finishReason) {
		return "{\"id\":\"chatcmpl-9\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,"
				+ "\"delta\":" + delta + ",\"finish_reason\":" + ((finishReason != null) ? "\"" + finishReason + "\"" : "null")
				+ "}]}";
	}

	/** What {@code door} writes for these chunks and a closing {@code [DONE]}. */
	public static List<SseEvent> render(FrontDoor door, LlmExchange exchange, List<String> chunks) {
		List<SseEvent> upstream = new ArrayList<>();
		chunks.forEach(chunk -> upstream.add(SseEvent.data(chunk)));
		upstream.add(SseEvent.DONE_EVENT);
		return door.render(exchange, LlmResponse.stream(Flux.fromIterable(upstream), null)).events().collectList().block();
	}

}
