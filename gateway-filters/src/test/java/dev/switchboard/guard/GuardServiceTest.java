package dev.switchboard.guard;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.HttpHeaders;

import dev.switchboard.core.Json;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.NativeRequest;
import dev.switchboard.core.Operation;
import dev.switchboard.guard.regex.RegexGuardrail;
import dev.switchboard.testing.TestCatalogs;

import static dev.switchboard.testing.Fixtures.FAKE_OPENAI_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The guardrails of a route on one request: in order, rewrites carried forward, denies and fail modes. */
class GuardServiceTest {

	private final List<String> metered = new ArrayList<>();

	private final List<String> refused = new ArrayList<>();

	private final GuardService guard = new GuardService(Map.of(
			"pii", new GuardedRail(new RegexGuardrail("pii", List.of(), List.of("email"), Map.of()), Duration.ofSeconds(1), false),
			"secrets", new GuardedRail(new RegexGuardrail("secrets", List.of("api-key"), List.of(), Map.of()),
					Duration.ofSeconds(1), true),
			"slow-open", new GuardedRail(hanging("slow-open"), Duration.ofMillis(50), false),
			"slow-closed", new GuardedRail(hanging("slow-closed"), Duration.ofMillis(50), true),
			"sees", new GuardedRail(recording("sees"), Duration.ofSeconds(1), true)),
			(guardrail, stage, outcome, nanos) -> this.metered.add(guardrail + ":" + outcome));

	private final List<String> seen = new ArrayList<>();

	@Test
	void aRewriteIsWhatLaterGuardrailsAndTheProviderSee() {
		LlmExchange exchange = chat("Mail jane@example.com about it");

		this.guard.checkRequest(exchange, List.of("pii", "sees"), this.refused::add).block(Duration.ofSeconds(5));

		assertThat(this.seen).containsExactly("Mail [EMAIL] about it");
		assertThat(exchange.body().path("messages").get(0).path("content").asString()).isEqualTo("Mail [EMAIL] about it");
		assertThat(exchange.decisions().toString()).contains("pii masked 1 email").doesNotContain("jane@");
		assertThat(this.metered).containsExactly("pii:masked", "sees:allowed");
		assertThat(this.refused).isEmpty();
	}

	@Test
	void theClientsOwnBodyAtAnotherDoorIsMaskedToo() {
		LlmExchange exchange = chat("Mail jane@example.com");
		ObjectNode anthropic = (ObjectNode) Json.MAPPER.readTree("""
				{"model":"m","max_tokens":10,"system":[{"type":"text","text":"Reply to jane@example.com"}],
				 "messages":[{"role":"user","content":[{"type":"text","text":"Mail jane@example.com"}]},
				  {"role":"assistant","content":[{"type":"thinking","thinking":"jane@example.com","signature":"s"}]}]}""");
		exchange.put(NativeRequest.class, new NativeRequest(NativeRequest.ANTHROPIC_MESSAGES, anthropic, new HttpHeaders(),
				Json.object()));

		this.guard.checkRequest(exchange, List.of("pii"), this.refused::add).block(Duration.ofSeconds(5));

		String sent = exchange.nativeRequest().body().toString();
		assertThat(sent).contains("Reply to [EMAIL]", "Mail [EMAIL]");
		assertThat(sent).as("signed thinking goes as it was written").contains("\"thinking\":\"jane@example.com\"");
		assertThat(anthropic.toString()).as("the client's parsed body is not changed in place").contains("Reply to jane@");
	}

	@Test
	void aDenyIsTheClients400NamingTheGuardrail() {
		LlmExchange exchange = chat("my key is " + FAKE_OPENAI_KEY);

		assertThatExceptionOfType(LlmApiException.class)
			.isThrownBy(() -> this.guard.checkRequest(exchange, List.of("pii", "secrets", "sees"), this.refused::add)
				.block(Duration.ofSeconds(5)))
			.satisfies(ex -> {
				assertThat(ex.status()).isEqualTo(400);
				assertThat(ex.code()).isEqualTo("content_policy_violation");
				assertThat(ex.getMessage()).contains("'secrets'", "api-key").doesNotContain(FAKE_OPENAI_KEY, "sk-proj");
			});
		assertThat(this.refused).containsExactly("secrets");
		assertThat(this.seen).as("no guardrail after the deny runs").isEmpty();
	}

	@Test
	void aGuardrailThatDoesNotAnswerFailsAsConfigured() {
		LlmExchange open = chat("hi");
		this.guard.checkRequest(open, List.of("slow-open", "sees"), this.refused::add).block(Duration.ofSeconds(5));
		assertThat(this.seen).containsExactly("hi");
		assertThat(open.decisions().toString()).contains("slow-open did not answer within 50 ms; fail-open");

		assertThatExceptionOfType(LlmApiException.class)
			.isThrownBy(() -> this.guard.checkRequest(chat("hi"), List.of("slow-closed"), this.refused::add)
				.block(Duration.ofSeconds(5)))
			.satisfies(ex -> {
				assertThat(ex.status()).isEqualTo(503);
				assertThat(ex.code()).isEqualTo("guardrail_unavailable");
			});
		assertThat(this.metered).contains("slow-open:timeout", "slow-closed:timeout");
		assertThat(this.refused).containsExactly("slow-closed");
	}

	private LlmExchange chat(String text) {
		ObjectNode body = Json.object().put("model", "gpt-test");
		body.putArray("messages").addObject().put("role", "user").put("content", text);
		return TestCatalogs.exchange(TestCatalogs.catalog(java.net.URI.create("http://127.0.0.1:1/v1")), Operation.CHAT,
				body.toString());
	}

	private static Guardrail hanging(String name) {
		return guardrail(name, request -> Mono.never());
	}

	private Guardrail recording(String name) {
		return guardrail(name, request -> {
			GuardServiceTest.this.seen.addAll(request.texts());
			return Mono.just(GuardVerdict.allow());
		});
	}

	private static Guardrail guardrail(String name, Function<GuardRequest, Mono<GuardVerdict>> check) {
		return new Guardrail() {
			@Override
			public String name() {
				return name;
			}

			@Override
			public Mono<GuardVerdict> checkRequest(GuardRequest request) {
				return check.apply(request);
			}
		};
	}

}
