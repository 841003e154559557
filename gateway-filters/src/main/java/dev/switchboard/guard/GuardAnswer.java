package dev.switchboard.guard;

import java.util.List;

/**
 * What a guardrail sees of an answer: its texts (each choice's content, reasoning and refusal,
 * each tool call's arguments, in that order), and who asked.
 *
 * @param texts the texts a rewrite returns in the same order and number; on a stream, each text
 * as far as it has come
 * @param team the team's name
 * @param model the model the client asked for
 * @param complete whether this is the whole answer; {@code false} for a stream's window, after
 * which more text follows
 */
public record GuardAnswer(List<String> texts, String team, String model, boolean complete) {

	public GuardAnswer {
		texts = List.copyOf(texts);
	}

}
