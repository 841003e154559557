package dev.switchboard.guard;

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
 */
public record GuardVerdict(Outcome outcome, String reason, @Nullable List<String> texts, Map<String, String> restore) {

	public enum Outcome {

		ALLOW, REWRITE, DENY

	}

	public GuardVerdict {
		texts = (texts != null) ? List.copyOf(texts) : null;
		restore = Map.copyOf(restore);
		if (outcome == Outcome.REWRITE && texts == null) {
			throw new IllegalArgumentException("a rewrite needs the rewritten texts");
		}
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

	/** This rewrite, whose placeholders the answer gets back as {@code restore} maps them. */
	public GuardVerdict restoring(Map<String, String> restore) {
		return new GuardVerdict(this.outcome, this.reason, this.texts, restore);
	}

}
