package dev.switchboard.cache.semantic;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LexicalGuardTest {

	@Test
	void fingerprintsKeepNumbersAndDirectionWordsOnly() {
		assertThat(LexicalGuard.fingerprint("Convert 1,000 miles to the kilometers, please"))
			.isEqualTo("n=1000,;to=kilometers");
		assertThat(LexicalGuard.fingerprint("What is the capital of France?")).isEqualTo("n=");
	}

	@Test
	void vetoesDifferentNumbers() {
		assertThat(veto("Can I return an item after 30 days?", "Can I return an item after 60 days?"))
			.isEqualTo("different numbers");
		assertThat(veto("What is 12 times 12?", "What is 12 times 13?")).isNotNull();
		assertThat(veto("What is 12 times 12?", "12 times 12 is?")).isNull();
	}

	@Test
	void vetoesDirectionWordsPointingElsewhere() {
		assertThat(veto("Convert 10 miles to kilometers.", "Convert 10 kilometers to miles."))
			.isEqualTo("'to' points elsewhere");
		assertThat(veto("Translate hello into Spanish", "Translate hello into German")).isNotNull();
	}

	@Test
	void letsParaphrasesThrough() {
		assertThat(veto("How do I reset my password?", "What are the steps to reset my password?")).isNull();
		assertThat(veto("Convert 10 miles to kilometers.", "How many kilometers is 10 miles?")).isNull();
		assertThat(veto("Translate 'thank you' into French.", "How do you say 'thank you' in French?")).isNull();
	}

	private static String veto(String stored, String asked) {
		return LexicalGuard.veto(LexicalGuard.fingerprint(stored), LexicalGuard.fingerprint(asked));
	}

}
