package dev.switchboard.guard;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.switchboard.guard.Changes.Change;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@link Changes} finds in a rewrite: each mask its own change, never split, never too narrow. */
class ChangesTest {

	@Test
	void anUnchangedTextHasNoChange() {
		assertThat(Changes.between("same text", "same text")).isEmpty();
	}

	@Test
	void eachMaskIsOneChangeWhereItsValueWas() {
		String before = "Write to ann@example.com or to bob@example.org, thanks.";
		String after = "Write to [EMAIL] or to [EMAIL], thanks.";

		List<Change> changes = Changes.between(before, after);

		assertThat(changes).containsExactly(new Change(9, 24, "[EMAIL]"), new Change(31, 46, "[EMAIL]"));
		assertThat(before.substring(9, 24)).isEqualTo("ann@example.com");
	}

	@Test
	void aMaskInsideAWordIsNarrowedToWhatChanged() {
		assertThat(Changes.between("see mail:ann@example.com, now", "see mail:[EMAIL], now"))
			.containsExactly(new Change(9, 24, "[EMAIL]"));
	}

	@Test
	void aMaskOverSeveralWordsOrWhoseLettersEchoTheValueIsNotSplit() {
		// A diff of characters would keep "E", "M", "A", "I", "L" of the value as unchanged.
		assertThat(Changes.between("Mail EMMA.AIL@EXAMPLE.COM and ZED.AIL@EXAMPLE.COM now",
				"Mail [EMAIL] and [EMAIL] now"))
			.containsExactly(new Change(5, 25, "[EMAIL]"), new Change(30, 49, "[EMAIL]"));
		assertThat(Changes.between("Call 555 123 4567 or 555 987 6543 today", "Call [PHONE] or [PHONE] today"))
			.containsExactly(new Change(5, 17, "[PHONE]"), new Change(21, 33, "[PHONE]"));
	}

	@Test
	void anyRewriteIsMadeBackFromItsChangesWhichAreInOrderApartAndKeepCharactersWhole() {
		Random random = new Random(7);
		String[] words = { "a", "bb", "the", "ann@example.com", "\uD83D\uDE00", "555", "x\uD83D\uDE03y", " ", "  ", "\n",
				"[EMAIL]", "é" };
		for (int round = 0; round < 2_000; round++) {
			StringBuilder before = new StringBuilder();
			StringBuilder after = new StringBuilder();
			int length = random.nextInt(12);
			for (int i = 0; i < length; i++) {
				String word = words[random.nextInt(words.length)];
				before.append(word);
				switch (random.nextInt(4)) {
					case 0 -> after.append(words[random.nextInt(words.length)]);
					case 1 -> {
						// removed
					}
					default -> after.append(word);
				}
			}
			List<Change> changes = Changes.between(before.toString(), after.toString());

			assertThat(Changes.apply(before.toString(), changes)).as("%s -> %s", before, after).isEqualTo(after.toString());
			int end = 0;
			for (Change change : changes) {
				assertThat(change.start()).isGreaterThanOrEqualTo(end).isLessThanOrEqualTo(change.end());
				assertThat(wholeCharacters(before.toString(), change.start())).isTrue();
				assertThat(wholeCharacters(before.toString(), change.end())).isTrue();
				end = change.end();
			}
		}
	}

	private static boolean wholeCharacters(String text, int at) {
		return at == 0 || at == text.length() || !Character.isLowSurrogate(text.charAt(at));
	}

}
