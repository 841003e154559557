package dev.switchboard.guard;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
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
 * text have come (or the stream ends), the window is checked, and only then are its events
 * released, as the guardrails let them go on. Nothing reaches the client unchecked: a window
 * refused before anything was sent is a plain error response, one refused later ends the stream
 * with the door's error event. The last check of every stream that had text says
 * {@code complete: true}; when the last window closed on the last text, it runs on the end alone.
 *
 * <p>Each check sees the window's text and, before it, up to a window of the text already released
 * (per text: content, thinking, each tool call's arguments), so a pattern no longer than the
 * window that is split across two windows is still found in the second, and each character is
 * sent to the guardrails at most twice: the checks of a long answer grow with its length, not its
 * square. What a window released stays released, which is the price of a window smaller than the
 * answer (hold the whole answer, the default, when nothing may leave before the last word). A
 * rewrite changes the held text only: one that would change text already sent refuses the rest;
 * one that adds text after a text's last piece gets a chunk of its own. Held events are bounded by
 * the window, and the window by {@link GuardedRail#WHOLE_ANSWER}.
 *
 * <p>A rewrite of thinking empties the signature of the block it is in ({@link AnswerTexts}), as
 * in a whole answer. Released events are the canonical ones without the provider's native events
 * beside them ({@link SseEvent#origin()}), which would carry text no check saw.
 */
final class HeldStream {

	/** Marks the end of the stream in the last batch; never released. */
	private static final Held END = new Held(SseEvent.DONE_EVENT, List.of(), List.of());

	private final GuardService service;

	private final LlmExchange exchange;

	private final List<GuardedRail> rails;

	private final int window;

	private final Consumer<String> refused;

	/** Per slot, the end of its text as checked and released (a window at most): the next check's context. */
	private final Map<Slot, String> context = new TreeMap<>();

	/** Choices whose current thinking block a rewrite changed: its signature is to be emptied. */
	private final Set<Integer> rewroteThinking = new HashSet<>();

	private int held;

	private boolean checked;

	private boolean checkedComplete;

	/** The last chunk seen, as the model of a chunk of the gateway's own. */
	private @Nullable SseEvent lastChunk;

	HeldStream(GuardService service, LlmExchange exchange, List<GuardedRail> rails, int window,
			Consumer<String> refused) {
		this.service = service;
		this.exchange = exchange;
		this.rails = rails;
		this.window = Math.max(1, Math.min(window, GuardedRail.WHOLE_ANSWER));
		this.refused = refused;
	}

	Flux<SseEvent> hold(Flux<SseEvent> events) {
		return events.map(Held::of)
			.concatWith(Mono.just(END))
			.bufferUntil(this::closesWindow)
			.concatMap(this::release, 0);
	}

	/** An event held back, with its texts and the choices whose signed thinking it ends, read once. */
	private record Held(SseEvent event, List<Piece> pieces, List<Integer> signing) {

		static Held of(SseEvent event) {
			if (event.isDone()) {
				return new Held(event, List.of(), List.of());
			}
			try {
				JsonNode chunk = Json.tree(event);
				return new Held(event, AnswerTexts.read(chunk, AnswerTexts.DELTA), AnswerTexts.signing(chunk));
			}
			catch (JacksonException ex) {
				return new Held(event, List.of(), List.of());
			}
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
		boolean complete = !batch.isEmpty() && batch.get(batch.size() - 1) == END;
		List<Held> events = complete ? batch.subList(0, batch.size() - 1) : batch;
		Map<Slot, StringBuilder> added = new TreeMap<>();
		for (Held event : events) {
			if (!event.event().isDone()) {
				this.lastChunk = event.event();
			}
			for (Piece piece : event.pieces()) {
				added.computeIfAbsent(piece.slot(), slot -> new StringBuilder()).append(piece.text());
			}
		}
		boolean lastCheck = complete && this.checked && !this.checkedComplete;
		if (added.isEmpty() && !lastCheck) {
			return Flux.fromIterable(rewritten(events, Map.of()));
		}
		this.checked = true;
		this.checkedComplete = complete;
		Set<Slot> all = new TreeSet<>(this.context.keySet());
		all.addAll(added.keySet());
		List<Slot> slots = new ArrayList<>(all);
		List<String> texts = new ArrayList<>(slots.size());
		for (Slot slot : slots) {
			StringBuilder more = added.get(slot);
			String before = this.context.getOrDefault(slot, "");
			texts.add((more == null) ? before : before + more);
		}
		return this.service.checkAnswerTexts(this.exchange, this.rails, texts, complete, this.refused)
			.flatMapIterable(checked -> {
				Map<Slot, String> replaced = new HashMap<>();
				for (int i = 0; i < slots.size(); i++) {
					Slot slot = slots.get(i);
					String before = this.context.getOrDefault(slot, "");
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
					this.context.put(slots.get(i), tail(checked.get(i), this.window));
				}
				return rewritten(events, replaced);
			});
	}

	/**
	 * The batch with each replaced slot's new text laid over its pieces ({@link #laid}); new text
	 * for a slot without a piece in the batch goes out in the batch's last chunk, or a chunk of its
	 * own before {@code [DONE]}. Thinking blocks a rewrite changed end unsigned.
	 */
	private List<SseEvent> rewritten(List<Held> batch, Map<Slot, String> replaced) {
		List<Map<Slot, String>> changes = new ArrayList<>(batch.size());
		for (int i = 0; i < batch.size(); i++) {
			changes.add(Map.of());
		}
		Map<Slot, String> orphans = new TreeMap<>();
		replaced.forEach((slot, rewrite) -> {
			if (!laid(batch, slot, rewrite, changes)) {
				orphans.put(slot, rewrite);
			}
		});
		int last = batch.size() - 1;
		while (last >= 0 && batch.get(last).event().isDone()) {
			last--;
		}
		List<SseEvent> out = new ArrayList<>(batch.size() + 1);
		for (int i = 0; i < batch.size(); i++) {
			Held held = batch.get(i);
			if (held.event().isDone()) {
				if (!orphans.isEmpty()) {
					out.add(ownChunk(orphans));
					orphans.clear();
				}
				out.add(held.event());
				continue;
			}
			Map<Slot, String> texts = changes.get(i);
			boolean appends = i == last && !orphans.isEmpty();
			boolean unsigns = false;
			for (Integer choice : held.signing()) {
				unsigns |= this.rewroteThinking.contains(choice);
			}
			for (Slot slot : texts.keySet()) {
				if (slot.thinking()) {
					this.rewroteThinking.add(slot.choice());
				}
			}
			if (texts.isEmpty() && !appends && !unsigns) {
				out.add(canonical(held.event()));
				continue;
			}
			ObjectNode chunk = (ObjectNode) Json.tree(held.event()).deepCopy();
			AnswerTexts.write(chunk, AnswerTexts.DELTA, texts);
			if (appends) {
				orphans.forEach((slot, text) -> AnswerTexts.append(chunk, slot, text));
				orphans.clear();
			}
			for (Integer choice : held.signing()) {
				if (this.rewroteThinking.remove(choice)) {
					AnswerTexts.unsign(chunk, choice);
					this.exchange.decide("guard", "a guardrail changed the thinking of choice " + choice
							+ ": its block goes out unsigned");
				}
			}
			out.add(Json.event(held.event().event(), chunk));
		}
		if (!orphans.isEmpty()) {
			// No chunk in the batch to carry it, and no [DONE] to put it before.
			out.add(ownChunk(orphans));
		}
		return out;
	}

	/**
	 * Lays {@code rewrite}, the new text of {@code slot} in this batch, over the slot's pieces:
	 * pieces wholly before or after what changed keep their text (and their event its bytes), the
	 * first piece the change touches (for a pure insertion: the piece it is inserted into, at a
	 * boundary the later one) carries the new text, the others of the change only what is left of
	 * them. A mask of one address in a long answer rewrites the few chunks the address was in.
	 * False when the batch has no piece of the slot.
	 */
	private static boolean laid(List<Held> batch, Slot slot, String rewrite, List<Map<Slot, String>> changes) {
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
		if (texts.isEmpty()) {
			return false;
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
		// The piece that carries the new text: the first that ends after the change starts, else the last.
		int anchor = texts.size() - 1;
		for (int p = 0, start = 0; p < texts.size(); start += texts.get(p).length(), p++) {
			if (start + texts.get(p).length() > prefix) {
				anchor = p;
				break;
			}
		}
		for (int p = 0, start = 0; p < texts.size(); start += texts.get(p).length(), p++) {
			String text = texts.get(p);
			int end = start + text.length();
			if (p != anchor && (end <= prefix || start >= changedEnd)) {
				continue;
			}
			StringBuilder now = new StringBuilder();
			now.append(text, 0, Math.max(0, Math.min(text.length(), prefix - start)));
			if (p == anchor) {
				now.append(inserted);
			}
			if (end > changedEnd) {
				now.append(text, Math.max(0, changedEnd - start), text.length());
			}
			Map<Slot, String> change = changes.get(events.get(p));
			if (change.isEmpty()) {
				change = new HashMap<>(2);
				changes.set(events.get(p), change);
			}
			change.put(slot, now.toString());
		}
		return true;
	}

	/** A chunk like the stream's last, carrying {@code texts}. */
	private SseEvent ownChunk(Map<Slot, String> texts) {
		ObjectNode chunk = Json.object();
		if (this.lastChunk != null) {
			JsonNode model = Json.tree(this.lastChunk);
			for (String field : List.of("id", "object", "created", "model")) {
				if (model.has(field)) {
					chunk.set(field, model.get(field));
				}
			}
		}
		chunk.putArray("choices");
		texts.forEach((slot, text) -> AnswerTexts.append(chunk, slot, text));
		return Json.event(chunk);
	}

	/** The end of {@code text}: its last {@code length} characters, never half a surrogate pair. */
	static String tail(String text, int length) {
		if (text.length() <= length) {
			return text;
		}
		int from = text.length() - length;
		if (Character.isLowSurrogate(text.charAt(from))) {
			from++;
		}
		return text.substring(from);
	}

	/** The event without the provider's native events it was read from. */
	static SseEvent canonical(SseEvent event) {
		return (event.origin() == null) ? event : new SseEvent(event.event(), event.data());
	}

	static List<Piece> pieces(SseEvent event) {
		return Held.of(event).pieces();
	}

}
