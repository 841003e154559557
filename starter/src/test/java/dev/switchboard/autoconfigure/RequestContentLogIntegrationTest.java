package dev.switchboard.autoconfigure;

import java.time.Duration;
import java.util.List;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
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

import dev.switchboard.autoconfigure.observe.LlmRequestsEndpoint;
import dev.switchboard.core.Json;
import dev.switchboard.observe.log.RequestLog;
import dev.switchboard.testing.Fixtures;
import dev.switchboard.testing.RedisTestServer;
import dev.switchboard.testing.StubUpstream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code switchboard.observability.log-content.enabled=true} through a real gateway: the request
 * log line and the llmrequests record of a streamed request carry the prompt and the streamed
 * answer, cut at {@code max-chars}; the client's stream is the provider's, untouched.
 */
@SpringBootTest(classes = GatewayTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "switchboard.observability.log-content.enabled=true",
				"switchboard.observability.log-content.max-chars=20",
				"spring.autoconfigure.exclude=org.springframework.boot.micrometer.tracing.brave.autoconfigure.BraveAutoConfiguration,"
						+ "org.springframework.boot.micrometer.tracing.autoconfigure.MicrometerTracingAutoConfiguration" })
@ActiveProfiles("gateway-it")
class RequestContentLogIntegrationTest {

	private static final StubUpstream stub = new StubUpstream();

	private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

	@LocalServerPort
	int port;

	@Autowired
	LlmRequestsEndpoint endpoint;

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
		this.logs.start();
		((Logger) LoggerFactory.getLogger(RequestLog.LOGGER)).addAppender(this.logs);
	}

	@AfterEach
	void releaseLogs() {
		((Logger) LoggerFactory.getLogger(RequestLog.LOGGER)).detachAppender(this.logs);
	}

	@Test
	void theLogLineAndTheRecordCarryThePromptAndTheStreamedAnswer() {
		stub.sse("/v1/chat/completions", Flux.just(Fixtures.text("openai/chat-stream.stream.sse")));
		String body = "{\"model\":\"fast\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":"
				+ "\"Say hello, then explain the whole history of greetings.\"}]}";
		String[] requestId = new String[1];
		String streamed = HttpClient.create()
			.headers(h -> h.set("content-type", "application/json").set("authorization", "Bearer team-a-key"))
			.post()
			.uri("http://127.0.0.1:" + this.port + "/v1/chat/completions")
			.send((request, out) -> out.sendString(Mono.just(body)))
			.responseSingle((response, content) -> {
				requestId[0] = response.responseHeaders().get("x-request-id");
				return content.asString();
			})
			.block(Duration.ofSeconds(10));
		assertThat(streamed).contains("\"content\":\"Hello\"").contains("data: [DONE]");

		Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> this.endpoint.request(requestId[0]) != null);
		JsonNode record = Json.MAPPER.valueToTree(this.endpoint.request(requestId[0]));
		assertThat(record.path("prompt").asString()).isEqualTo("user: Say hello, the...");
		assertThat(record.path("completion").asString()).isEqualTo("Hello.");
		// The record is kept just before the line is logged: wait for the line too.
		Awaitility.await().atMost(Duration.ofSeconds(2)).ignoreExceptions()
			.until(() -> List.copyOf(this.logs.list).stream().anyMatch(e -> e.getFormattedMessage().contains(requestId[0])));
		assertThat(List.copyOf(this.logs.list)).map(ILoggingEvent::getFormattedMessage)
			.anySatisfy(line -> assertThat(line).contains(requestId[0])
				.contains("\"prompt\":\"user: Say hello, the...\"")
				.contains("\"completion\":\"Hello.\""));
	}

}
