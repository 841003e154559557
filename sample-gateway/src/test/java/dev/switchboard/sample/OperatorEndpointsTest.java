package dev.switchboard.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.switchboard.cache.semantic.InMemoryVectorStore;
import dev.switchboard.core.Json;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample's operator endpoints: Prometheus metrics in the GenAI conventions and the decision
 * record of a request, on the loopback management port, and not on the public one.
 */
// A held rollout (0 %, no steps: nothing moves) so that the dashboard's rollout series exist.
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = { "management.server.port=0",
		"switchboard.rollouts[0].name=smart", "switchboard.rollouts[0].to=resilient", "switchboard.rollouts[0].percent=0",
		"switchboard.rollouts[0].step=0" })
class OperatorEndpointsTest {

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	@Test
	void prometheusAndRequestRecordsOnTheManagementPortOnly() throws IOException {
		String[] requestId = new String[1];
		int status = HttpClient.create()
			.headers(h -> h.set("content-type", "application/json").set("authorization", "Bearer sb-demo-key"))
			.post()
			.uri("http://127.0.0.1:" + this.port + "/v1/chat/completions")
			.send((request, out) -> out.sendString(
					Mono.just("{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"count my tokens\"}]}")))
			.responseSingle((response, body) -> {
				requestId[0] = response.responseHeaders().get("x-request-id");
				return body.then(Mono.just(response.status().code()));
			})
			.block(Duration.ofSeconds(10));
		assertThat(status).isEqualTo(200);
		// A stream too, for the time-to-first-token series.
		HttpClient.create()
			.headers(h -> h.set("content-type", "application/json").set("authorization", "Bearer sb-demo-key"))
			.post()
			.uri("http://127.0.0.1:" + this.port + "/v1/chat/completions")
			.send((request, out) -> out.sendString(
					Mono.just("{\"model\":\"fast\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}")))
			.responseContent()
			.then()
			.block(Duration.ofSeconds(10));

		Awaitility.await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
			String metrics = get(this.managementPort, "/actuator/prometheus");
			assertThat(metrics).contains("gen_ai_client_token_usage").contains("gen_ai_token_type=\"output\"")
				.contains("gen_ai_request_model=\"fast\"").contains("switchboard_cost_usd_total");
		});
		Set<String> dashboardMetrics = dashboardMetrics();
		assertThat(dashboardMetrics).hasSizeGreaterThan(6);
		Awaitility.await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
			String metrics = get(this.managementPort, "/actuator/prometheus");
			assertThat(dashboardMetrics).as("every metric the Grafana dashboard queries is exported")
				.allSatisfy(name -> assertThat(metrics).contains("\n" + name));
		});
		assertThat(get(this.managementPort, "/actuator/llmcosts/demo")).contains("\"echo-small\"");
		assertThat(get(this.managementPort, "/actuator/llmrequests/" + requestId[0])).contains("\"provider\":\"mock\"")
			.contains("\"completion_tokens\":3");
		String config = get(this.managementPort, "/actuator/llmconfig");
		assertThat(Json.MAPPER.readTree(config).path("current").path("version").asString()).hasSize(12);
		assertThat(config).as("names, never keys").contains("echo-small").doesNotContain("sb-demo-key");
		assertThat(status(this.port, "/actuator/prometheus")).as("not on the public port").isEqualTo(404);
		assertThat(status(this.port, "/actuator/llmconfig")).isEqualTo(404);
	}

	@Test
	void askingTheSameQuestionTwiceIsACacheHit() {
		String body = "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"What is Switchboard?\"}]}";
		assertThat(cacheHeader(body)).isEqualTo("miss");
		assertThat(cacheHeader(body)).isEqualTo("hit");
	}

	@Test
	void aParaphraseIsASemanticHit(@Autowired InMemoryVectorStore vectors) {
		String question = "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"%s\"}]}";
		int indexed = vectors.size();
		assertThat(cacheHeader(question.formatted("How do I reset my password?"))).isEqualTo("miss");
		// The answer is indexed just after it is sent (a few milliseconds of embedding): wait for it.
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> vectors.size() > indexed);
		assertThat(cacheHeader(question.formatted("How can I reset my password?"))).isEqualTo("semantic-hit");
	}

	private String cacheHeader(String body) {
		return HttpClient.create()
			.headers(h -> h.set("content-type", "application/json").set("authorization", "Bearer sb-other-team-key"))
			.post()
			.uri("http://127.0.0.1:" + this.port + "/v1/chat/completions")
			.send((request, out) -> out.sendString(Mono.just(body)))
			.responseSingle((response, content) -> content.then(
					Mono.justOrEmpty(response.responseHeaders().get("x-switchboard-cache"))))
			.block(Duration.ofSeconds(10));
	}

	/** The metric names in the expressions of config-examples/grafana/switchboard-dashboard.json. */
	private static Set<String> dashboardMetrics() throws IOException {
		JsonNode dashboard = Json.MAPPER.readTree(
				Files.readString(Path.of("..", "config-examples", "grafana", "switchboard-dashboard.json")));
		Set<String> names = new TreeSet<>();
		Pattern metric = Pattern.compile("\\b((?:gen_ai|switchboard|resilience4j)_\\w+)(?=\\[|\\))");
		for (JsonNode panel : dashboard.path("panels")) {
			for (JsonNode target : panel.path("targets")) {
				// Label names in "by (...)" clauses look like metric names: leave them out.
				Matcher matcher = metric.matcher(target.path("expr").asString().replaceAll("by \\([^)]*\\)", ""));
				while (matcher.find()) {
					names.add(matcher.group(1));
				}
			}
		}
		return names;
	}

	private static String get(int port, String path) {
		return HttpClient.create().get().uri("http://127.0.0.1:" + port + path).responseContent().aggregate().asString()
			.block(Duration.ofSeconds(10));
	}

	private static int status(int port, String path) {
		return HttpClient.create().get().uri("http://127.0.0.1:" + port + path).response()
			.map(response -> response.status().code()).block(Duration.ofSeconds(10));
	}

}
