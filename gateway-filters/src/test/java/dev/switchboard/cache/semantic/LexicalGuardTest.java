package dev.switchboard.cache.semantic;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LexicalGuardTest {

	@Test
	void fingerprintsKeepNumbersAndDirectionWordsOnly() {
		assertThat(LexicalGuard.fingerprint("Convert 1,000 miles to the kilometers, please"))
			.isEqualTo("n=1000,;to=kilometers;u=km,mi;w=convert,kilometers,miles");
		assertThat(LexicalGuard.fingerprint("What is the capital of France?")).isEqualTo("n=;w=capital,france");
		assertThat(LexicalGuard.fingerprint("Why isn't my coffee good for my health, and what should I drink instead?"))
			.isEqualTo("n=;p=good,not;q=why");
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

	@Test
	void vetoesOppositesAndNegation() {
		assertThat(veto("Is coffee good for your health?", "Is coffee bad for your health?"))
			.isEqualTo("'bad' where 'good' was asked");
		assertThat(veto("Sort the list of users by signup date in ascending order, oldest account first",
				"Sort the list of users by signup date in descending order, oldest account first")).isNotNull();
		assertThat(veto("Is it safe to run this migration on a live production database during the day?",
				"Is it not safe to run this migration on a live production database during the day?"))
			.isEqualTo("only one of them is negated");
		assertThat(veto("Why doesn't my build cache any dependencies between the two pipeline stages?",
				"Why does my build cache all dependencies between the two pipeline stages?")).isNotNull();
	}

	@Test
	void vetoesOtherUnitsWhateverTheSpelling() {
		assertThat(veto("What is the distance from London to Paris in miles?",
				"What is the distance from London to Paris in kilometres?")).isEqualTo("other units");
		assertThat(veto("How far is it in kilometres?", "How far is it in kilometers?")).isNull();
		assertThat(veto("How long does it take to bake a potato at 200 degrees Celsius?",
				"How long does it take to bake a potato at 200 degrees Fahrenheit?")).isEqualTo("other units");
		assertThat(veto("How far is London from Paris?", "How far is London from Paris in miles?"))
			.as("a unit named on one side only may be a paraphrase").isNull();
	}

	@Test
	void vetoesAnotherKindOfQuestion() {
		assertThat(veto("Who wrote Pride and Prejudice?", "When was Pride and Prejudice written?"))
			.isEqualTo("'when' where 'who' was asked");
		assertThat(veto("Whose idea was the telephone?", "Who had the idea of the telephone?")).isNull();
		assertThat(veto("What are your opening hours?", "When are you open?")).as("what asks for anything").isNull();
	}

	@Test
	void vetoesOppositesInsideHyphenatedWordsAndOrdinals() {
		assertThat(veto("What is the highest-rated movie on IMDb?", "What is the lowest-rated movie on IMDb?"))
			.isNotNull();
		assertThat(veto("What is the cheapest plan you offer?", "What is the most expensive plan you offer?"))
			.isNotNull();
		assertThat(veto("Who was the first person to walk on the moon?",
				"Who was the second person to walk on the moon?")).isNotNull();
	}

	@Test
	void vetoesOneChangedWordInAShortPrompt() {
		assertThat(veto("rl probe 3 3048", "rls probe 3 3048")).isEqualTo("'rls' is not 'rl'");
		assertThat(veto("Explain RBAC roles", "Explain ABAC roles")).isNotNull();
		assertThat(veto("What is a rate limit?", "What are rate limits?")).isNotNull();
		assertThat(LexicalGuard.lookAlike("fix", "repair")).isFalse();
		// Function words alone do not change a short question.
		assertThat(veto("How do I reset my password?", "How can I reset my password?")).isNull();
		assertThat(veto("What is the capital of France?", "What's France's capital?")).isNull();
	}

	@Test
	void tokenisedTextWithAStandaloneNegationIsFingerprinted() {
		assertThat(LexicalGuard.fingerprint("Why do n't cats ' like water ?")).isEqualTo("n=;p=like,not;q=why;w=cats,like,water");
	}

	@Test
	void fingerprintsOfAnEarlierVersionAreComparedOnWhatTheyHave() {
		assertThat(LexicalGuard.veto("n=", LexicalGuard.fingerprint("What is the capital of France?"))).isNull();
		assertThat(LexicalGuard.veto("n=;to=kilometers", "n=;to=miles;w=convert,miles")).isNotNull();
	}

	private static String veto(String stored, String asked) {
		return LexicalGuard.veto(LexicalGuard.fingerprint(stored), LexicalGuard.fingerprint(asked));
	}

}
