package dev.switchboard.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import brave.Span;
import brave.handler.MutableSpan;
import brave.handler.SpanHandler;
import brave.propagation.TraceContext;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.switchboard.observe.GenAiAttributes;
import dev.switchboard.observe.tracing.TracerAttemptSpans;
import dev.switchboard.testing.Fixtures;
import dev.switchboard.testing.StubUpstream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spans from a real tracer: Spring Boot's Brave auto-configuration, Micrometer Tracing's bridge,
 * W3C propagation and every request sampled, as an application gets them by adding the two
 * dependencies. After real HTTP requests through the gateway, one server span covers the request
 * and one client span per provider call is its child, with the GenAI attributes; the
 * {@code traceparent} each provider receives names that trace and that client span.
 */
@SpringBootTest(classes = { GatewayTestApplication.class, TracingIntegrationTest.Spans.class },
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("tracing-it")
class TracingIntegrationTest {

	private static final StubUpstream primary = new StubUpstream();

	private static final StubUpstream backup = new StubUpstream();

	private static final List<MutableSpan> FINISHED = new CopyOnWriteArrayList<>();

	/** Keeps finished spans in memory instead of reporting them anywhere. */
	@TestConfiguration
	static class Spans {

		@Bean
		SpanHandler inMemorySpans() {
			return new SpanHandler() {
				@Override
				public boolean end(TraceContext context, MutableSpan span, Cause cause) {
					if (cause == Cause.FINISHED) {
						FINISHED.add(span);
					}
					return true;
				}
			};
		}

	}

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void providers(DynamicPropertyRegistry registry) {
		registry.add("switchboard.providers.primary.base-url", () -> primary.baseUrl().toString());
		registry.add("switchboard.providers.backup.base-url", () -> backup.baseUrl().toString());
	}

	@AfterAll
	static void stop() {
		primary.close();
		backup.close();
	}

	@BeforeEach
	void reset() {
		primary.reset();
		backup.reset();
		FINISHED.clear();
	}

	@Test
	void oneServerSpanAndOneClientSpanWithGenAiAttributesAndTheTraceReachesTheProvider() {
		primary.json("/v1/chat/completions", 200, Fixtures.text("openai/chat-basic.response.json"));
		assertThat(chat()).isEqualTo(200);

		MutableSpan server = awaitServerSpan();
		List<MutableSpan> clients = clientSpans(1);
		MutableSpan client = clients.get(0);
		assertThat(client.traceId()).isEqualTo(server.traceId());
		assertThat(client.parentId()).as("child of the gateway's request span").isEqualTo(server.id());
		assertThat(client.name()).isEqualTo("chat gpt-p");
		assertThat(client.tag(GenAiAttributes.OPERATION)).isEqualTo("chat");
		assertThat(client.tag(GenAiAttributes.PROVIDER)).isEqualTo("primary");
		assertThat(client.tag(GenAiAttributes.REQUEST_MODEL)).isEqualTo("gpt-p");
		assertThat(client.tag(GenAiAttributes.RESPONSE_MODEL)).isEqualTo("gpt-p");
		assertThat(client.tag("gen_ai.usage.input_tokens")).isEqualTo("19");
		assertThat(client.tag("gen_ai.usage.output_tokens")).isEqualTo("2");
		assertThat(client.tag("switchboard.attempt.outcome")).isEqualTo("success");
		assertThat(client.error()).isNull();
		assertThat(client.tag(TracerAttemptSpans.DECISIONS)).as("the decision record travels with the trace")
			.startsWith("route: ").contains("-> primary/gpt-p");
		assertThat(client.tag("switchboard.request_id")).startsWith("req_");

		Traceparent sent = Traceparent.parse(primary.lastRequest().headers().get("traceparent"));
		assertThat(sent.traceId()).as("the provider continues the gateway's trace").isEqualTo(server.traceId());
		assertThat(sent.parentId()).as("under the client span of its call").isEqualTo(client.id());
		assertThat(sent.sampled()).isTrue();
		assertNoKeyIn(FINISHED);
	}

	@Test
	void failoverMakesOneClientSpanPerAttemptUnderTheSameRequestSpan() {
		primary.json("/v1/chat/completions", 500, "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}");
		backup.json("/v1/chat/completions", 200, Fixtures.text("openai/chat-basic.response.json"));
		assertThat(chat()).isEqualTo(200);

		MutableSpan server = awaitServerSpan();
		List<MutableSpan> clients = clientSpans(2);
		assertThat(clients).allSatisfy(span -> {
			assertThat(span.traceId()).isEqualTo(server.traceId());
			assertThat(span.parentId()).isEqualTo(server.id());
			assertThat(span.tag(GenAiAttributes.OPERATION)).isEqualTo("chat");
		});
		MutableSpan failed = clients.stream().filter(s -> "primary".equals(s.tag(GenAiAttributes.PROVIDER))).findFirst().orElseThrow();
		MutableSpan served = clients.stream().filter(s -> "backup".equals(s.tag(GenAiAttributes.PROVIDER))).findFirst().orElseThrow();
		assertThat(failed.tag(GenAiAttributes.REQUEST_MODEL)).isEqualTo("gpt-p");
		assertThat(failed.tag(GenAiAttributes.ERROR_TYPE)).isEqualTo("server_error");
		assertThat(failed.tag("gen_ai.usage.input_tokens")).isNull();
		assertThat(served.tag(GenAiAttributes.REQUEST_MODEL)).isEqualTo("gpt-b");
		assertThat(served.tag(GenAiAttributes.RESPONSE_MODEL)).isEqualTo("gpt-b");
		assertThat(served.tag("gen_ai.usage.input_tokens")).isEqualTo("19");
		assertThat(served.tag("switchboard.attempt.outcome")).isEqualTo("success");
		assertThat(served.tag(TracerAttemptSpans.DECISIONS)).contains("failover: ").contains("primary/gpt-p")
			.as("attempt lines, which quote provider errors, stay off the span").doesNotContain("boom");
		assertThat(failed.tag(TracerAttemptSpans.DECISIONS)).doesNotContain("failover: ");

		assertThat(primary.received()).hasSize(1);
		assertThat(backup.received()).hasSize(1);
		Traceparent toPrimary = Traceparent.parse(primary.lastRequest().headers().get("traceparent"));
		Traceparent toBackup = Traceparent.parse(backup.lastRequest().headers().get("traceparent"));
		assertThat(toPrimary.traceId()).isEqualTo(server.traceId());
		assertThat(toBackup.traceId()).isEqualTo(server.traceId());
		assertThat(toPrimary.parentId()).isEqualTo(failed.id());
		assertThat(toBackup.parentId()).isEqualTo(served.id());
		assertNoKeyIn(FINISHED);
	}

	private static MutableSpan awaitServerSpan() {
		Awaitility.await().atMost(Duration.ofSeconds(5))
			.until(() -> FINISHED.stream().anyMatch(s -> s.kind() == Span.Kind.SERVER));
		List<MutableSpan> servers = FINISHED.stream().filter(s -> s.kind() == Span.Kind.SERVER).toList();
		assertThat(servers).as("one span for the gateway request").hasSize(1);
		return servers.get(0);
	}

	private static List<MutableSpan> clientSpans(int expected) {
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> clients().size() >= expected);
		// nothing more arrives: exactly one client span per provider call
		Awaitility.await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2))
			.until(() -> clients().size() == expected);
		return clients();
	}

	private static List<MutableSpan> clients() {
		return FINISHED.stream()
			.filter(s -> s.kind() == Span.Kind.CLIENT && s.tag(GenAiAttributes.OPERATION) != null)
			.toList();
	}

	private static void assertNoKeyIn(List<MutableSpan> spans) {
		assertThat(spans.toString()).doesNotContain("secret-key").doesNotContain("team-a-key");
	}

	private int chat() {
		String body = "{\"model\":\"traced\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
		return HttpClient.create()
			.headers(h -> h.set("content-type", "application/json").set("authorization", "Bearer team-a-key"))
			.post()
			.uri("http://127.0.0.1:" + this.port + "/v1/chat/completions")
			.send((request, out) -> out.sendString(Mono.just(body)))
			.responseSingle((response, content) -> content.asString().defaultIfEmpty("").thenReturn(response.status().code()))
			.block(Duration.ofSeconds(10));
	}

	/** A W3C {@code traceparent}: version, trace id, parent span id, flags. */
	private record Traceparent(String traceId, String parentId, boolean sampled) {

		static Traceparent parse(String header) {
			assertThat(header).as("traceparent").matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]");
			String[] parts = header.split("-");
			return new Traceparent(parts[1], parts[2], parts[3].equals("01"));
		}

	}

}
