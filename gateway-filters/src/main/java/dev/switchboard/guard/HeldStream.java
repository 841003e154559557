package dev.switchboard.guard;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

import reactor.core.publisher.Flux;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.core.GatewayRefusal;
import dev.switchboard.core.Json;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.guard.AnswerTexts.Piece;
import dev.switchboard.guard.AnswerTexts.Slot;
import dev.switchboard.sse.SseEvent;

/**
 * A stream under answer checks: events are held back until {@code window} characters of answer
 * text have come (or the stream ends), the answer so far is checked, and only then are the held
 * events released, as the guardrails let them go on. Nothing reaches the client unchecked: a
 * window refused before anything was sent is a plain error response, one refused later ends the
 * stream with the door's error event.
 *
 * <p>Each check sees the whole answer so far, not only the window, so a pattern split across two
 * windows is still found in the second; what the first window released stays released, which is
 * the price of a window smaller than the answer (hold the whole answer, the default, when nothing
 * may leave before the last word). A rewrite changes the held text only: one that would change text
 * already sent refuses the rest. Held events are bounded by the window, and the window by
 * {@link GuardedRail#WHOLE_ANSWER}.
 *
 * <p>Released events are the canonical ones without the provider's native events beside them
 * ({@link SseEvent#origin()}), which would carry text no check saw.
 */
final class HeldStream {

	private final GuardService service;

	private final LlmExchange exchange;

	private final List<GuardedRail> rails;

	private final int window;

	private final Consumer<String> refused;

	/** Each slot's text as far as it was checked and released. */
	private final Map<Slot, String> released = new TreeMap<>();

	private int held;

	HeldStream(GuardService service, LlmExchange exchange, List<GuardedRail> rails, int window,
			Consumer<String> refused) {
		this.service = service;
		this.exchange = exchange;
		this.rails = rails;
		this.window = Math.max(1, Math.min(window, GuardedRail.WHOLE_ANSWER));
		this.refused = refused;
	}

	Flux<SseEvent> hold(Flux<SseEvent> events) {
		return events.bufferUntil(this::closesWindow).concatMap(this::release, 0);
	}

	/** Counts the event's text; true when the window is full and its events are to be checked. */
	private boolean closesWindow(SseEvent event) {
		for (Piece piece : pieces(event)) {
			this.held += piece.text().length();
		}
		if (this.held >= this.window) {
			this.held = 0;
			return true;
		}
		return false;
	}

	private Flux<SseEvent> release(List<SseEvent> batch) {
		Map<Slot, String> added = new LinkedHashMap<>();
		Map<Slot, Integer> firstEvent = new HashMap<>();
		for (int i = 0; i < batch.size(); i++) {
			for (Piece piece : pieces(batch.get(i))) {
				added.merge(piece.slot(), piece.text(), String::concat);
				firstEvent.putIfAbsent(piece.slot(), i);
			}
		}
		boolean complete = !batch.isEmpty() && batch.get(batch.size() - 1).isDone();
		if (added.isEmpty()) {
			return Flux.fromIterable(batch).map(HeldStream::canonical);
		}
		Map<Slot, String> sofar = new TreeMap<>(this.released);
		added.forEach((slot, text) -> sofar.merge(slot, text, String::concat));
		List<Slot> slots = new ArrayList<>(sofar.keySet());
		List<String> texts = new ArrayList<>(sofar.values());
		return this.service.checkAnswerTexts(this.exchange, this.rails, texts, complete, this.refused)
			.flatMapIterable(checked -> {
				Map<Slot, String> replaced = new HashMap<>();
				for (int i = 0; i < slots.size(); i++) {
					Slot slot = slots.get(i);
					String before = this.released.getOrDefault(slot, "");
					String now = checked.get(i);
					if (now.equals(texts.get(i))) {
						continue;
					}
					if (!now.startsWith(before)) {
						this.exchange.decide("guard", "a guardrail rewrote answer text that was already sent: the "
								+ "stream is ended; hold the whole answer (stream-window: end) to rewrite it");
						throw new GatewayRefusal(400, LlmApiException.INVALID_REQUEST, "content_policy_violation",
								"The answer was blocked by the gateway's guardrails: it had to be changed after part "
										+ "of it was sent.");
					}
					replaced.put(slot, now.substring(before.length()));
				}
				for (int i = 0; i < slots.size(); i++) {
					this.released.put(slots.get(i), checked.get(i));
				}
				return rewritten(batch, replaced, firstEvent);
			});
	}

	/**
	 * The batch with each replaced slot's text in the first event that carried it, and emptied in
	 * the others.
	 */
	private static List<SseEvent> rewritten(List<SseEvent> batch, Map<Slot, String> replaced,
			Map<Slot, Integer> firstEvent) {
		List<SseEvent> out = new ArrayList<>(batch.size());
		for (int i = 0; i < batch.size(); i++) {
			SseEvent event = batch.get(i);
			Map<Slot, String> texts = new HashMap<>();
			for (Piece piece : pieces(event)) {
				String replacement = replaced.get(piece.slot());
				if (replacement != null) {
					texts.put(piece.slot(), (firstEvent.get(piece.slot()) == i) ? replacement : "");
				}
			}
			if (texts.isEmpty()) {
				out.add(canonical(event));
				continue;
			}
			ObjectNode chunk = (ObjectNode) Json.tree(event).deepCopy();
			AnswerTexts.write(chunk, AnswerTexts.DELTA, texts);
			out.add(Json.event(event.event(), chunk));
		}
		return out;
	}

	/** The event without the provider's native events it was read from. */
	static SseEvent canonical(SseEvent event) {
		return (event.origin() == null) ? event : new SseEvent(event.event(), event.data());
	}

	static List<Piece> pieces(SseEvent event) {
		if (event.isDone()) {
			return List.of();
		}
		try {
			JsonNode chunk = Json.tree(event);
			return AnswerTexts.read(chunk, AnswerTexts.DELTA);
		}
		catch (JacksonException ex) {
			return List.of();
		}
	}

}
