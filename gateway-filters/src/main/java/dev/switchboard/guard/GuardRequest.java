package dev.switchboard.guard;

import java.util.List;

/**
 * What a guardrail sees of a request: its texts, in the order {@link GuardTexts} reads them from
 * the body (system and messages, parts, tool calls' arguments and tool results), and who asks.
 *
 * @param texts the texts a rewrite returns in the same order and number
 * @param team the team's name
 * @param model the model the client asked for
 */
public record GuardRequest(List<String> texts, String team, String model) {

	public GuardRequest {
		texts = List.copyOf(texts);
	}

}
