package dev.switchboard.guard;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * A guardrail's answer about a request.
 *
 * @param outcome allow, rewrite or deny
 * @param reason why, in words the client may read (for a deny) and the decision record keeps;
 * never the matched text itself
 * @param texts for a rewrite, the request's texts as they are to be sent, one for each text of the
 * {@link GuardRequest}
 */
public record GuardVerdict(Outcome outcome, String reason, @Nullable List<String> texts) {

	public enum Outcome {

		ALLOW, REWRITE, DENY

	}

	public GuardVerdict {
		texts = (texts != null) ? List.copyOf(texts) : null;
		if (outcome == Outcome.REWRITE && texts == null) {
			throw new IllegalArgumentException("a rewrite needs the rewritten texts");
		}
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

}
