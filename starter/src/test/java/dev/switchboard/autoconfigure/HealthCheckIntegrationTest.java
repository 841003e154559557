package dev.switchboard.autoconfigure;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.switchboard.core.Json;
import dev.switchboard.dispatch.HealthProber;
import dev.switchboard.testing.Fixtures;
import dev.switchboard.testing.StubUpstream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Active health checks through the running gateway: the primary provider's stub starts failing, the
 * probes mark it unhealthy before any client request reaches it, requests go to the fallback, the
 * {@code llm} health contributor says so, and the primary comes back after two good probes.
 */
@SpringBootTest(classes = GatewayTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("health-it")
class HealthCheckIntegrationTest {

	private static final StubUpstream primary = new StubUpstream();

	private static final StubUpstream secondary = new StubUpstream();

	private static final AtomicBoolean primaryDown = new AtomicBoolean();

	private static final String OK = Fixtures.text("e2e/openai/chat.json");

	static {
		primary.on("/v1/models", (request, response) -> response.status(primaryDown.get() ? 503 : 200)
			.sendString(Mono.just("{\"object\":\"list\",\"data\":[]}")).then());
		primary.json("/v1/chat/completions", 200, OK);
		secondary.json("/v1/chat/completions", 200, OK);
	}

	@LocalServerPort
	int port;

	@Autowired
	HealthProber prober;

	@DynamicPropertySource
	static void providers(DynamicPropertyRegistry registry) {
		registry.add("switchboard.providers.primary.base-url", () -> primary.baseUrl().toString());
		registry.add("switchboard.providers.secondary.base-url", () -> secondary.baseUrl().toString());
	}

	@AfterAll
	static void stop() {
		primary.close();
		secondary.close();
	}

	@Test
	void anUnhealthyPrimaryIsSkippedBeforeAnyRequestReachesItAndComesBack() {
		assertThat(chat()).isEqualTo(200);
		assertThat(chatCalls(primary)).isEqualTo(1);

		primaryDown.set(true);
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !this.prober.health().get("primary").healthy());
		JsonNode health = health();
		assertThat(health.path("status").asString()).as("the gateway still serves").isEqualTo("UP");
		JsonNode detail = health.path("components").path("llm").path("details").path("providers").path("primary");
		assertThat(detail.path("status").asString()).isEqualTo("DOWN");
		assertThat(detail.path("lastProblem").asString()).isEqualTo("HTTP 503");

		int primaryBefore = chatCalls(primary);
		int secondaryBefore = chatCalls(secondary);
		for (int i = 0; i < 3; i++) {
			assertThat(chat()).isEqualTo(200);
		}
		assertThat(chatCalls(primary)).as("no request reaches the unhealthy primary").isEqualTo(primaryBefore);
		assertThat(chatCalls(secondary)).isEqualTo(secondaryBefore + 3);

		primaryDown.set(false);
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> this.prober.health().get("primary").healthy());
		assertThat(chat()).isEqualTo(200);
		assertThat(chatCalls(primary)).as("back in the rotation").isEqualTo(primaryBefore + 1);
	}

	private int chat() {
		return HttpClient.create()
			.headers(h -> h.set("authorization", "Bearer health-key").set("content-type", "application/json"))
			.post()
			.uri("http://127.0.0.1:" + this.port + "/v1/chat/completions")
			.send((request, out) -> out.sendString(Mono.just(
					"{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")))
			.responseSingle((response, body) -> body.asString().defaultIfEmpty("").map(text -> response.status().code()))
			.block(Duration.ofSeconds(10));
	}

	private JsonNode health() {
		String body = HttpClient.create()
			.get()
			.uri("http://127.0.0.1:" + this.port + "/actuator/health")
			.responseSingle((response, content) -> content.asString())
			.block(Duration.ofSeconds(10));
		return Json.MAPPER.readTree(body);
	}

	private static int chatCalls(StubUpstream stub) {
		return (int) stub.received().stream().filter(r -> r.path().endsWith("/chat/completions")).count();
	}

}
