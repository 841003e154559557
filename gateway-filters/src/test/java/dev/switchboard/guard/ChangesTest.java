package dev.switchboard.guard;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.switchboard.guard.GuardVerdict.Edit;
import dev.switchboard.guard.regex.RegexGuardrail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Where rewrites changed a text: a guardrail's own edits added up over several steps, never one
 * narrower than what it replaced; and, for a rewrite given as text only, one change from the first
 * difference to the last.
 */
class ChangesTest {

	@Test
	void aRewriteGivenAsTextOnlyIsOneChangeFromTheFirstDifferenceToTheLast() {
		assertThat(Changes.between("same text", "same text")).isEmpty();
		assertThat(Changes.between("Write to ann@example.com or to bob@example.org, thanks.",
				"Write to [EMAIL] or to [EMAIL], thanks."))
			.containsExactly(new Edit(9, 46, "[EMAIL] or to [EMAIL]"));
		// Never between the halves of a surrogate pair.
		assertThat(Changes.between("Hi \uD83D\uDE00!", "Hi \uD83D\uDE03!")).containsExactly(new Edit(3, 5, "\uD83D\uDE03"));
	}

	@Test
	void theRegexGuardrailSaysWhereEachMaskIsThroughAllItsPatterns() {
		String text = "Card 4111 1111 1111 1111 1111 1111 for ann@x.io, call +44 20 7946 0958 or ann@x.io.";
		GuardVerdict verdict = new RegexGuardrail("pii", List.of(), List.of("email", "phone", "card"), Map.of())
			.checkAnswer(new GuardAnswer(List.of(text), "team", "model", true))
			.block(Duration.ofSeconds(5));

		List<Edit> edits = verdict.edits().get(0);
		assertThat(Changes.apply(text, edits)).isEqualTo(verdict.texts().get(0));
		assertThat(edits).extracting(edit -> text.substring(edit.start(), edit.end()))
			.containsExactly("4111 1111 1111 1111", "ann@x.io", "+44 20 7946 0958", "ann@x.io");
	}

	@Test
	void editsOfALaterStepAreAddedUpInTheFirstTextsPlaces() {
		String original = "mail a@x.io or 555 123 4567 now";
		List<Edit> first = List.of(new Edit(5, 11, "[EMAIL]"));
		String middle = Changes.apply(original, first);
		List<Edit> second = List.of(new Edit(16, 28, "[PHONE]"));

		List<Edit> composed = Changes.compose(middle, first, second);

		assertThat(composed).containsExactly(new Edit(5, 11, "[EMAIL]"), new Edit(15, 27, "[PHONE]"));
		// A later mask over part of an earlier one covers all the earlier one replaced.
		assertThat(Changes.compose(middle, first, List.of(new Edit(6, 11, "X"))))
			.containsExactly(new Edit(5, 11, "[X]"));
	}

	@Test
	void anyStepsAddUpToEditsThatMakeTheSameTextAndCoverEveryChangeWhole() {
		Random random = new Random(11);
		for (int round = 0; round < 3_000; round++) {
			String original = text(random, random.nextInt(30));
			List<Edit> first = edits(random, original);
			String middle = Changes.apply(original, first);
			List<Edit> second = edits(random, middle);

			List<Edit> composed = Changes.compose(middle, first, second);

			assertThat(Changes.apply(original, composed)).as("%s / %s / %s", original, first, second)
				.isEqualTo(Changes.apply(middle, second));
			for (Edit edit : first) {
				assertThat(composed).as("%s within one of %s", edit, composed)
					.anyMatch(c -> c.start() <= edit.start() && edit.end() <= c.end());
			}
		}
	}

	@Test
	void editsOutOfOrderOrPastTheTextAreRefused() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> Changes.apply("abcdef", List.of(new Edit(3, 4, "x"), new Edit(1, 2, "y"))));
		assertThatIllegalArgumentException().isThrownBy(() -> Changes.apply("abc", List.of(new Edit(2, 5, "x"))));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> GuardVerdict.edit(List.of("a", "b"), List.of(List.of()), "one list for two texts"));
	}

	private static String text(Random random, int length) {
		StringBuilder text = new StringBuilder();
		for (int i = 0; i < length; i++) {
			text.append("ab c".charAt(random.nextInt(4)));
		}
		return text.toString();
	}

	/** Random edits of {@code text}: in order, apart, some insertions, some deletions. */
	private static List<Edit> edits(Random random, String text) {
		List<Edit> edits = new ArrayList<>();
		int at = 0;
		while (at <= text.length() && random.nextInt(3) > 0) {
			int start = at + random.nextInt(text.length() - at + 1);
			int end = start + random.nextInt(Math.min(4, text.length() - start) + 1);
			edits.add(new Edit(start, end, text(random, random.nextInt(4)).toUpperCase()));
			at = end + 1;
		}
		return edits;
	}

}
