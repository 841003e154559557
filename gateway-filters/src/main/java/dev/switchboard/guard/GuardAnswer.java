package dev.switchboard.guard;

import java.util.List;

/**
 * What a guardrail sees of an answer: its texts (each choice's content, thinking and refusal,
 * each tool call's arguments, in that order), and who asked.
 *
 * @param texts the texts a rewrite returns in the same order and number; on a stream, each text's
 * new window with up to a window of the text already released before it (a rewrite may change the
 * window only)
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
