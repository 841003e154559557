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
		return events.map(Held::new).bufferUntil(this::closesWindow).concatMap(this::release, 0);
	}

	/** An event held back, with its texts read once. */
	private record Held(SseEvent event, List<Piece> pieces) {

		Held(SseEvent event) {
			this(event, HeldStream.pieces(event));
		}

	}

	/** Counts the event's text; true when the window is full and its events are to be checked. */
	private boolean closesWindow(Held event) {
		for (Piece piece : event.pieces()) {
			this.held += piece.text().length();
		}
		if (this.held >= this.window) {
			this.held = 0;
			return true;
		}
		return false;
	}

	private Flux<SseEvent> release(List<Held> batch) {
		Map<Slot, StringBuilder> added = new LinkedHashMap<>();
		for (Held event : batch) {
			for (Piece piece : event.pieces()) {
				added.computeIfAbsent(piece.slot(), slot -> new StringBuilder()).append(piece.text());
			}
		}
		boolean complete = !batch.isEmpty() && batch.get(batch.size() - 1).event().isDone();
		if (added.isEmpty()) {
			return Flux.fromIterable(batch).map(held -> canonical(held.event()));
		}
		Map<Slot, String> sofar = new TreeMap<>(this.released);
		added.forEach((slot, text) -> sofar.merge(slot, text.toString(), String::concat));
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
				return rewritten(batch, replaced);
			});
	}

	/**
	 * The batch with each replaced slot's new text laid over its pieces: pieces wholly before or
	 * after what the rewrite changed keep their text (and their event its bytes), the first piece
	 * the change touches carries the new text, the others of the change only what follows it. A mask
	 * of one address in a long answer rewrites the few chunks the address was in, not every chunk.
	 */
	private static List<SseEvent> rewritten(List<Held> batch, Map<Slot, String> replaced) {
		// Per event, the slots whose text changes and their new text.
		List<Map<Slot, String>> changes = new ArrayList<>(batch.size());
		for (int i = 0; i < batch.size(); i++) {
			changes.add(new HashMap<>(2));
		}
		replaced.forEach((slot, rewrite) -> {
			List<Integer> events = new ArrayList<>();
			List<String> texts = new ArrayList<>();
			StringBuilder original = new StringBuilder();
			for (int i = 0; i < batch.size(); i++) {
				for (Piece piece : batch.get(i).pieces()) {
					if (piece.slot().equals(slot)) {
						events.add(i);
						texts.add(piece.text());
						original.append(piece.text());
					}
				}
			}
			String before = original.toString();
			int prefix = 0;
			int limit = Math.min(before.length(), rewrite.length());
			while (prefix < limit && before.charAt(prefix) == rewrite.charAt(prefix)) {
				prefix++;
			}
			int suffix = 0;
			while (suffix < limit - prefix
					&& before.charAt(before.length() - 1 - suffix) == rewrite.charAt(rewrite.length() - 1 - suffix)) {
				suffix++;
			}
			int changedEnd = before.length() - suffix;
			String inserted = rewrite.substring(prefix, rewrite.length() - suffix);
			boolean placed = false;
			int start = 0;
			for (int p = 0; p < texts.size(); p++) {
				String text = texts.get(p);
				int end = start + text.length();
				boolean touches = end > prefix && start < changedEnd || (!placed && end == prefix && p == texts.size() - 1);
				if (touches) {
					StringBuilder now = new StringBuilder();
					if (!placed) {
						now.append(text, 0, Math.max(0, prefix - start)).append(inserted);
						placed = true;
					}
					if (end > changedEnd) {
						now.append(text, Math.max(0, changedEnd - start), text.length());
					}
					changes.get(events.get(p)).put(slot, now.toString());
				}
				start = end;
			}
		});
		List<SseEvent> out = new ArrayList<>(batch.size());
		for (int i = 0; i < batch.size(); i++) {
			SseEvent event = batch.get(i).event();
			Map<Slot, String> texts = changes.get(i);
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
