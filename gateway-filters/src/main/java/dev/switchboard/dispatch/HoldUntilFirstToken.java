package dev.switchboard.dispatch;

import java.util.ArrayList;
import java.util.List;

import dev.switchboard.core.Attempt;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.sse.SseEvent;
import dev.switchboard.translate.spi.StreamTranslator;

/**
 * Holds back the translated events that carry no generated output yet (a role-only first chunk,
 * Anthropic's {@code message_start}) until the first token arrives or the stream ends, then lets
 * them through in order, and everything after as it comes.
 *
 * <p>Writing the first event commits the response, and a committed response cannot fail over: a
 * provider that fails just after opening its stream (Anthropic's {@code overloaded_error} after
 * {@code message_start}, a reset before any text) must leave nothing written, so that the next
 * target can still answer. The translators mark the first token on the exchange before they emit
 * it, so nothing that carries content is ever held; a translator that never marks one (a custom
 * adapter) is held back for {@value #MAX_HELD_EVENTS} events at most, never a whole stream.
 *
 * <p>Releasing marks the attempt {@linkplain Attempt#answering() answering}: the failover deadline
 * stops there, not at the first byte written, since a guardrail may hold the answer back longer.
 *
 * <p>It wraps the translator rather than adding an operator to the stream: the holding happens in
 * the step that already maps each upstream event to zero or more events, with its backpressure.
 */
final class HoldUntilFirstToken implements StreamTranslator {

	/** Events held back, at most, while waiting for the first token. */
	static final int MAX_HELD_EVENTS = 16;

	private final LlmExchange exchange;

	private final Attempt attempt;

	private final StreamTranslator translator;

	private List<SseEvent> held = new ArrayList<>();

	HoldUntilFirstToken(LlmExchange exchange, Attempt attempt, StreamTranslator translator) {
		this.exchange = exchange;
		this.attempt = attempt;
		this.translator = translator;
		exchange.timing().attemptStarted();
	}

	@Override
	public List<SseEvent> onEvent(SseEvent event) {
		List<SseEvent> translated = this.translator.onEvent(event);
		if (this.held == null) {
			return translated;
		}
		this.held.addAll(translated);
		if (!this.exchange.timing().attemptHasToken() && this.held.size() < MAX_HELD_EVENTS) {
			return List.of();
		}
		return release();
	}

	@Override
	public List<SseEvent> onEnd() {
		// A stream cut short throws here: what was held is dropped with it, nothing was written.
		List<SseEvent> trailing = this.translator.onEnd();
		if (this.held == null) {
			return trailing;
		}
		this.held.addAll(trailing);
		return release();
	}

	private List<SseEvent> release() {
		this.attempt.answering();
		List<SseEvent> out = this.held;
		this.held = null;
		return out;
	}

}
