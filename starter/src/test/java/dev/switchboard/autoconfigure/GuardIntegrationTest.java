package dev.switchboard.autoconfigure;

import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.switchboard.autoconfigure.guard.GuardAutoConfiguration;
import dev.switchboard.core.Json;
import dev.switchboard.testing.StubUpstream;

import static dev.switchboard.testing.Fixtures.FAKE_OPENAI_KEY;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Guardrails through real HTTP, on a route with the cache and quotas: personal data masked before
 * the provider (its stub's log shows none), at the OpenAI door and natively to Anthropic; a deny
 * that reaches no provider and charges nothing; a masked request cached as masked.
 */
@SpringBootTest(classes = GatewayTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("guard-it")
class GuardIntegrationTest {

	private static final String KEY = "guard-key";

	@RegisterExtension
	static final StubProvider openaiProvider = new StubProvider();

	@RegisterExtension
	static final StubProvider anthropicProvider = new StubProvider();

	private static final StubUpstream openai = openaiProvider.upstream();

	private static final StubUpstream anthropic = anthropicProvider.upstream();

	@LocalServerPort
	int port;

	@Autowired
	MeterRegistry meters;

	@DynamicPropertySource
	static void providers(DynamicPropertyRegistry registry) {
		openaiProvider.serve(registry, "openai");
		anthropicProvider.serve(registry, "anthropic");
	}

	@BeforeEach
	void answers() {
		openai.on("/v1/chat/completions", (request, response) -> {
			boolean stream = Json.MAPPER.readTree(request.body()).path("stream").asBoolean(false);
			if (stream) {
				return response.status(200).header("content-type", "text/event-stream").sendString(Flux.just(
						"data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Noted.\"},\"finish_reason\":\"stop\"}]}\n\n",
						"data: [DONE]\n\n")).then();
			}
			return response.status(200).header("content-type", "application/json").sendString(Mono.just(
					"{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
							+ "\"message\":{\"role\":\"assistant\",\"content\":\"Noted.\"},\"finish_reason\":\"stop\"}],"
							+ "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2,\"total_tokens\":11}}")).then();
		});
		anthropic.json("/v1/messages", 200, """
				{"id":"msg_1","type":"message","role":"assistant","model":"claude-test",
				 "content":[{"type":"text","text":"Noted."}],"stop_reason":"end_turn","stop_sequence":null,
				 "usage":{"input_tokens":9,"output_tokens":2}}""");
	}

	@Test
	void personalDataNeverReachesTheProvider() {
		GatewayHttp.Answer answer = post("/v1/chat/completions", chat("gpt-test",
				"I am jane.doe@example.com, card 4111 1111 1111 1111, call +44 20 7946 0958", false));

		assertThat(answer.status()).as(answer.body()).isEqualTo(200);
		String sent = openai.lastRequest().body();
		assertThat(sent).contains("I am [EMAIL], card [CARD], call [PHONE]")
			.doesNotContain("jane.doe", "4111", "7946");
		assertThat(this.meters.find(GuardAutoConfiguration.CHECKS).tag("guardrail", "pii").tag("outcome", "masked")
			.counter().count()).isPositive();

		post("/v1/chat/completions", chat("gpt-test", "Stream for jane.doe@example.com", true));
		assertThat(openai.lastRequest().body()).contains("Stream for [EMAIL]").doesNotContain("jane.doe");
	}

	@Test
	void theClientsOwnBodyToAnAnthropicProviderIsMaskedToo() {
		GatewayHttp.Answer answer = post("/v1/messages", """
				{"model":"claude-test","max_tokens":50,"system":[{"type":"text","text":"Reply to ops@example.com",
				 "cache_control":{"type":"ephemeral"}}],
				 "messages":[{"role":"user","content":[{"type":"text","text":"My IBAN is DE89 3704 0044 0532 0130 00"}]}]}""");

		assertThat(answer.status()).as(answer.body()).isEqualTo(200);
		String sent = anthropic.lastRequest().body();
		assertThat(sent).contains("Reply to [EMAIL]", "My IBAN is [IBAN]", "cache_control")
			.doesNotContain("ops@example.com", "DE89");
	}

	@Test
	void aDeniedRequestReachesNoProviderAndNamesTheGuardrail() {
		GatewayHttp.Answer answer = post("/v1/chat/completions", chat("gpt-test",
				"Here is my key " + FAKE_OPENAI_KEY + ", and jane@example.com", false));

		assertThat(answer.status()).isEqualTo(400);
		JsonNode error = Json.MAPPER.readTree(answer.body()).path("error");
		assertThat(error.path("code").asString()).isEqualTo("content_policy_violation");
		assertThat(error.path("message").asString()).contains("'secrets'").doesNotContain(FAKE_OPENAI_KEY, "sk-proj");
		assertThat(answer.headers().get("x-switchboard-guardrail")).isEqualTo("secrets");
		assertThat(openai.received()).isEmpty();

		GatewayHttp.Answer anthropicDoor = post("/v1/messages", """
				{"model":"claude-test","max_tokens":50,"messages":[{"role":"user","content":"Tell me about Project Atlas"}]}""");
		assertThat(anthropicDoor.status()).isEqualTo(400);
		assertThat(Json.MAPPER.readTree(anthropicDoor.body()).path("type").asString()).as("in Anthropic's shape")
			.isEqualTo("error");
		assertThat(anthropic.received()).isEmpty();
	}

	@Test
	void aMaskedRequestIsCachedAsMasked() {
		assertThat(post("/v1/chat/completions", chat("gpt-test", "Summarise the mail of ann@example.com", false)).status())
			.isEqualTo(200);
		GatewayHttp.Answer second = post("/v1/chat/completions", chat("gpt-test", "Summarise the mail of bob@example.org", false));

		assertThat(second.headers().get("x-switchboard-cache")).as("both are 'the mail of [EMAIL]'").isEqualTo("hit");
		assertThat(openai.received()).hasSize(1);
	}

	// ---- helpers

	private static String chat(String model, String text, boolean stream) {
		return Json.object()
			.put("model", model)
			.put("stream", stream)
			.set("messages", Json.NODES.arrayNode().add(Json.object().put("role", "user").put("content", text)))
			.toString();
	}

	private static final Map<String, String> ANTHROPIC = Map.of("anthropic-version", "2023-06-01");

	private GatewayHttp.Answer post(String path, String body) {
		return GatewayHttp.post(this.port, path, KEY, body, ANTHROPIC);
	}

}
