package dev.switchboard.sample;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample's operator endpoints: Prometheus metrics in the GenAI conventions and the decision
 * record of a request, on the loopback management port, and not on the public one.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "management.server.port=0")
class OperatorEndpointsTest {

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	@Test
	void prometheusAndRequestRecordsOnTheManagementPortOnly() {
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

		Awaitility.await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
			String metrics = get(this.managementPort, "/actuator/prometheus");
			assertThat(metrics).contains("gen_ai_client_token_usage").contains("gen_ai_token_type=\"output\"")
				.contains("gen_ai_request_model=\"fast\"").contains("switchboard_cost_usd_total");
		});
		assertThat(get(this.managementPort, "/actuator/llmrequests/" + requestId[0])).contains("\"provider\":\"mock\"")
			.contains("\"completion_tokens\":3");
		assertThat(status(this.port, "/actuator/prometheus")).as("not on the public port").isEqualTo(404);
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
