package dev.switchboard.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.JsonNode;

import org.springframework.context.ConfigurableApplicationContext;

import dev.switchboard.core.Headers;
import dev.switchboard.core.Json;
import dev.switchboard.testing.StubUpstream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A canary rollout through real HTTP: half of the users of {@code fast} go to a canary whose
 * provider answers 503. Clients never see it (the canary's route falls back to the model it
 * replaces), the error guard trips after its fifth failure, and from then on every request is
 * served by the stable model; {@code /actuator/llmconfig}, the tripping request's decision record
 * and the metrics say so.
 */
class RolloutIntegrationTest {

	static StubUpstream stable;

	static StubUpstream canary;

	static ConfigurableApplicationContext gateway;

	static int port;

	static int managementPort;

	@BeforeAll
	static void start() {
		stable = new StubUpstream().json("/v1/chat/completions", 200, """
				{"id":"c","object":"chat.completion","created":1,"model":"gpt-old","choices":[{"index":0,"message":
				{"role":"assistant","content":"stable"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,
				"completion_tokens":1,"total_tokens":4}}""");
		canary = new StubUpstream().json("/v1/chat/completions", 503,
				"{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\",\"code\":null}}");
		gateway = GatewayTestApplication.start("rollout-it", "management.server.port=0",
				"switchboard.failover.initial-backoff=5ms", "switchboard.providers.stable.base-url=" + stable.baseUrl(),
				"switchboard.providers.canary.base-url=" + canary.baseUrl());
		port = GatewayTestApplication.port(gateway);
		managementPort = GatewayTestApplication.managementPort(gateway);
	}

	@AfterAll
	static void stop() {
		gateway.close();
		stable.close();
		canary.close();
	}

	@Test
	void aCanaryThatFailsTripsItsGuardAndEveryRequestGoesBackToTheStableModel() throws Exception {
		JsonNode before = Json.MAPPER.readTree(get("/actuator/llmconfig")).path("rollouts").get(0);
		assertThat(before.path("state").asString()).isEqualTo("running");
		assertThat(before.path("share").asInt()).isEqualTo(50);

		List<String> requestIds = new ArrayList<>();
		for (int i = 0; i < 60; i++) {
			Answer answer = ask("user-" + i);
			assertThat(answer.status()).as("a failing canary falls back to the stable model").isEqualTo(200);
			assertThat(answer.provider()).isEqualTo("stable");
			requestIds.add(answer.requestId());
		}
		assertThat(canary.received()).as("asked until its fifth failure tripped the guard").hasSize(5);

		JsonNode after = Json.MAPPER.readTree(get("/actuator/llmconfig")).path("rollouts").get(0);
		assertThat(after.path("state").asString()).isEqualTo("aborted");
		assertThat(after.path("share").asInt()).isZero();
		assertThat(after.path("reason").asString()).startsWith("error rate 1.00 of 'canary-model' against 0.00");

		List<String> tripped = new ArrayList<>();
		for (String id : requestIds) {
			if (get("/actuator/llmrequests/" + id).contains("aborted 'fast'")) {
				tripped.add(id);
			}
		}
		assertThat(tripped).as("one request's decision record says it tripped the guard").hasSize(1);

		MeterRegistry meters = gateway.getBean(MeterRegistry.class);
		assertThat(meters.get("switchboard.rollout.aborted").tag("rollout", "fast").counter().count()).isEqualTo(1);
		assertThat(meters.get("switchboard.rollout.share").tag("rollout", "fast").gauge().value()).isZero();

		int calls = canary.received().size();
		for (int i = 0; i < 20; i++) {
			assertThat(ask("later-" + i).provider()).isEqualTo("stable");
		}
		assertThat(canary.received()).as("nothing more for the canary").hasSize(calls);
	}

	private static Answer ask(String user) {
		String body = "{\"model\":\"fast\",\"user\":\"" + user + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
		return HttpClient.create()
			.headers(h -> h.set("authorization", "Bearer live-key").set("content-type", "application/json"))
			.post()
			.uri("http://127.0.0.1:" + port + "/v1/chat/completions")
			.send((request, out) -> out.sendString(Mono.just(body)))
			.responseSingle((response, content) -> content.asString()
				.defaultIfEmpty("")
				.map(text -> new Answer(response.status().code(), response.responseHeaders().get(Headers.PROVIDER),
						response.responseHeaders().get(Headers.REQUEST_ID))))
			.block(Duration.ofSeconds(10));
	}

	private static String get(String path) {
		return HttpClient.create()
			.get()
			.uri("http://127.0.0.1:" + managementPort + path)
			.responseSingle((response, content) -> content.asString().defaultIfEmpty(""))
			.block(Duration.ofSeconds(10));
	}

	record Answer(int status, String provider, String requestId) {
	}

}
