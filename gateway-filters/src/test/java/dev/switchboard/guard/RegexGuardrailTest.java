package dev.switchboard.guard;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.switchboard.guard.regex.RegexGuardrail;

import static dev.switchboard.testing.Fixtures.FAKE_OPENAI_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** The built-in patterns, with their checksums, and what deny and mask do with them. */
class RegexGuardrailTest {

	private final RegexGuardrail pii = new RegexGuardrail("pii", List.of(), List.of("email", "phone", "card", "iban"),
			Map.of());

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			Write to jane.doe+billing@example.co.uk today          | Write to [EMAIL] today
			Card 4111 1111 1111 1111, exp 12/29                    | Card [CARD], exp 12/29
			Card 4111-1111-1111-1111                               | Card [CARD]
			Pay to DE89 3704 0044 0532 0130 00 please              | Pay to [IBAN] please
			Pay to GB82WEST12345698765432                          | Pay to [IBAN]
			Call +44 20 7946 0958 or (555) 123-4567                | Call [PHONE] or [PHONE]
			Call me. +44 20 7946 0958 anytime                      | Call me. [PHONE] anytime
			Card 4111 1111 1111 1111 12/28                         | Card [CARD] 12/28
			Card 4111111111111111 1228                             | Card [CARD] 1228
			Step 6 4111 1111 1111 1111 done                        | Step 6 [CARD] done
			Args 6-4111-1111-1111-1111 end                         | Args 6-[CARD] end
			Text 555.123.4567@txt.att.net now                      | Text [EMAIL] now
			Nums 1 4111 1111 1111 1111 99 x                        | Nums 1 [CARD] 99 x
			a 1-4111-1111-1111-1111-12 b                           | a 1-[CARD]-12 b
			Transfer GB82 WEST 1234 5698 7654 32 4111 1111 1111 1111 now | Transfer [IBAN] [CARD] now
			""")
	void personalDataIsMasked(String text, String masked) {
		GuardVerdict verdict = this.pii.checkRequest(new GuardRequest(List.of(text), "t", "m")).block();

		assertThat(verdict.outcome()).isEqualTo(GuardVerdict.Outcome.REWRITE);
		assertThat(verdict.texts()).containsExactly(masked);
		assertThat(verdict.reason()).startsWith("masked ").doesNotContain(text);
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			Order 4111 1111 1111 1112 shipped
			Meeting on 2026-12-07 at 10:30
			IBAN DE00 3704 0044 0532 0130 00 is a typo
			Version 1.2.3 of user@host is not an address
			""")
	void lookAlikesPass(String text) {
		GuardVerdict verdict = this.pii.checkRequest(new GuardRequest(List.of(text), "t", "m")).block();

		assertThat(verdict.outcome()).as(String.valueOf(verdict.texts())).isEqualTo(GuardVerdict.Outcome.ALLOW);
	}

	@Test
	void aDenyPatternRefusesWithoutQuotingTheText() {
		RegexGuardrail secrets = new RegexGuardrail("secrets", List.of("api-key", "atlas"), List.of(),
				Map.of("atlas", "(?i)\\bproject atlas\\b"));

		GuardVerdict key = secrets.checkRequest(new GuardRequest(
				List.of("hello", "use " + FAKE_OPENAI_KEY + " for it"), "t", "m")).block();
		assertThat(key.outcome()).isEqualTo(GuardVerdict.Outcome.DENY);
		assertThat(key.reason()).isEqualTo("the request contains what looks like an api-key").doesNotContain(FAKE_OPENAI_KEY, "sk-proj");
		GuardVerdict keyword = secrets.checkRequest(new GuardRequest(List.of("About Project Atlas:"), "t", "m")).block();
		assertThat(keyword.reason()).isEqualTo("the request contains the pattern 'atlas'");
		assertThat(secrets.checkRequest(new GuardRequest(List.of("atlases"), "t", "m")).block().outcome())
			.isEqualTo(GuardVerdict.Outcome.ALLOW);
	}

	@Test
	void ownPatternsMatchAsWrittenWhetherKeywordsOrExpressions() {
		RegexGuardrail own = new RegexGuardrail("own", List.of("exact", "anycase", "shape"), List.of(),
				Map.of("exact", "\\bAtlas\\b", "anycase", "(?i)\\bzephyr plan\\b", "shape", "TICKET-\\d{4}"));

		assertThat(deny(own, "the Atlas team")).isEqualTo("the pattern 'exact'");
		assertThat(deny(own, "the atlas team")).as("case-sensitive as written").isNull();
		assertThat(deny(own, "Atlassian")).as("word boundaries kept").isNull();
		assertThat(deny(own, "about the ZEPHYR Plan")).isEqualTo("the pattern 'anycase'");
		assertThat(deny(own, "see TICKET-1234")).isEqualTo("the pattern 'shape'");
		assertThat(deny(own, "see TICKET-12")).isNull();
	}

	private static String deny(RegexGuardrail guardrail, String text) {
		GuardVerdict verdict = guardrail.checkRequest(new GuardRequest(List.of(text), "t", "m")).block();
		return (verdict.outcome() == GuardVerdict.Outcome.DENY)
				? verdict.reason().replace("the request contains ", "") : null;
	}

	@Test
	void aMaskCountsWhatItReplaced() {
		GuardVerdict verdict = this.pii.checkRequest(new GuardRequest(
				List.of("a@example.com and b@example.com", "no data", "4242 4242 4242 4242"), "t", "m")).block();

		assertThat(verdict.texts()).containsExactly("[EMAIL] and [EMAIL]", "no data", "[CARD]");
		assertThat(verdict.reason()).isEqualTo("masked 2 email, 1 card");
	}

	@Test
	void wrongSettingsSayWhatToFix() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new RegexGuardrail("g", List.of("passport"), List.of(), Map.of()))
			.withMessageStartingWith("deny: 'passport' is not a pattern; use one of [api-key, card, email, iban, phone]");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new RegexGuardrail("g", List.of("x"), List.of(), Map.of("x", "(unclosed")))
			.withMessageStartingWith("patterns.x: '(unclosed' is not a regular expression");
		assertThatIllegalArgumentException().isThrownBy(() -> new RegexGuardrail("g", List.of(), List.of(), Map.of()))
			.withMessageStartingWith("deny and mask are both empty");
	}

}
