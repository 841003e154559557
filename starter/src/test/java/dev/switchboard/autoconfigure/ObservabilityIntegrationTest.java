package dev.switchboard.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.switchboard.autoconfigure.observe.LlmCostsEndpoint;
import dev.switchboard.autoconfigure.observe.LlmRequestsEndpoint;
import dev.switchboard.core.Json;
import dev.switchboard.observe.GenAiAttributes;
import dev.switchboard.observe.log.RequestLog;
import dev.switchboard.observe.metrics.GenAiMetrics;
import dev.switchboard.testing.Fixtures;
import dev.switchboard.testing.RedisTestServer;
import dev.switchboard.testing.StubUpstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Metrics, the request log and the decision record after real requests through a real gateway:
 * token counts equal the provider's usage, streams record their time to first token, errors are
 * labelled, and no key ever shows up in a response, a log line, a metric or a record.
 */
@SpringBootTest(classes = { GatewayTestApplication.class, ObservabilityIntegrationTest.Metrics.class },
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		// no tracer here: Brave is on this module's test classpath for TracingIntegrationTest
		properties = { "switchboard.observability.cost-headers=true",
				"spring.autoconfigure.exclude=org.springframework.boot.micrometer.tracing.brave.autoconfigure.BraveAutoConfiguration,"
						+ "org.springframework.boot.micrometer.tracing.autoconfigure.MicrometerTracingAutoConfiguration" })
@ActiveProfiles("gateway-it")
class ObservabilityIntegrationTest {

	private static final String PROVIDER_KEY = "provider-secret-key-0123456789";

	private static final String CLIENT_KEY = "team-a-key";

	private static final StubUpstream stub = new StubUpstream();

	@TestConfiguration
	static class Metrics {

		@Bean
		MeterRegistry meterRegistry() {
			return new SimpleMeterRegistry();
		}

	}

	@LocalServerPort
	int port;

	@Autowired
	MeterRegistry registry;

	@Autowired
	RequestLog requestLog;

	@Autowired
	LlmRequestsEndpoint endpoint;

	@Autowired
	LlmCostsEndpoint costs;

	private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

	@DynamicPropertySource
	static void providers(DynamicPropertyRegistry registry) {
		registry.add("switchboard.providers.openai.base-url", () -> stub.baseUrl().toString());
		registry.add("dead.port", RedisTestServer::freePort);
	}

	@AfterAll
	static void stop() {
		stub.close();
	}

	@BeforeEach
	void captureLogs() {
		stub.reset();
		this.registry.clear();
		this.logs.start();
		((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(this.logs);
	}

	@Test
	void tokenUsageCostAndDurationFollowTheGenAiConventions() {
		stub.json("/v1/chat/completions", 200, Fixtures.text("openai/chat-basic.response.json"));
		Response response = chat(false);
		assertThat(response.status).isEqualTo(200);

		assertThat(tokens("input").totalAmount()).isEqualTo(19);
		assertThat(tokens("output").totalAmount()).isEqualTo(2);
		Meter.Id id = tokens("input").getId();
		assertThat(id.getTag(GenAiAttributes.OPERATION)).isEqualTo("chat");
		assertThat(id.getTag(GenAiAttributes.PROVIDER)).isEqualTo("openai");
		assertThat(id.getTag(GenAiAttributes.REQUEST_MODEL)).isEqualTo("fast");
		assertThat(id.getTag(GenAiAttributes.RESPONSE_MODEL)).isEqualTo("gpt-test-2026-01");
		assertThat(id.getTag(GenAiAttributes.TEAM)).isEqualTo("team-a");
		assertThat(this.registry.get(GenAiMetrics.OPERATION_DURATION).tag(GenAiAttributes.ERROR_TYPE, "none").timer().count())
			.isEqualTo(1);
		// 15 uncached prompt tokens at $2.50/M, 4 cached at $1.25/M, 2 completion tokens at $10/M.
		assertThat(this.registry.get(GenAiMetrics.COST).counter().count())
			.isCloseTo((15 * 2.50 + 4 * 1.25 + 2 * 10.00) / 1_000_000, within(1e-12));

		JsonNode record = Json.MAPPER.valueToTree(this.endpoint.request(response.requestId));
		assertThat(record.path("provider").asString()).isEqualTo("openai");
		assertThat(record.path("prompt_tokens").asLong()).isEqualTo(19);
		assertThat(record.path("attempts").get(0).path("outcome").asString()).isEqualTo("success");
		assertThat(record.path("decisions").toString()).contains("alias 'fast' -> 'gpt-test'");
		assertThat(this.endpoint.request("req_unknown")).isNull();
		assertThat(stub.lastRequest().headers().get("traceparent")).as("no tracer, no trace headers").isNull();

		double expectedCost = (15 * 2.50 + 4 * 1.25 + 2 * 10.00) / 1_000_000;
		assertThat(response.headers).contains("x-switchboard-prompt-tokens: 19").contains("x-switchboard-completion-tokens: 2");
		JsonNode day = Json.MAPPER.valueToTree(this.costs.team("team-a").block(Duration.ofSeconds(5))).path("day");
		JsonNode gpt = day.path("teams").path("team-a").path("gpt-test");
		assertThat(gpt.path("prompt_tokens").asLong()).isGreaterThanOrEqualTo(19);
		assertThat(gpt.path("cost_usd").asDouble()).isGreaterThanOrEqualTo(expectedCost);
		assertThat(Json.MAPPER.valueToTree(this.costs.team("nobody").block(Duration.ofSeconds(5))).path("day").path("teams").size()).isZero();
	}

	@Test
	void streamsRecordTimeToFirstTokenAndTheUsageReportedAtTheirEnd() {
		stub.sse("/v1/chat/completions", Flux.just(Fixtures.text("openai/chat-stream.stream.sse")));
		assertThat(chat(true).status).isEqualTo(200);
		assertThat(this.registry.get(GenAiMetrics.TIME_TO_FIRST_TOKEN).timer().count()).isEqualTo(1);
		assertThat(tokens("output").totalAmount()).isEqualTo(2);
		assertThat(tokens("input").totalAmount()).isEqualTo(19);
	}

	@Test
	void errorsAreCountedWithABoundedErrorType() {
		stub.json("/v1/chat/completions", 500, "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}");
		assertThat(chat(false).status).isEqualTo(500);
		assertThat(this.registry.get(GenAiMetrics.REQUESTS).tag(GenAiMetrics.OUTCOME, "error").counter().count())
			.isEqualTo(1);
		assertThat(this.registry.get(GenAiMetrics.REQUESTS).counter().getId().getTag(GenAiAttributes.ERROR_TYPE))
			.isEqualTo("server_error");
		assertThat(this.registry.get(GenAiMetrics.ATTEMPTS).tag(GenAiMetrics.OUTCOME, "upstream_error").counter().count())
			.as("two calls (one retry), each counted once").isEqualTo(2);
	}

	@Test
	void noKeyAppearsInResponsesLogsMetricsOrRecords() {
		StringBuilder everything = new StringBuilder();
		stub.json("/v1/chat/completions", 401, Fixtures.text("openai/error-401.response.json"));
		everything.append(chat(false).all());
		stub.json("/v1/chat/completions", 429, Fixtures.text("openai/error-429.response.json"), Map.of("retry-after", "1"));
		everything.append(chat(false).all());
		stub.sse("/v1/chat/completions", Flux.just(Fixtures.text("openai/chat-stream.stream.sse")));
		Response ok = chat(true);
		everything.append(ok.all());

		// The lines are written by the request log's own thread, just after the responses.
		org.awaitility.Awaitility.await()
			.atMost(java.time.Duration.ofSeconds(5))
			.until(() -> List.copyOf(this.logs.list).stream().anyMatch(e -> e.getLoggerName().equals(RequestLog.LOGGER)
					&& e.getFormattedMessage().contains(ok.requestId)));
		everything.append(List.copyOf(this.logs.list).stream().map(ILoggingEvent::getFormattedMessage).collect(Collectors.joining("\n")));
		this.registry.getMeters().forEach(meter -> everything.append(meter.getId()).append('\n'));
		everything.append(Json.MAPPER.valueToTree(this.endpoint.request(ok.requestId)).toString());

		assertThat(this.logs.list).as("the request log wrote lines").anyMatch(e -> e.getLoggerName().equals(RequestLog.LOGGER));
		assertThat(everything.toString()).doesNotContain(PROVIDER_KEY).doesNotContain(CLIENT_KEY);
	}

	private DistributionSummary tokens(String type) {
		return this.registry.get(GenAiMetrics.TOKEN_USAGE).tag(GenAiAttributes.TOKEN_TYPE, type).summary();
	}

	private record Response(int status, String requestId, String headers, String body) {

		String all() {
			return this.headers + "\n" + this.body + "\n";
		}

	}

	private Response chat(boolean stream) {
		String body = "{\"model\":\"fast\",\"stream\":" + stream
				+ ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
		return HttpClient.create()
			.headers(h -> h.set("content-type", "application/json").set("authorization", "Bearer " + CLIENT_KEY))
			.post()
			.uri("http://127.0.0.1:" + this.port + "/v1/chat/completions")
			.send((request, out) -> out.sendString(Mono.just(body)))
			.responseSingle((response, content) -> content.asString()
				.defaultIfEmpty("")
				.map(text -> new Response(response.status().code(), response.responseHeaders().get("x-request-id"),
						response.responseHeaders().toString(), text)))
			.blockOptional(Duration.ofSeconds(10))
			// The gateway completes the exchange (metrics, then the record) just after the client has read it.
			.map(response -> {
				Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> this.requestLog.find(response.requestId) != null);
				return response;
			})
			.orElseThrow();
	}


}
