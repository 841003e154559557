package dev.switchboard.guard.presidio;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.netty.http.client.HttpClient;

import dev.switchboard.core.Json;
import dev.switchboard.guard.GuardAnswer;
import dev.switchboard.guard.GuardRequest;
import dev.switchboard.guard.GuardVerdict;
import dev.switchboard.guard.Stage;
import dev.switchboard.testing.StubUpstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** Presidio's analyzer answers as documented, and the ones it must not be trusted with. */
class PresidioGuardrailTest {

	private final StubUpstream analyzer = new StubUpstream();

	@AfterEach
	void stop() {
		this.analyzer.close();
	}

	@Test
	void overlappingAndLowScoredResultsAndOtherTypesAreSorted() {
		// "Call 555-0100 or x@y.io": a phone at 5..13, an overlapping weaker one, an address at 17..23,
		// a type not acted on, one below the threshold.
		this.analyzer.json("/analyze", 200, """
				[{"entity_type":"PHONE_NUMBER","start":5,"end":13,"score":0.9},
				 {"entity_type":"PHONE_NUMBER","start":6,"end":13,"score":0.4},
				 {"entity_type":"EMAIL_ADDRESS","start":17,"end":23,"score":1.0},
				 {"entity_type":"PERSON","start":0,"end":4,"score":0.99},
				 {"entity_type":"EMAIL_ADDRESS","start":0,"end":4,"score":0.1}]""");

		GuardVerdict verdict = guardrail(Map.of("PHONE_NUMBER", PresidioGuardrail.Action.MASK, "EMAIL_ADDRESS",
				PresidioGuardrail.Action.MASK), false)
			.checkRequest(new GuardRequest(List.of("Call 555-0100 or x@y.io"), "t", "m"))
			.block(Duration.ofSeconds(5));

		assertThat(verdict.texts()).containsExactly("Call <PHONE_NUMBER> or <EMAIL_ADDRESS>");
		assertThat(verdict.reason()).isEqualTo("masked 1 EMAIL_ADDRESS, 1 PHONE_NUMBER");
		assertThat(Json.MAPPER.readTree(this.analyzer.lastRequest().body()).path("entities").toString())
			.isEqualTo("[\"EMAIL_ADDRESS\",\"PHONE_NUMBER\"]");
	}

	@Test
	void aBlockedTypeDeniesNamingTheTypeNeverTheText() {
		this.analyzer.json("/analyze", 200, "[{\"entity_type\":\"US_SSN\",\"start\":4,\"end\":15,\"score\":0.85}]");

		GuardVerdict verdict = guardrail(Map.of("US_SSN", PresidioGuardrail.Action.BLOCK), false)
			.checkAnswer(new GuardAnswer(List.of("SSN 078-05-1120"), "t", "m", true))
			.block(Duration.ofSeconds(5));

		assertThat(verdict.outcome()).isEqualTo(GuardVerdict.Outcome.DENY);
		assertThat(verdict.reason()).isEqualTo("the answer contains US_SSN");
	}

	@Test
	void answersThatAreNotPresidiosAreFailedChecks() {
		PresidioGuardrail guardrail = guardrail(Map.of("US_SSN", PresidioGuardrail.Action.BLOCK), false);
		GuardRequest request = new GuardRequest(List.of("short"), "t", "m");

		this.analyzer.json("/analyze", 200, "{\"detail\":\"no\"}");
		assertThatIllegalStateException().isThrownBy(() -> guardrail.checkRequest(request).block(Duration.ofSeconds(5)))
			.withMessageContaining("not a list");
		this.analyzer.json("/analyze", 200, "[{\"entity_type\":\"US_SSN\",\"start\":2,\"end\":99,\"score\":1}]");
		assertThatIllegalStateException().isThrownBy(() -> guardrail.checkRequest(request).block(Duration.ofSeconds(5)))
			.withMessageContaining("outside the text");
		this.analyzer.json("/analyze", 422, "{\"error\":\"bad language\"}");
		assertThatIllegalStateException().isThrownBy(() -> guardrail.checkRequest(request).block(Duration.ofSeconds(5)))
			.withMessageContaining("HTTP 422");
	}

	@Test
	void settingsThatCannotWorkAreRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> guardrail(Map.of(), false))
			.withMessageStartingWith("entities:");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new PresidioGuardrail("p", URI.create("http://127.0.0.1:1"), URI.create("http://127.0.0.1:2"),
					"en", 0.5, Map.of("X", PresidioGuardrail.Action.MASK), Map.of(), true, Set.of(Stage.PRE),
					HttpClient.create()))
			.withMessageStartingWith("reversible:");
	}

	private PresidioGuardrail guardrail(Map<String, PresidioGuardrail.Action> entities, boolean reversible) {
		return new PresidioGuardrail("presidio", URI.create("http://127.0.0.1:" + this.analyzer.port()), null, "en", 0.5,
				entities, Map.of(), reversible, Set.of(Stage.PRE, Stage.POST), HttpClient.create());
	}

}
