package dev.switchboard.guard;

import java.util.List;

/**
 * What a guardrail sees of a request: its texts, in the order {@link GuardTexts} reads them from
 * the body (system and messages, parts, tool calls' arguments and tool results), who asks, and
 * when the check runs.
 *
 * @param texts the texts a rewrite returns in the same order and number
 * @param team the team's name
 * @param model the model the client asked for
 * @param stage {@link Stage#PRE} before the call, {@link Stage#DURING} beside it
 */
public record GuardRequest(List<String> texts, String team, String model, Stage stage) {

	public GuardRequest {
		texts = List.copyOf(texts);
		if (stage == Stage.POST) {
			throw new IllegalArgumentException("a request is checked before or beside the call, not after");
		}
	}

	/** A request checked before the call. */
	public GuardRequest(List<String> texts, String team, String model) {
		this(texts, team, model, Stage.PRE);
	}

}
