package dev.switchboard.guard;

import java.util.List;

/**
 * What a guardrail sees of an answer: its texts (each choice's content, thinking and refusal,
 * each tool call's arguments, in that order), and who asked.
 *
 * @param texts the texts a rewrite returns in the same order and number; on a stream, each text
 * that grew: its held text (the new window and what was carried over, as it came) after up to a
 * window of its text already released (a rewrite may change the held text only)
 * @param team the team's name
 * @param model the model the client asked for
 * @param complete whether the answer has ended: a whole answer, or a stream's last check (which
 * holds every text's last window, not the whole stream); {@code false} for a stream's window,
 * after which more text follows
 */
public record GuardAnswer(List<String> texts, String team, String model, boolean complete) {

	public GuardAnswer {
		texts = List.copyOf(texts);
	}

}
