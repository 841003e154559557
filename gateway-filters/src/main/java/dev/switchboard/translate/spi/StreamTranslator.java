package dev.switchboard.translate.spi;

import java.util.List;

import dev.switchboard.sse.SseEvent;

/**
 * Turns one provider's stream into OpenAI {@code chat.completion.chunk} events, event by event.
 *
 * <p>Stateful and created per attempt: providers spread one logical chunk over several events
 * (Anthropic's content blocks, tool argument deltas) and report usage at different points, so the
 * translator carries ids, tool-call indexes and usage between events. Implementations report the
 * first token and usage to the {@link dev.switchboard.core.LlmExchange} as they see them.
 */
public interface StreamTranslator {

	/** Translates one upstream event into zero or more OpenAI events. */
	List<SseEvent> onEvent(SseEvent event);

	/**
	 * The upstream stream ended; returns trailing events (always ending with {@code [DONE]}).
	 * Throws an {@link dev.switchboard.core.LlmApiException} instead when the provider's protocol
	 * shows the stream was cut short (no closing event), after recording the usage seen so far:
	 * {@code [DONE]} would tell the client a partial answer is complete.
	 */
	List<SseEvent> onEnd();

}
