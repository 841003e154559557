package dev.switchboard.guard;

import java.util.ArrayList;
import java.util.Arrays;
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
import dev.switchboard.guard.GuardVerdict.Edit;
import dev.switchboard.sse.SseEvent;

/**
 * A stream under answer checks: events are held back until {@code window} characters of answer
 * text have come (or the stream ends), the window is checked, and only then are its events
 * released, as the guardrails let them go on. Nothing reaches the client unchecked: a window
 * refused before anything was sent is a plain error response, one refused later ends the stream
 * with the door's error event. The last check of every stream that had text says
 * {@code complete: true}; when the last window closed on the last text, it runs on the end alone.
 *
 * <p>The last half window of each text's events is carried over: held back, as it came, and
 * checked again with the next window, so a match no longer than half a window that the window's
 * end cuts (an address, a card number, a key whose first part already looks like one) is found
 * whole, and masked, while none of it has left. Where a change crosses that cut, the cut moves
 * back to the change's start (the guardrails' {@link GuardVerdict#edits()} say where each one is;
 * a rewrite given as text only is one change, {@link Changes#between}), so a mask goes out whole
 * or is held back whole. Each check sees the held text and, before it, up to a window of the text
 * already released, as it came and from the start of a word ({@link Sent}; per text: content,
 * thinking, each tool call's arguments), so a longer pattern split across windows is still found, and each character is
 * sent to the guardrails a bounded number of times: the checks of a long answer grow with its
 * length, not its square. What a window released stays released, which is the price of a window
 * smaller than the answer (hold the whole answer, the default, when nothing may leave before the
 * last word). A rewrite changes the held text only: one that would change text already sent
 * refuses the rest; one that adds text after a text's last piece gets a chunk of its own. What is
 * carried is at most two windows and a half window per text (and one event), and the window at
 * most {@link GuardedRail#WHOLE_ANSWER}; a run of changes that each share a chunk with the next (or
 * a text-only rewrite's one change, from its first difference to its last) is held back whole
 * until it ends ({@link Layout#cut}), and past that bound the rest of the answer is held and
 * checked whole, so a guardrail is never sent the same text window after window.
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

	/** Per slot, the end of its text as released (a window or so): the next check's context. */
	private final Map<Slot, Sent> context = new TreeMap<>();

	/** Characters of each window held back and checked again with the next: half a window. */
	private final int carry;

	/** The last events of the window before, held back as they came, to be checked again with the next. */
	private List<Held> carried = List.of();

	/** Choices whose current thinking block a rewrite changed: its signature is to be emptied. */
	private final Set<Integer> rewroteThinking = new HashSet<>();

	private int held;

	/** Text that closes a window: the window, or the whole answer's bound once the rest is held. */
	private int closing;

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
		this.closing = this.window;
		this.refused = refused;
	}

	Flux<SseEvent> hold(Flux<SseEvent> events) {
		return events.map(Held::of)
			.concatWith(Mono.just(END))
			.bufferUntil(this::closesWindow)
			.concatMap(this::release, 0);
	}

	/** An event held back, with its texts and the choices whose signed thinking it ends, read once. */
	private record Held(SseEvent event, boolean carrier, List<Piece> pieces, List<Integer> signing,
			List<Integer> finishing) {

		static Held of(SseEvent event) {
			if (event.isDone()) {
				return new Held(event, false, List.of(), List.of(), List.of());
			}
			try {
				JsonNode chunk = Json.tree(event);
				boolean carrier = chunk.isObject() && (!chunk.has("choices") || chunk.get("choices").isArray());
				return new Held(event, carrier, AnswerTexts.read(chunk, AnswerTexts.DELTA), AnswerTexts.signing(chunk),
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
		if (this.held >= this.closing) {
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
			return Flux.fromIterable(rewritten(events, events.size(), new Layout(events, Map.of()), false));
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
			String before = this.context.getOrDefault(slot, Sent.NONE).original();
			texts.add((more == null) ? before : before + more);
		}
		return this.service.checkAnswerTexts(this.exchange, this.rails, texts, complete, true, this.refused)
			.flatMapIterable(result -> {
				List<String> checked = result.texts();
				Map<Slot, List<Edit>> changes = new HashMap<>();
				for (int i = 0; i < slots.size(); i++) {
					Sent before = this.context.getOrDefault(slots.get(i), Sent.NONE);
					String now = checked.get(i);
					if (now.equals(texts.get(i))) {
						continue;
					}
					List<Edit> held = held(before, texts.get(i), now, result.edits().get(i));
					if (held == null) {
						this.exchange.decide("guard", "a guardrail rewrote answer text that was already sent: the "
								+ "stream is ended; hold the whole answer (stream-window: end) to rewrite it");
						throw new GatewayRefusal(400, LlmApiException.INVALID_REQUEST, "content_policy_violation",
								"The answer was blocked by the gateway's guardrails: it had to be changed after part "
										+ "of it was sent.");
					}
					changes.put(slots.get(i), held);
				}
				Layout layout = new Layout(events, changes);
				int from = complete ? events.size() : layout.cut(carryFrom(events), events.size());
				if (!complete && from < heldAtMost(events, added.size()) && this.closing != GuardedRail.WHOLE_ANSWER) {
					// Changes that chain (or a text-only rewrite's one change over most of the window)
					// would carry more than the bound, window after window: hold the rest instead.
					this.closing = GuardedRail.WHOLE_ANSWER;
					this.exchange.decide("guard", "guardrail changes too close together to release window by "
							+ "window: the rest of the answer is held and checked whole");
				}
				List<SseEvent> out = rewritten(events, from, layout, complete);
				// Carried as they came: the next window's check sees them again as they were, so a
				// match this window's end cut is found whole, not as the rest of a mask.
				this.carried = new ArrayList<>(events.subList(from, events.size()));
				if (!complete) {
					// Nothing follows the last check: no context to keep for it.
					for (Slot slot : slots) {
						this.context.computeIfAbsent(slot, key -> new Sent())
							.add(layout.sent(slot, from, 3 * this.window), this.window);
					}
				}
				return out;
			});
	}

	/**
	 * The changes of a text's held part ({@code was} after the context, {@code before}) that make
	 * {@code now}: the guardrails' edits where they said them, else one change from the first
	 * difference to the last. The check saw the context as it came, so its rewrite of the context
	 * must be what was sent; {@code null} when it is not, or when a change reaches from the
	 * context into the held part (the rest of a value whose start was sent): text already sent
	 * would have to change.
	 */
	private static @Nullable List<Edit> held(Sent before, String was, String now, @Nullable List<Edit> edits) {
		String context = before.original();
		int length = context.length();
		if (edits == null) {
			String sent = before.sent();
			return now.startsWith(sent) ? Changes.between(was.substring(length), now.substring(sent.length())) : null;
		}
		List<Edit> inContext = new ArrayList<>();
		List<Edit> held = new ArrayList<>(edits.size());
		for (Edit edit : edits) {
			if (edit.end() <= length && edit.start() < length) {
				inContext.add(edit);
			}
			else if (edit.start() < length) {
				return null;
			}
			else {
				held.add(new Edit(edit.start() - length, edit.end() - length, edit.text()));
			}
		}
		return Changes.apply(context, inContext).equals(before.sent()) ? held : null;
	}

	/** Released pieces of a text, as they came and as sent; {@code cut} when they are only its end. */
	private record Released(List<String[]> pieces, boolean cut) {
	}

	/**
	 * What of a text was released, kept as the next check's context: its end as it came, which
	 * is what the check sees (so a value beside a mask is seen beside the text the mask replaced,
	 * as in the whole answer, not beside its brackets), and as it was sent, which is what the
	 * check's rewrite of it must give back. Kept in pieces that no change cuts, a window of the
	 * text or so, from the start of a word: never the back half of a number or a word taken for
	 * a whole one (15 digits of a longer number pass a card's Luhn check), nor between two groups
	 * of a spaced one. Where no word starts within two windows it begins inside one: a check that
	 * then masks part of a word there does not give back what was sent, and ends the stream.
	 */
	private static final class Sent {

		static final Sent NONE = new Sent();

		/** Each piece as it came and as it was sent. */
		private final List<String[]> pieces = new ArrayList<>();

		/** Whether the pieces begin where the text does. */
		private boolean fromStart = true;

		String original() {
			StringBuilder text = new StringBuilder();
			this.pieces.forEach(piece -> text.append(piece[0]));
			return text.toString();
		}

		String sent() {
			StringBuilder text = new StringBuilder();
			this.pieces.forEach(piece -> text.append(piece[1]));
			return text.toString();
		}

		void add(Released released, int window) {
			if (released.cut()) {
				// What was released reaches further back than a context does: it replaces the old one.
				this.pieces.clear();
				this.fromStart = false;
			}
			this.pieces.addAll(released.pieces());
			String text = original();
			if (text.length() <= window && this.fromStart) {
				return;
			}
			cutAt(start(text, window));
			this.fromStart = false;
		}

		/**
		 * Where the context begins: the first word start (or start of a value that was masked,
		 * which the check finds again from there) in the last window; else the last one within
		 * another window; else the last window as it is, inside a word (a check may then see
		 * part of a word as a whole one: what it would mask there is not what was sent, which ends
		 * the stream rather than let a value out). Only where no change is cut.
		 */
		private int start(String text, int window) {
			boolean[] allowed = new boolean[text.length() + 1];
			boolean[] masked = new boolean[text.length() + 1];
			for (int i = 0, at = 0; i < this.pieces.size(); i++) {
				String[] piece = this.pieces.get(i);
				allowed[at] = true;
				if (piece[0].equals(piece[1])) {
					Arrays.fill(allowed, at, at + piece[0].length() + 1, true);
				}
				else {
					masked[at] = true;
				}
				at += piece[0].length();
				allowed[at] = true;
			}
			int from = Math.max(0, text.length() - window);
			for (int at = from; at < text.length(); at++) {
				if (allowed[at] && (wordStart(text, at) || masked[at])) {
					return at;
				}
			}
			for (int at = from - 1; at > 0 && at >= text.length() - 2 * window; at--) {
				if (allowed[at] && (wordStart(text, at) || masked[at])) {
					return at;
				}
			}
			for (int at = from; at < text.length(); at++) {
				if (allowed[at] && !(at > 0 && Character.isLowSurrogate(text.charAt(at)))) {
					return at;
				}
			}
			return this.pieces.isEmpty() ? 0 : text.length() - this.pieces.get(this.pieces.size() - 1)[0].length();
		}

		/**
		 * Whether a word begins at {@code at}: after spaces, and not between two groups of a
		 * spaced number or code (an IBAN's {@code WEST 1234}, a card's {@code 1111 1111}), which a
		 * check would take for a number of its own.
		 */
		private static boolean wordStart(String text, int at) {
			if (at == 0 || !Character.isWhitespace(text.charAt(at - 1)) || Character.isWhitespace(text.charAt(at))) {
				return false;
			}
			int before = at - 1;
			while (before >= 0 && Character.isWhitespace(text.charAt(before))) {
				before--;
			}
			return before < 0 || !(grouped(text.charAt(before)) && grouped(text.charAt(at)));
		}

		private static boolean grouped(char c) {
			return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || c == '+' || c == '(' || c == ')';
		}

		/** Drops what comes before {@code at} in the original text, cutting the unchanged piece it falls in. */
		private void cutAt(int at) {
			int start = 0;
			while (!this.pieces.isEmpty() && start + this.pieces.get(0)[0].length() <= at) {
				start += this.pieces.remove(0)[0].length();
				if (start == at) {
					return;
				}
			}
			if (!this.pieces.isEmpty() && at > start) {
				String rest = this.pieces.get(0)[0].substring(at - start);
				this.pieces.set(0, new String[] { rest, rest });
			}
		}

	}

	/**
	 * Where the events to carry over into the next window start: for each text, the fewest last
	 * events that hold {@link #carry} characters of it (all its pieces when it has fewer), the
	 * earliest of these for all texts. A match no longer than the carry, cut by the window's end,
	 * is then checked whole with the next window while all of it is still held, rather than found
	 * with its start already sent. None when the window is too small to spare any.
	 */
	private int carryFrom(List<Held> events) {
		if (this.carry == 0) {
			return events.size();
		}
		Map<Slot, Integer> counted = new HashMap<>();
		int from = events.size();
		for (int i = events.size() - 1; i >= 0; i--) {
			for (Piece piece : events.get(i).pieces()) {
				int before = counted.getOrDefault(piece.slot(), 0);
				if (before < this.carry) {
					counted.put(piece.slot(), before + piece.text().length());
					from = i;
				}
			}
		}
		return from;
	}

	/**
	 * The earliest event that may be carried over without holding more than the bound: two windows
	 * and a half window for each of the {@code texts} in these events (several choices streamed
	 * side by side each keep their own), one event more when an event crosses that.
	 */
	private int heldAtMost(List<Held> events, int texts) {
		long bound = 2L * this.window + (long) texts * this.carry;
		long total = 0;
		for (int i = events.size() - 1; i >= 0; i--) {
			for (Piece piece : events.get(i).pieces()) {
				total += piece.text().length();
			}
			if (total >= bound) {
				return i;
			}
		}
		return 0;
	}

	/**
	 * The held events' texts with the checked changes laid over the pieces they were read from:
	 * pieces wholly outside a change keep their text (and their event its bytes); the first piece
	 * a change touches (for a pure insertion: the piece it is inserted into, at a boundary the
	 * later one) carries its new text, the others of the change only what is left of them. A mask
	 * of one address in a long answer rewrites the few chunks the address was in. Each change
	 * spans the events it touches, and a window is cut only between changes ({@link #cut}).
	 */
	private static final class Layout {

		/** Per text, the events its pieces are in, in order. */
		private final Map<Slot, List<Integer>> at = new HashMap<>();

		/** Per text, its pieces as they came. */
		private final Map<Slot, List<String>> was = new HashMap<>();

		/** Per text, its pieces as they are now. */
		private final Map<Slot, List<String>> now = new HashMap<>();

		/** Per text a change touched, for each piece the first piece of the change it is in (or itself). */
		private final Map<Slot, int[]> groups = new HashMap<>();

		/** Per event a change touched, the new texts of the texts it touched there. */
		private final Map<Integer, Map<Slot, String>> changed = new HashMap<>();

		/** Per change, the first and the last event it touches. */
		private final List<int[]> spans = new ArrayList<>();

		/** The new text of texts without a piece in these events: added by the last check. */
		private final Map<Slot, String> orphans = new TreeMap<>();

		Layout(List<Held> events, Map<Slot, List<Edit>> changes) {
			for (int i = 0; i < events.size(); i++) {
				for (Piece piece : events.get(i).pieces()) {
					this.at.computeIfAbsent(piece.slot(), slot -> new ArrayList<>()).add(i);
					this.was.computeIfAbsent(piece.slot(), slot -> new ArrayList<>()).add(piece.text());
					this.now.computeIfAbsent(piece.slot(), slot -> new ArrayList<>()).add(piece.text());
				}
			}
			changes.forEach((slot, list) -> {
				if (this.at.containsKey(slot)) {
					lay(slot, list);
				}
				else {
					this.orphans.put(slot, Changes.apply("", list));
				}
			});
		}

		private void lay(Slot slot, List<Edit> changes) {
			List<Integer> events = this.at.get(slot);
			List<String> was = this.was.get(slot);
			int pieces = was.size();
			int[] group = new int[pieces];
			for (int p = 0; p < pieces; p++) {
				group[p] = p;
			}
			this.groups.put(slot, group);
			int[] starts = new int[pieces + 1];
			for (int p = 0; p < pieces; p++) {
				starts[p + 1] = starts[p] + was.get(p).length();
			}
			StringBuilder[] laid = new StringBuilder[pieces];
			int[] cursor = new int[pieces];
			for (int p = 0; p < pieces; p++) {
				laid[p] = new StringBuilder();
				cursor[p] = starts[p];
			}
			Set<Integer> touched = new HashSet<>();
			int from = 0; // changes come in order: each one's anchor is at or after the one before's
			for (Edit change : changes) {
				// The piece that carries the new text: the first that ends after the change starts, else the last.
				int anchor = pieces - 1;
				for (int p = from; p < pieces; p++) {
					if (starts[p + 1] > change.start()) {
						anchor = p;
						break;
					}
				}
				from = anchor;
				int last = anchor;
				while (last + 1 < pieces && starts[last + 1] < change.end()) {
					last++;
				}
				for (int p = anchor + 1; p <= last; p++) {
					group[p] = group[anchor];
				}
				for (int p = anchor; p <= last; p++) {
					int upTo = Math.min(Math.max(change.start(), starts[p]), starts[p + 1]);
					if (upTo > cursor[p]) {
						laid[p].append(was.get(p), cursor[p] - starts[p], upTo - starts[p]);
					}
					if (p == anchor) {
						laid[p].append(change.text());
					}
					cursor[p] = Math.max(cursor[p], Math.min(Math.max(change.end(), starts[p]), starts[p + 1]));
					touched.add(events.get(p));
				}
				this.spans.add(new int[] { events.get(anchor), events.get(last) });
			}
			List<String> now = new ArrayList<>(pieces);
			for (int p = 0; p < pieces; p++) {
				now.add(laid[p].append(was.get(p), cursor[p] - starts[p], was.get(p).length()).toString());
				if (touched.contains(events.get(p))) {
					// An event a change touched gets the slot's whole new text in it (with a second
					// piece of the slot in the same event, such as a tool call's index given twice, both).
					this.changed.computeIfAbsent(events.get(p), event -> new HashMap<>(2))
						.merge(slot, now.get(p), String::concat);
				}
			}
			this.now.put(slot, now);
		}

		/**
		 * The last cut at or before {@code wanted} that no change crosses, so that every change
		 * goes out whole or is held back whole. Changes so close together that each shares a
		 * chunk with the next (a list of addresses in small chunks) leave no cut between them:
		 * they are held back until the run ends, rather than cut through a mask; past the bound
		 * ({@link HeldStream#heldAtMost}) the rest of the answer is held and checked whole.
		 */
		int cut(int wanted, int size) {
			boolean[] crossed = new boolean[size + 1];
			for (int[] span : this.spans) {
				for (int at = span[0] + 1; at <= span[1]; at++) {
					crossed[at] = true;
				}
			}
			int cut = wanted;
			while (cut > 0 && crossed[cut]) {
				cut--;
			}
			return cut;
		}

		/** The new texts of event {@code event}, for the texts a change touched there. */
		Map<Slot, String> changedIn(int event) {
			return this.changed.getOrDefault(event, Map.of());
		}

		/**
		 * The end of {@code slot}'s text in the events before {@code from} (about {@code enough}
		 * characters of it), in pieces as they came and as they are now: a change's pieces joined,
		 * so that none is cut, and its unchanged start and end apart.
		 */
		Released sent(Slot slot, int from, int enough) {
			List<Integer> events = this.at.getOrDefault(slot, List.of());
			List<String> was = this.was.getOrDefault(slot, List.of());
			List<String> now = this.now.getOrDefault(slot, List.of());
			int[] group = this.groups.get(slot);
			int end = 0;
			while (end < events.size() && events.get(end) < from) {
				end++;
			}
			// Only the end matters for a context: from the start of the change the piece
			// {@code enough} characters back is in.
			int begin = end;
			for (int length = 0; begin > 0 && length < enough; begin--) {
				length += was.get(begin - 1).length();
			}
			while (group != null && begin > 0 && group[begin] == group[begin - 1]) {
				begin--;
			}
			List<String[]> sent = new ArrayList<>();
			for (int p = begin; p < end;) {
				StringBuilder original = new StringBuilder(was.get(p));
				StringBuilder rewritten = new StringBuilder(now.get(p));
				int q = p + 1;
				while (group != null && q < end && group[q] == group[p]) {
					original.append(was.get(q));
					rewritten.append(now.get(q));
					q++;
				}
				split(original.toString(), rewritten.toString(), sent);
				p = q;
			}
			return new Released(sent, begin > 0);
		}

		/** A change's pieces as unchanged start, the change, unchanged end: a context may begin in either unchanged part. */
		private static void split(String original, String rewritten, List<String[]> into) {
			List<Edit> change = Changes.between(original, rewritten);
			if (change.isEmpty()) {
				into.add(new String[] { original, rewritten });
				return;
			}
			Edit edit = change.get(0);
			String suffix = original.substring(edit.end());
			if (edit.start() > 0) {
				into.add(new String[] { original.substring(0, edit.start()), original.substring(0, edit.start()) });
			}
			into.add(new String[] { original.substring(edit.start(), edit.end()), edit.text() });
			if (!suffix.isEmpty()) {
				into.add(new String[] { suffix, suffix });
			}
		}

	}

	/**
	 * The events before {@code from}, with their texts as {@code layout} has them; with the last
	 * window, new text for a slot without a piece goes out with its choice's finish (the last
	 * text before it), else in the last chunk, else in a chunk of its own before {@code [DONE]}.
	 * Thinking blocks a rewrite changed end unsigned.
	 */
	private List<SseEvent> rewritten(List<Held> batch, int from, Layout layout, boolean complete) {
		Map<Integer, Map<Slot, String>> appended = new HashMap<>();
		Map<Slot, String> own = new TreeMap<>();
		if (complete) {
			layout.orphans.forEach((slot, text) -> {
				int at = carrierOf(batch, slot.choice());
				(at < 0 ? own : appended.computeIfAbsent(at, index -> new TreeMap<>())).put(slot, text);
			});
		}
		List<SseEvent> out = new ArrayList<>(from + 1);
		for (int i = 0; i < from; i++) {
			Held held = batch.get(i);
			if (held.event().isDone()) {
				if (!own.isEmpty()) {
					out.add(ownChunk(own));
					own.clear();
				}
				out.add(held.event());
				continue;
			}
			Map<Slot, String> texts = layout.changedIn(i);
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

	/**
	 * The event to carry text added to {@code choice}: the one that finishes it, else the last
	 * chunk whose {@code choices} can take it; -1 for none.
	 */
	private static int carrierOf(List<Held> batch, int choice) {
		int last = -1;
		for (int i = 0; i < batch.size(); i++) {
			Held held = batch.get(i);
			if (held.carrier()) {
				if (held.finishing().contains(choice)) {
					return i;
				}
				last = i;
			}
		}
		return last;
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

	/** The event without the provider's native events it was read from. */
	static SseEvent canonical(SseEvent event) {
		return (event.origin() == null) ? event : new SseEvent(event.event(), event.data());
	}

	static List<Piece> pieces(SseEvent event) {
		return Held.of(event).pieces();
	}

}
