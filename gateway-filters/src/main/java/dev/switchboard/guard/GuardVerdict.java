package dev.switchboard.guard;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * A guardrail's answer about a request or an answer.
 *
 * @param outcome allow, rewrite or deny
 * @param reason why, in words the client may read (for a deny) and the decision record keeps;
 * never the matched text itself
 * @param texts for a rewrite, the texts as they are to go on, one for each text checked
 * @param restore for a reversible rewrite of a request, each placeholder it wrote and the text it
 * stands for: the answer's placeholders are put back for this client only (never for the cache)
 * @param edits for a rewrite that says where it changed each text ({@link #edit}), the changes of
 * each, in order and apart; {@code null} when it gives only the new texts (or, inside, for a text it
 * does not say them for). Edits that do not make the rewritten text are not used. A held stream cuts its
 * windows between changes, never through one: with the edits it knows each mask's place, without
 * them it takes everything from a text's first difference to its last as one change
 */
public record GuardVerdict(Outcome outcome, String reason, @Nullable List<String> texts, Map<String, String> restore,
		@Nullable List<List<Edit>> edits) {

	public enum Outcome {

		ALLOW, REWRITE, DENY

	}

	/**
	 * A change of one checked text: its characters {@code [start, end)} (UTF-16 indexes, as
	 * {@link String#substring}) replaced by {@code text}. An insertion has {@code start == end}.
	 */
	public record Edit(int start, int end, String text) {

		public Edit {
			if (start < 0 || end < start) {
				throw new IllegalArgumentException("an edit's region must be [start, end) with 0 <= start <= end, was ["
						+ start + ", " + end + ")");
			}
		}

	}

	public GuardVerdict {
		texts = (texts != null) ? List.copyOf(texts) : null;
		restore = Map.copyOf(restore);
		edits = (edits != null) ? edits.stream().map(each -> (each != null) ? List.copyOf(each) : null).toList() : null;
		if (outcome == Outcome.REWRITE && texts == null) {
			throw new IllegalArgumentException("a rewrite needs the rewritten texts");
		}
		if (edits != null && (texts == null || edits.size() != texts.size())) {
			throw new IllegalArgumentException("a rewrite's edits must be given for each of its texts");
		}
	}

	public GuardVerdict(Outcome outcome, String reason, @Nullable List<String> texts, Map<String, String> restore) {
		this(outcome, reason, texts, restore, null);
	}

	public GuardVerdict(Outcome outcome, String reason, @Nullable List<String> texts) {
		this(outcome, reason, texts, Map.of());
	}

	public static GuardVerdict allow() {
		return new GuardVerdict(Outcome.ALLOW, "", null);
	}

	public static GuardVerdict deny(String reason) {
		return new GuardVerdict(Outcome.DENY, reason, null);
	}

	public static GuardVerdict rewrite(List<String> texts, String reason) {
		return new GuardVerdict(Outcome.REWRITE, reason, texts);
	}

	/**
	 * A rewrite given as its changes of each checked text ({@code edits}, one list per text, each
	 * in order and apart, in that text's indexes), which also says where it changed them.
	 * @throws IllegalArgumentException for edits out of order, overlapping or past a text's end
	 */
	public static GuardVerdict edit(List<String> texts, List<List<Edit>> edits, String reason) {
		if (edits.size() != texts.size()) {
			throw new IllegalArgumentException("edits for " + edits.size() + " texts, " + texts.size() + " checked");
		}
		List<String> rewritten = new ArrayList<>(texts.size());
		for (int i = 0; i < texts.size(); i++) {
			rewritten.add(Changes.apply(texts.get(i), edits.get(i)));
		}
		return new GuardVerdict(Outcome.REWRITE, reason, rewritten, Map.of(), edits);
	}

	/** This rewrite, whose placeholders the answer gets back as {@code restore} maps them. */
	public GuardVerdict restoring(Map<String, String> restore) {
		return new GuardVerdict(this.outcome, this.reason, this.texts, restore, this.edits);
	}

}
