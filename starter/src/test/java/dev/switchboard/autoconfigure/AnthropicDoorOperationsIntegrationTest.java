package dev.switchboard.autoconfigure;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import io.netty.handler.codec.http.HttpHeaders;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.switchboard.core.Headers;
import dev.switchboard.core.Json;
import dev.switchboard.observe.log.RequestLog;
import dev.switchboard.quota.admission.TokenQuotaService;
import dev.switchboard.quota.backend.QuotaBackend.UsageRecord;
import dev.switchboard.sse.SseDecoder;
import dev.switchboard.sse.SseEvent;
import dev.switchboard.testing.Fixtures;
import dev.switchboard.testing.StubUpstream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a team gets at the Anthropic door besides answers: its streams charged with the provider's
 * usage, translated or native, and the gateway's cache shared with the OpenAI door, replayed in
 * the asking door's shape.
 */
@SpringBootTest(classes = GatewayTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("anthropic-door-ops-it")
class AnthropicDoorOperationsIntegrationTest {

	private static final StubUpstream openai = new StubUpstream();

	private static final StubUpstream anthropic = new StubUpstream();

	@LocalServerPort
	int port;

	@Autowired
	TokenQuotaService quotas;

	@Autowired
	RequestLog requests;

	@DynamicPropertySource
	static void providers(DynamicPropertyRegistry registry) {
		registry.add("switchboard.providers.openai.base-url", () -> openai.baseUrl().toString());
		registry.add("switchboard.providers.anthropic.base-url", () -> anthropic.baseUrl().toString());
	}

	@AfterAll
	static void stop() {
		openai.close();
		anthropic.close();
	}

	@Test
	void aStreamThroughTheDoorIsChargedWithTheProvidersUsageTranslatedOrNative() {
		openai.reset();
		openai.sse("/v1/chat/completions", Flux.just(Fixtures.text("e2e/openai/stream.sse")));
		anthropic.reset();
		anthropic.sse("/v1/messages", Flux.just(Fixtures.text("e2e/anthropic/stream.sse")));
		UsageRecord before = ledger("ops-a");

		Answer translated = post("/v1/messages", "ops-a-key", streamed("m-openai", "Tell me about Paris"));
		assertThat(translated.status()).as(translated.body()).isEqualTo(200);
		assertThat(events(translated).get(events(translated).size() - 1).event()).isEqualTo("message_stop");
		UsageRecord afterTranslated = awaitRequests("ops-a", before.requests() + 1);
		assertThat(afterTranslated.promptTokens() - before.promptTokens()).isEqualTo(12);
		assertThat(afterTranslated.completionTokens() - before.completionTokens()).isEqualTo(7);
		assertThat(afterTranslated.spendNanoUsd() - before.spendNanoUsd()).as("12 x $1 + 7 x $2 per million")
			.isEqualTo(12 * 1000 + 7 * 2000);

		Answer nativeStream = post("/v1/messages", "ops-a-key", streamed("m-anthropic", "Tell me about Paris"));
		assertThat(nativeStream.status()).as(nativeStream.body()).isEqualTo(200);
		UsageRecord afterNative = awaitRequests("ops-a", before.requests() + 2);
		assertThat(afterNative.promptTokens() - afterTranslated.promptTokens()).isEqualTo(12);
		assertThat(afterNative.completionTokens() - afterTranslated.completionTokens()).isEqualTo(7);
		assertThat(afterNative.spendNanoUsd() - afterTranslated.spendNanoUsd()).isEqualTo(12 * 3000 + 7 * 15000);
	}

	@Test
	void aQuestionAnsweredAtTheOpenAiDoorIsACacheHitAtTheAnthropicDoorInItsShape() {
		openai.reset();
		openai.json("/v1/chat/completions", 200, Fixtures.text("e2e/openai/chat.json"));
		Answer miss = post("/v1/chat/completions", "ops-b-key", """
				{"model":"m-openai","max_completion_tokens":64,
				 "messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Capital of France?"}]}""");
		assertThat(miss.status()).as(miss.body()).isEqualTo(200);
		assertThat(miss.headers().get(Headers.CACHE)).isEqualTo("miss");

		Answer hit = post("/v1/messages", "ops-b-key", """
				{"model":"m-openai","max_tokens":64,"system":"Be brief.",
				 "messages":[{"role":"user","content":"Capital of France?"}]}""");
		assertThat(hit.status()).as(hit.body()).isEqualTo(200);
		assertThat(hit.headers().get(Headers.CACHE)).isEqualTo("hit");
		JsonNode message = Json.MAPPER.readTree(hit.body());
		assertThat(message.path("type").asString()).isEqualTo("message");
		assertThat(message.path("content").get(0).path("text").asString()).isEqualTo("Paris is the capital of France.");
		assertThat(message.path("stop_reason").asString()).isEqualTo("end_turn");
		assertThat(openai.received()).as("one provider call for both doors").hasSize(1);
		assertThat(door(miss)).isEqualTo("openai");
		assertThat(door(hit)).as("the request record names the door").isEqualTo("anthropic");

		Answer otherTeam = post("/v1/messages", "ops-a-key", """
				{"model":"m-openai","max_tokens":64,"system":"Be brief.",
				 "messages":[{"role":"user","content":"Capital of France?"}]}""");
		assertThat(otherTeam.headers().get(Headers.CACHE)).as("never another team's answer").isEqualTo("miss");
	}

	@Test
	void aStreamedMissAtTheDoorIsReplayedAsTheSameAnthropicEvents() {
		anthropic.reset();
		anthropic.sse("/v1/messages", Flux.just(Fixtures.text("e2e/anthropic/stream.sse")));
		String request = streamed("m-anthropic", "Replay me");

		Answer miss = post("/v1/messages", "ops-b-key", request);
		assertThat(miss.headers().get(Headers.CACHE)).isEqualTo("miss");
		Answer hit = post("/v1/messages", "ops-b-key", request);
		assertThat(hit.headers().get(Headers.CACHE)).isEqualTo("hit");
		assertThat(anthropic.received()).hasSize(1);

		// The miss is Anthropic's own stream handed over; the hit is written from the canonical answer
		// the cache kept: the same events and text, and the same output tokens (the hit's
		// message_delta also repeats the input side, as newer Anthropic versions do).
		assertThat(eventNames(hit)).isEqualTo(eventNames(miss));
		assertThat(text(hit)).isEqualTo(text(miss)).isEqualTo("Paris is the capital of France.");
		assertThat(usageOfDelta(hit).path("output_tokens")).isEqualTo(usageOfDelta(miss).path("output_tokens"));
	}

	// ---- helpers

	private static String streamed(String model, String prompt) {
		return "{\"model\":\"" + model + "\",\"max_tokens\":64,\"stream\":true,"
				+ "\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
	}

	private String door(Answer answer) {
		String id = answer.headers().get(Headers.REQUEST_ID);
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> this.requests.find(id) != null);
		return this.requests.find(id).path("door").asString();
	}

	private UsageRecord ledger(String team) {
		return this.quotas.backend().ledger(team, LocalDate.now(ZoneOffset.UTC)).block(Duration.ofSeconds(5)).day();
	}

	private UsageRecord awaitRequests(String team, long requests) {
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> ledger(team).requests() >= requests);
		return ledger(team);
	}

	private static List<SseEvent> events(Answer answer) {
		return new SseDecoder().decode(answer.body().getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * The event names, with {@code ping}s left out and runs of deltas as one: a replay needs no
	 * keep-alives and may cut the text into other pieces than the provider did.
	 */
	private static List<String> eventNames(Answer answer) {
		List<String> names = new ArrayList<>();
		for (SseEvent event : events(answer)) {
			boolean repeat = !names.isEmpty() && names.get(names.size() - 1).equals(event.event());
			if (!"ping".equals(event.event()) && !repeat) {
				names.add(event.event());
			}
		}
		return names;
	}

	private static String text(Answer answer) {
		StringBuilder text = new StringBuilder();
		for (SseEvent event : events(answer)) {
			if ("content_block_delta".equals(event.event())) {
				text.append(Json.MAPPER.readTree(event.data()).path("delta").path("text").asString(""));
			}
		}
		return text.toString();
	}

	private static JsonNode usageOfDelta(Answer answer) {
		return events(answer).stream()
			.filter(e -> "message_delta".equals(e.event()))
			.map(e -> Json.MAPPER.readTree(e.data()).path("usage"))
			.findFirst()
			.orElseThrow();
	}

	record Answer(int status, HttpHeaders headers, String body) {
	}

	/** A request with the key as each door's clients send it: OpenAI's SDKs a bearer token, Anthropic's x-api-key. */
	private Answer post(String path, String key, String body) {
		boolean openAiDoor = path.endsWith("/chat/completions");
		return HttpClient.create()
			.headers(h -> h.set("content-type", "application/json")
				.set(openAiDoor ? "authorization" : "x-api-key", openAiDoor ? "Bearer " + key : key))
			.post()
			.uri("http://127.0.0.1:" + this.port + path)
			.send((request, out) -> out.sendString(Mono.just(body)))
			.responseSingle((response, content) -> content.asString()
				.defaultIfEmpty("")
				.map(text -> new Answer(response.status().code(), response.responseHeaders(), text)))
			.block(Duration.ofSeconds(10));
	}

}
