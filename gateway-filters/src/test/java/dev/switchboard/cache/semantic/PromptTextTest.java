package dev.switchboard.cache.semantic;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The courtesies around a question are not embedded; the question is, as written. */
class PromptTextTest {

	@Test
	void greetingsRequestsAndThanksAreLeftOut() {
		assertThat(PromptText.forEmbedding("Hello! Could you tell me who the first emperor of Rome was?"))
			.isEqualTo("who the first emperor of Rome was?");
		assertThat(PromptText.forEmbedding("Hi, could you please explain how to bleed a radiator?"))
			.isEqualTo("how to bleed a radiator?");
		assertThat(PromptText.forEmbedding("Hey there! What is a good beginner guitar? Thanks a lot."))
			.isEqualTo("What is a good beginner guitar?");
		assertThat(PromptText.forEmbedding("Hello! What is the return policy for sale items, please?"))
			.isEqualTo("What is the return policy for sale items?");
		assertThat(PromptText.forEmbedding("Explain how vaccines work.")).isEqualTo("how vaccines work.");
	}

	@Test
	void theQuestionItselfIsNeverTouched() {
		assertThat(PromptText.forEmbedding("Can you ship to Canada?")).isEqualTo("Can you ship to Canada?");
		assertThat(PromptText.forEmbedding("Could you  live on Mars?")).isEqualTo("Could you live on Mars?");
		assertThat(PromptText.forEmbedding("Thank you")).as("all courtesy: embedded as written").isEqualTo("Thank you");
		assertThat(PromptText.forEmbedding("How do I say thank you in French?"))
			.isEqualTo("How do I say thank you in French?");
	}

}
