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
 * <p>The last half window of each window's events is carried over: held back and checked again with
 * the next, so a match no longer than half a window that the window's end cuts (an address, a card
 * number) is found, and masked, while none of it has left. Each check sees the held text and,
 * before it, up to a window of the text already released (per text: content, thinking, each tool
 * call's arguments), so a longer pattern split across windows is still found, and each character
 * is sent to the guardrails a bounded number of times: the checks of a long answer grow with its
 * length, not its square. What a window released stays released, which is the price of a window
 * smaller than the answer (hold the whole answer, the default, when nothing may leave before the
 * last word). A rewrite changes the held text only: one that would change text already sent
 * refuses the rest; one that adds text after a text's last piece gets a chunk of its own. Held events are bounded by
 * the window and a half, and the window by {@link GuardedRail#WHOLE_ANSWER}.
 *
 * <p>A rewrite of thinking empties the signature of the block it is in ({@link AnswerTexts}), as
 * in a whole answer. Released events are the canonical ones without the provider's native events
 * beside them ({@link SseEvent#origin()}), which would carry text no check saw.
 */
final class HeldStream {

	/** Marks the end of the stream in the last batch; never released. */
	private static final Held END = new Held(SseEvent.DONE_EVENT, false, List.of(), List.of(), List.of());

	private final GuardService service;

	private final LlmExchange exchange;

	private final List<GuardedRail> rails;

	private final int window;

	private final Consumer<String> refused;

	/** Per slot, the end of its text as checked and released (a window at most): the next check's context. */
	private final Map<Slot, String> context = new TreeMap<>();

	/** Characters of each window held back and checked again with the next: half a window. */
	private final int carry;

	/** The last events of the window before, held back, as rewritten by its check. */
	private List<Held> carried = List.of();

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
		this.carry = this.window / 2;
		this.refused = refused;
	}

	Flux<SseEvent> hold(Flux<SseEvent> events) {
		return events.map(Held::of)
			.concatWith(Mono.just(END))
			.bufferUntil(this::closesWindow)
			.concatMap(this::release, 0);
	}

	/** An event held back, with its texts and the choices whose signed thinking it ends, read once. */
	private record Held(SseEvent event, boolean json, List<Piece> pieces, List<Integer> signing,
			List<Integer> finishing) {

		static Held of(SseEvent event) {
			if (event.isDone()) {
				return new Held(event, false, List.of(), List.of(), List.of());
			}
			try {
				JsonNode chunk = Json.tree(event);
				return new Held(event, true, AnswerTexts.read(chunk, AnswerTexts.DELTA), AnswerTexts.signing(chunk),
						AnswerTexts.finishing(chunk));
			}
			catch (JacksonException ex) {
				return new Held(event, false, List.of(), List.of(), List.of());
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
		List<Held> events = new ArrayList<>(this.carried.size() + batch.size());
		events.addAll(this.carried);
		events.addAll(complete ? batch.subList(0, batch.size() - 1) : batch);
		this.carried = List.of();
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
		// The texts that grew; at the end every text, for the check that sees the answer complete.
		Set<Slot> all = new TreeSet<>(added.keySet());
		if (complete) {
			all.addAll(this.context.keySet());
		}
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
				List<SseEvent> out = rewritten(events, replaced);
				int from = complete ? out.size() : carryFrom(events);
				List<Held> carried = new ArrayList<>(out.size() - from);
				Map<Slot, Integer> carriedLength = new HashMap<>();
				for (SseEvent event : out.subList(from, out.size())) {
					Held again = Held.of(event);
					carried.add(again);
					for (Piece piece : again.pieces()) {
						carriedLength.merge(piece.slot(), piece.text().length(), Integer::sum);
					}
				}
				this.carried = carried;
				for (int i = 0; i < slots.size(); i++) {
					String now = checked.get(i);
					String sent = now.substring(0, now.length() - carriedLength.getOrDefault(slots.get(i), 0));
					this.context.put(slots.get(i), tail(sent, this.window));
				}
				return out.subList(0, from);
			});
	}

	/**
	 * Where the events to carry over into the next window start: the fewest last events that hold
	 * {@link #carry} characters of text (not one when the window is too small to spare any). A match
	 * no longer than that, cut by the window's end, is then checked whole with the next window while
	 * all of it is still held, rather than found with its start already sent.
	 */
	private int carryFrom(List<Held> events) {
		if (this.carry == 0) {
			return events.size();
		}
		int length = 0;
		for (int i = events.size() - 1; i > 0; i--) {
			for (Piece piece : events.get(i).pieces()) {
				length += piece.text().length();
			}
			if (length >= this.carry) {
				return i;
			}
		}
		// Too little text to release any without cutting what may be a match: wait for more.
		return 0;
	}

	/**
	 * The batch with each replaced slot's new text laid over its pieces ({@link #laid}); new text
	 * for a slot without a piece in the batch goes out with its choice's finish (the last text
	 * before it), else in the batch's last chunk, else in a chunk of its own before {@code [DONE]}.
	 * Thinking blocks a rewrite changed end unsigned.
	 */
	private List<SseEvent> rewritten(List<Held> batch, Map<Slot, String> replaced) {
		List<Map<Slot, String>> changes = new ArrayList<>(batch.size());
		for (int i = 0; i < batch.size(); i++) {
			changes.add(Map.of());
		}
		Map<Integer, Map<Slot, String>> appended = new HashMap<>();
		Map<Slot, String> own = new TreeMap<>();
		replaced.forEach((slot, rewrite) -> {
			if (!laid(batch, slot, rewrite, changes)) {
				int at = carrierOf(batch, slot.choice());
				(at < 0 ? own : appended.computeIfAbsent(at, index -> new TreeMap<>())).put(slot, rewrite);
			}
		});
		List<SseEvent> out = new ArrayList<>(batch.size() + 1);
		for (int i = 0; i < batch.size(); i++) {
			Held held = batch.get(i);
			if (held.event().isDone()) {
				if (!own.isEmpty()) {
					out.add(ownChunk(own));
					own.clear();
				}
				out.add(held.event());
				continue;
			}
			Map<Slot, String> texts = changes.get(i);
			Map<Slot, String> appends = appended.getOrDefault(i, Map.of());
			boolean unsigns = false;
			for (Integer choice : held.signing()) {
				unsigns |= this.rewroteThinking.contains(choice);
			}
			for (Slot slot : texts.keySet()) {
				if (slot.thinking()) {
					this.rewroteThinking.add(slot.choice());
				}
			}
			if (texts.isEmpty() && appends.isEmpty() && !unsigns) {
				out.add(canonical(held.event()));
				continue;
			}
			ObjectNode chunk = (ObjectNode) Json.tree(held.event()).deepCopy();
			AnswerTexts.write(chunk, AnswerTexts.DELTA, texts);
			appends.forEach((slot, text) -> AnswerTexts.append(chunk, slot, text));
			for (Integer choice : held.signing()) {
				if (this.rewroteThinking.remove(choice)) {
					AnswerTexts.unsign(chunk, choice);
					this.exchange.decide("guard", "a guardrail changed the thinking of choice " + choice
							+ ": its block goes out unsigned");
				}
			}
			out.add(Json.event(held.event().event(), chunk));
		}
		if (!own.isEmpty()) {
			// No chunk in the batch to carry it, and no [DONE] to put it before.
			out.add(ownChunk(own));
		}
		return out;
	}

	/** The event to carry text added to {@code choice}: the one that finishes it, else the last chunk; -1 for none. */
	private static int carrierOf(List<Held> batch, int choice) {
		int last = -1;
		for (int i = 0; i < batch.size(); i++) {
			Held held = batch.get(i);
			if (held.json()) {
				if (held.finishing().contains(choice)) {
					return i;
				}
				last = i;
			}
		}
		return last;
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
		// Never between the halves of a surrogate pair: each piece keeps whole characters.
		if (prefix > 0 && Character.isHighSurrogate(before.charAt(prefix - 1))) {
			prefix--;
		}
		if (suffix > 0 && Character.isLowSurrogate(before.charAt(before.length() - suffix))) {
			suffix--;
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
		String[] laid = texts.toArray(new String[0]);
		Set<Integer> touched = new HashSet<>();
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
			laid[p] = now.toString();
			touched.add(events.get(p));
		}
		// An event a change touches gets the slot's whole new text in it (with a second piece of the
		// slot in the same event, such as a tool call's index given twice, both).
		for (int p = 0; p < texts.size(); p++) {
			int event = events.get(p);
			if (!touched.contains(event)) {
				continue;
			}
			Map<Slot, String> change = changes.get(event);
			if (change.isEmpty()) {
				change = new HashMap<>(2);
				changes.set(event, change);
			}
			change.merge(slot, laid[p], String::concat);
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
