package dev.switchboard.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
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

import dev.switchboard.catalog.ModelCatalog;
import dev.switchboard.core.Json;
import dev.switchboard.core.RouteTarget;
import dev.switchboard.dispatch.Resilience4jTargetBreakers;
import dev.switchboard.dispatch.TargetBreakers;
import dev.switchboard.route.TargetStats;
import dev.switchboard.sse.SseDecoder;
import dev.switchboard.sse.SseEvent;
import dev.switchboard.testing.Fixtures;
import dev.switchboard.testing.StubUpstream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Failover through a real gateway: each provider is a loopback stub whose failures the test
 * scripts, and the client only ever sees one clean answer or one OpenAI-style error.
 */
@SpringBootTest(classes = GatewayTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("failover-it")
class FailoverIntegrationTest {

	private static final Map<String, StubUpstream> stubs = Map.of("primary", new StubUpstream(), "secondary",
			new StubUpstream(), "claude", new StubUpstream(), "solo", new StubUpstream(), "flaky", new StubUpstream(),
			"steady", new StubUpstream(), "major", new StubUpstream(), "minor", new StubUpstream());

	private static final String OK = Fixtures.text("e2e/openai/chat.json");

	private static final String SERVER_ERROR = Fixtures.text("e2e/openai/error-500.json");

	@LocalServerPort
	int port;

	@Autowired
	TargetBreakers breakers;

	@Autowired
	ModelCatalog catalog;

	@Autowired
	TargetStats stats;

	@DynamicPropertySource
	static void providers(DynamicPropertyRegistry registry) {
		stubs.forEach((name, stub) -> registry.add("switchboard.providers." + name + ".base-url",
				() -> stub.baseUrl().toString()));
	}

	@AfterAll
	static void stop() {
		stubs.values().forEach(StubUpstream::close);
	}

	@BeforeEach
	void reset() {
		stubs.values().forEach(StubUpstream::reset);
		// Breakers remember earlier tests' failures: start each test with all of them closed.
		this.catalog.models().forEach(model -> ((Resilience4jTargetBreakers) this.breakers).breaker(target(model.id())).reset());
	}

	@Test
	void aFailingPrimaryIsRetriedOnceThenTheFallbackServes() {
		stub("primary").json("/v1/chat/completions", 500, SERVER_ERROR);
		stub("secondary").json("/v1/chat/completions", 200, OK);

		Response response = chat("/v1", "smart", false);

		assertThat(response.status).isEqualTo(200);
		assertThat(response.header("x-switchboard-provider")).isEqualTo("secondary");
		assertThat(response.header("x-switchboard-attempts")).isEqualTo("3");
		assertThat(stub("primary").received()).hasSize(2);
		assertThat(Json.MAPPER.readTree(stub("secondary").lastRequest().body()).path("model").asString())
			.isEqualTo("gpt-s");
	}

	@Test
	void aRateLimitMovesOnAtOnceEvenWithoutRetryAfter() {
		stub("primary").json("/v1/chat/completions", 429, Fixtures.text("e2e/openai/error-429.json"));
		stub("secondary").json("/v1/chat/completions", 200, OK);
		Response response = chat("/v1", "smart", false);
		assertThat(response.status).isEqualTo(200);
		assertThat(stub("primary").received()).hasSize(1);
	}

	@Test
	void theRequestIsTranslatedAfreshForAnotherProviderType() {
		stub("primary").json("/v1/chat/completions", 503, SERVER_ERROR);
		stub("secondary").json("/v1/chat/completions", 503, SERVER_ERROR);
		stub("claude").json("/v1/messages", 200, Fixtures.text("e2e/anthropic/chat.json"));

		Response response = chat("/v1", "smart", false);

		assertThat(response.status).isEqualTo(200);
		assertThat(response.header("x-switchboard-provider")).isEqualTo("claude");
		JsonNode body = Json.MAPPER.readTree(response.body);
		assertThat(body.path("object").asString()).isEqualTo("chat.completion");
		assertThat(body.path("choices").get(0).path("message").path("content").asString())
			.isEqualTo("Paris is the capital of France.");
		JsonNode anthropicRequest = Json.MAPPER.readTree(stub("claude").lastRequest().body());
		assertThat(anthropicRequest.path("model").asString()).isEqualTo("claude-b");
		assertThat(anthropicRequest.path("max_tokens").asInt()).isPositive();
		assertThat(stub("claude").lastRequest().headers().get("x-api-key")).isEqualTo("anthropic-key");
	}

	@Test
	void theDroppedParametersHeaderNamesOnlyWhatTheServingTargetLeftOut() {
		stub("claude").json("/v1/messages", 529,
				"{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}");
		stub("secondary").json("/v1/chat/completions", 200, OK);

		Response response = chat("/v1", "claude-first", false, ",\"logprobs\":true");

		assertThat(response.status).isEqualTo(200);
		assertThat(response.header("x-switchboard-provider")).isEqualTo("secondary");
		assertThat(Json.MAPPER.readTree(stub("secondary").lastRequest().body()).path("logprobs").asBoolean())
			.as("the OpenAI target honours logprobs").isTrue();
		assertThat(response.header("x-switchboard-dropped-params")).as("Anthropic dropped it, but did not answer")
			.isNull();

		stub("claude").json("/v1/messages", 200, Fixtures.text("e2e/anthropic/chat.json"));
		assertThat(chat("/v1", "claude-first", false, ",\"logprobs\":true").header("x-switchboard-dropped-params"))
			.isEqualTo("logprobs");
	}

	@Test
	void aFallbacksAnswerIsNotCachedAsTheRequestedModels() {
		stub("primary").json("/v1/chat/completions", 500, SERVER_ERROR);
		stub("secondary").json("/v1/chat/completions", 200, OK);
		Response fallback = chat("/cached/v1", "smart", false, ",\"seed\":4242");
		assertThat(fallback.header("x-switchboard-provider")).isEqualTo("secondary");
		assertThat(fallback.header("x-switchboard-cache")).isEqualTo("miss");

		stub("primary").json("/v1/chat/completions", 200, OK);
		Response again = chat("/cached/v1", "smart", false, ",\"seed\":4242");
		assertThat(again.header("x-switchboard-cache")).as("the fallback's answer was not stored for 'smart'")
			.isEqualTo("miss");
		assertThat(again.header("x-switchboard-provider")).isEqualTo("primary");
		Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
				chat("/cached/v1", "smart", false, ",\"seed\":4242").header("x-switchboard-cache")).isEqualTo("hit"));
	}

	@Test
	void clientErrorsNeverFailOver() {
		stub("primary").json("/v1/chat/completions", 400,
				"{\"error\":{\"message\":\"bad temperature\",\"type\":\"invalid_request_error\",\"param\":\"temperature\",\"code\":null}}");
		stub("secondary").json("/v1/chat/completions", 200, OK);
		Response response = chat("/v1", "smart", false);
		assertThat(response.status).isEqualTo(400);
		assertThat(stub("primary").received()).hasSize(1);
		assertThat(stub("secondary").received()).isEmpty();
	}

	@Test
	void aStreamThatFailsBeforeItsFirstByteFailsOver() {
		stub("primary").sse("/v1/chat/completions", Flux.error(new IllegalStateException("died before a byte")));
		stub("secondary").sse("/v1/chat/completions", Flux.just(Fixtures.text("e2e/openai/stream.sse")));

		Response response = chat("/v1", "smart", true);

		assertThat(response.status).isEqualTo(200);
		assertThat(response.header("x-switchboard-provider")).isEqualTo("secondary");
		List<SseEvent> events = events(response.body);
		assertThat(events.get(events.size() - 1).isDone()).isTrue();
		assertThat(events).noneMatch(event -> event.dataAsString().contains("\"error\""));
	}

	@Test
	void aStreamThatFailsAfterItsFirstTokenEndsWithAnErrorEventAndDoesNotFailOver() {
		String[] chunks = Fixtures.text("e2e/openai/stream.sse").split("\n\n");
		stub("primary").sse("/v1/chat/completions",
				Flux.concat(Flux.just(chunks[0] + "\n\n", chunks[1] + "\n\n"),
						Mono.delay(Duration.ofMillis(100)).then(Mono.error(new IllegalStateException("died mid-stream")))));
		stub("secondary").sse("/v1/chat/completions", Flux.just(Fixtures.text("e2e/openai/stream.sse")));

		Response response = chat("/v1", "smart", true);

		List<SseEvent> events = events(response.body);
		assertThat(events).hasSize(3);
		assertThat(events.get(1).dataAsString()).contains("Paris is the capital");
		assertThat(events.get(2).dataAsString()).contains("\"error\"");
		assertThat(stub("secondary").received()).isEmpty();
	}

	@Test
	void aStreamThatFailsAfterOnlyItsRoleChunkStillFailsOver() {
		String role = Fixtures.text("e2e/openai/stream.sse").split("\n\n")[0] + "\n\n";
		stub("primary").sse("/v1/chat/completions", Flux.concat(Flux.just(role),
				Mono.delay(Duration.ofMillis(50)).then(Mono.error(new IllegalStateException("died")))));
		stub("secondary").sse("/v1/chat/completions", Flux.just(Fixtures.text("e2e/openai/stream.sse")));

		Response response = chat("/v1", "smart", true);

		assertThat(response.status).isEqualTo(200);
		assertThat(response.header("x-switchboard-provider")).isEqualTo("secondary");
		List<SseEvent> events = events(response.body);
		assertThat(events).noneMatch(event -> event.dataAsString().contains("\"error\""));
		assertThat(events.stream().filter(event -> event.dataAsString().contains("\"role\"")).count())
			.as("one role chunk: the failed attempt's was never written")
			.isEqualTo(1);
		assertThat(events.get(events.size() - 1).isDone()).isTrue();
	}

	@Test
	void anAnthropicOverloadRightAfterMessageStartFailsOver() {
		// Anthropic opens the stream, then reports it is overloaded: nothing generated, nothing written.
		stub("claude").sse("/v1/messages", Flux.just("""
				event: message_start
				data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-b","stop_reason":null,"usage":{"input_tokens":12,"output_tokens":1}}}

				event: ping
				data: {"type":"ping"}

				event: error
				data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}

				"""));
		stub("secondary").sse("/v1/chat/completions", Flux.just(Fixtures.text("e2e/openai/stream.sse")));

		Response response = chat("/v1", "claude-first", true);

		assertThat(response.status).isEqualTo(200);
		assertThat(response.header("x-switchboard-provider")).isEqualTo("secondary");
		assertThat(response.header("x-switchboard-attempts")).isEqualTo("2");
		List<SseEvent> events = events(response.body);
		assertThat(events).noneMatch(event -> event.dataAsString().contains("\"error\""));
		assertThat(events.get(events.size() - 1).isDone()).isTrue();
	}

	@Test
	void aTotalTimeoutEndsASlowStreamWithAnErrorEvent() {
		String chunk = Fixtures.text("e2e/openai/stream.sse").split("\n\n")[1] + "\n\n";
		// Each chunk within the 300 ms idle timeout, the whole stream (1.5 s) far beyond the 500 ms total.
		stub("solo").sse("/v1/chat/completions", Flux.range(0, 10).delayElements(Duration.ofMillis(150)).map(i -> chunk));
		long start = System.nanoTime();
		Response response = chat("/bounded/v1", "solo-model", true);
		long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
		List<SseEvent> events = events(response.body);
		assertThat(response.status).isEqualTo(200);
		assertThat(events.size()).isBetween(2, 6);
		assertThat(events.get(events.size() - 1).dataAsString()).contains("total_timeout");
		assertThat(elapsedMillis).isLessThan(1200);
	}

	@Test
	void aStreamStillFlowingAtTheDeadlineIsNotCut() {
		String[] chunks = Fixtures.text("e2e/openai/stream.sse").split("\n\n");
		String token = chunks[1] + "\n\n";
		// The deadline (600 ms on this route) bounds the wait for an answer, not the answer: ten chunks
		// 100 ms apart end well after it, each within the provider's 300 ms idle timeout.
		stub("primary").sse("/v1/chat/completions", Flux.concat(Flux.just(chunks[0] + "\n\n"),
				Flux.range(0, 10).delayElements(Duration.ofMillis(100)).map(i -> token), Flux.just("data: [DONE]\n\n")));
		long start = System.nanoTime();
		Response response = chat("/tight/v1", "smart", true);
		long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
		assertThat(response.status).isEqualTo(200);
		assertThat(elapsedMillis).as("the stream outlived the deadline").isGreaterThan(900);
		List<SseEvent> events = events(response.body);
		assertThat(events).noneMatch(event -> event.dataAsString().contains("\"error\""));
		assertThat(events.stream().filter(event -> event.dataAsString().contains("Paris is the capital")).count())
			.isEqualTo(10);
		assertThat(events.get(events.size() - 1).isDone()).isTrue();
		assertThat(stub("secondary").received()).isEmpty();
	}

	@Test
	void aPromptTooLongMovesToALargerContextWindowOnly() {
		stub("primary").json("/v1/chat/completions", 400, """
				{"error":{"message":"maximum context length is 8000 tokens","type":"invalid_request_error",
				 "param":"messages","code":"context_length_exceeded"}}""");
		stub("secondary").json("/v1/chat/completions", 200, OK);
		Response response = chat("/v1", "short-ctx", false);
		assertThat(response.status).isEqualTo(200);
		assertThat(stub("solo").received()).as("same window: skipped without a call").isEmpty();
		assertThat(Json.MAPPER.readTree(stub("secondary").lastRequest().body()).path("model").asString())
			.isEqualTo("long");
	}

	@Test
	void theLastTargetIsRetriedAfterItsRetryAfter() {
		AtomicInteger calls = new AtomicInteger();
		stub("solo").on("/v1/chat/completions", (request, response) -> (calls.getAndIncrement() == 0)
				? response.status(429).header("content-type", "application/json").header("retry-after-ms", "150")
					.sendString(Mono.just(Fixtures.text("e2e/openai/error-429.json"))).then()
				: response.status(200).header("content-type", "application/json").sendString(Mono.just(OK)).then());
		long start = System.nanoTime();
		Response response = chat("/v1", "solo-model", false);
		long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
		assertThat(response.status).isEqualTo(200);
		assertThat(calls.get()).isEqualTo(2);
		assertThat(elapsedMillis).as("waited for Retry-After").isGreaterThanOrEqualTo(150);
	}

	@Test
	void theDeadlineBoundsTheWholeWalk() {
		stubs.values().forEach(stub -> stub.on("/v1/chat/completions", (request, response) -> Mono.never()));
		stub("claude").on("/v1/messages", (request, response) -> Mono.never());
		long start = System.nanoTime();
		Response response = chat("/tight/v1", "smart", false);
		long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
		assertThat(response.status).isEqualTo(504);
		assertThat(Json.MAPPER.readTree(response.body).path("error").path("code").asString()).isIn("deadline_exceeded",
				"upstream_timeout");
		assertThat(elapsedMillis).isLessThan(1500);
	}

	@Test
	void anOpenBreakerSkipsItsTargetWithoutACallAndClosesAfterASuccessfulProbe() throws Exception {
		CircuitBreaker breaker = ((Resilience4jTargetBreakers) this.breakers).breaker(target("flaky-model"));
		breaker.reset();
		stub("flaky").json("/v1/chat/completions", 500, SERVER_ERROR);
		stub("steady").json("/v1/chat/completions", 200, OK);

		for (int i = 0; i < 2; i++) {
			assertThat(chat("/v1", "flaky-model", false).status).isEqualTo(200);
		}
		assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
		int callsWhenOpened = stub("flaky").received().size();
		assertThat(callsWhenOpened).isEqualTo(4);

		Response skipped = chat("/v1", "flaky-model", false);
		assertThat(skipped.status).isEqualTo(200);
		assertThat(skipped.header("x-switchboard-provider")).isEqualTo("steady");
		assertThat(stub("flaky").received()).as("open breaker: no call").hasSize(callsWhenOpened);
		assertThat(breaker.getMetrics().getNumberOfNotPermittedCalls()).isPositive();

		stub("flaky").reset();
		stub("flaky").json("/v1/chat/completions", 200, OK);
		// Once the breaker's open time is over, a request probes the target again and is served by it.
		Awaitility.await()
			.atMost(Duration.ofSeconds(3))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> "flaky".equals(chat("/v1", "flaky-model", false).header("x-switchboard-provider")));
		// The breaker records the call when the gateway finishes writing, just after the client has read it.
		Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> breaker.getState() == CircuitBreaker.State.CLOSED);
	}

	@Test
	void aRequestRefusedAnywayIsA400EvenWhileItsTargetsBreakerIsOpen() {
		CircuitBreaker claude = ((Resilience4jTargetBreakers) this.breakers).breaker(target("claude-first"));
		CircuitBreaker solo = ((Resilience4jTargetBreakers) this.breakers).breaker(target("solo-model"));
		claude.transitionToOpenState();
		solo.transitionToOpenState();
		stub("secondary").json("/v1/chat/completions", 200, OK);

		// Anthropic cannot take a tool schema that is not an object: the translation refuses it.
		Response untranslatable = chat("/v1", "claude-first", false,
				",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":\"notaschema\"}}]");
		assertThat(untranslatable.status).isEqualTo(400);
		JsonNode error = Json.MAPPER.readTree(untranslatable.body).path("error");
		assertThat(error.path("type").asString()).isEqualTo("invalid_request_error");
		assertThat(error.path("param").asString()).isEqualTo("tools[0].function.parameters");
		assertThat(stub("secondary").received()).as("a client error does not fail over").isEmpty();

		// No provider takes a file: URL, whatever its breaker says.
		String body = "{\"model\":\"solo-model\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
				+ "\"image_url\":{\"url\":\"file:///etc/passwd\"}}]}]}";
		Response fileUrl = post("/v1/chat/completions", body);
		assertThat(fileUrl.status).isEqualTo(400);
		assertThat(Json.MAPPER.readTree(fileUrl.body).path("error").path("param").asString())
			.isEqualTo("messages[0].content[0].image_url.url");

		// The breakers are open all the same: a valid request to solo-model is 503 circuit_open.
		Response valid = chat("/v1", "solo-model", false);
		assertThat(valid.status).isEqualTo(503);
		assertThat(Json.MAPPER.readTree(valid.body).path("error").path("code").asString()).isEqualTo("circuit_open");
		assertThat(stub("solo").received()).isEmpty();
	}

	@Test
	void aWeightedPoolSplitsTrafficAndFallsBackToItsOtherMember() {
		// Start without ejections earlier tests of this context may have left.
		this.stats.retain(Set.of());
		stub("major").json("/v1/chat/completions", 200, OK);
		stub("minor").json("/v1/chat/completions", 200, OK);
		HttpClient client = HttpClient.create()
			.headers(h -> h.set("content-type", "application/json").set("authorization", "Bearer ops-key"));
		String body = "{\"model\":\"ab\",\"messages\":[{\"role\":\"user\",\"content\":\"split\"}]}";
		List<int[]> answers = Flux.range(0, 2000)
			.flatMap(i -> client.post()
				.uri("http://127.0.0.1:" + this.port + "/v1/chat/completions")
				.send((request, out) -> out.sendString(Mono.just(body)))
				.responseSingle((response, content) -> content.then(Mono.fromSupplier(() -> new int[] {
						response.status().code(), Integer.parseInt(response.responseHeaders().get("x-switchboard-attempts", "1")) }))),
					16)
			.collectList()
			.block(Duration.ofSeconds(60));
		assertThat(answers).hasSize(2000).allMatch(answer -> answer[0] == 200);
		// Weights 3:1: 75 % +/- 5 points over 2,000 requests (the binomial spread is about 1 point).
		assertThat(stub("major").received().size()).isBetween(1400, 1600);
		// Every call the providers saw is an attempt a response counted: none made twice unsaid (a
		// connection the stub closed under load may be retried, and is then said in the header).
		int attempts = answers.stream().mapToInt(answer -> answer[1]).sum();
		assertThat(stub("minor").received().size() + stub("major").received().size()).isBetween(2000, attempts);
		assertThat(attempts).as("retries under load stay rare").isLessThan(2000 + 20);

		stub("minor").reset();
		stub("minor").json("/v1/chat/completions", 503, SERVER_ERROR);
		for (int i = 0; i < 20; i++) {
			Response response = chat("/v1", "ab", false);
			assertThat(response.status).isEqualTo(200);
			assertThat(response.header("x-switchboard-provider")).isEqualTo("major");
		}
	}

	@Test
	void leastLatencyMovesTrafficAwayFromATargetThatSlowsDown() {
		slow("secondary", 0);
		slow("steady", 150);
		served(12);
		assertThat(served(10)).as("the faster target takes the traffic").containsOnly("secondary");

		slow("secondary", 300);
		slow("steady", 0);
		served(10);
		assertThat(served(5)).as("once it has slowed down, traffic moves to the other").containsOnly("steady");
	}

	private void slow(String provider, long millis) {
		stub(provider).reset();
		stub(provider).on("/v1/chat/completions", (request, response) -> Mono.delay(Duration.ofMillis(millis))
			.then(response.status(200).header("content-type", "application/json").sendString(Mono.just(OK)).then()));
	}

	private List<String> served(int requests) {
		List<String> providers = new ArrayList<>();
		for (int i = 0; i < requests; i++) {
			Response response = chat("/v1", "quick", false);
			assertThat(response.status).isEqualTo(200);
			providers.add(response.header("x-switchboard-provider"));
		}
		return providers;
	}

	@Test
	void breakersDoNotCapConcurrency() {
		stub("solo").on("/v1/chat/completions", (request, response) -> Mono.delay(Duration.ofMillis(200))
			.then(response.status(200).header("content-type", "application/json").sendString(Mono.just(OK)).then()));
		// Spring Cloud CircuitBreaker's bulkhead would allow 25 concurrent calls per group by default.
		List<Integer> statuses = Flux.range(0, 80)
			.flatMap(i -> Mono.fromCallable(() -> chat("/v1", "solo-model", false).status)
				.subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic()), 80)
			.collectList()
			.block(Duration.ofSeconds(30));
		assertThat(statuses).hasSize(80).containsOnly(200);
	}

	@Test
	void chaosPrimaryHealthySecondaryThousandRequests() {
		CircuitBreaker breaker = ((Resilience4jTargetBreakers) this.breakers).breaker(target("chaos"));
		AtomicInteger opened = new AtomicInteger();
		AtomicInteger closed = new AtomicInteger();
		AtomicInteger skipped = new AtomicInteger();
		breaker.getEventPublisher().onCallNotPermitted(event -> skipped.incrementAndGet());
		breaker.getEventPublisher().onStateTransition(event -> {
			switch (event.getStateTransition().getToState()) {
				case OPEN -> opened.incrementAndGet();
				case CLOSED -> closed.incrementAndGet();
				default -> {
				}
			}
		});
		HttpClient client = HttpClient.create()
			.headers(h -> h.set("content-type", "application/json").set("authorization", "Bearer ops-key"));
		String body = "{\"model\":\"chaos\",\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}";
		List<long[]> results = Flux.range(0, 1000)
			.flatMap(i -> Mono.defer(() -> {
				long start = System.nanoTime();
				return client.post()
					.uri("http://127.0.0.1:" + this.port + "/v1/chat/completions")
					.send((request, out) -> out.sendString(Mono.just(body)))
					.responseSingle((response, content) -> content.then(Mono.just(new long[] { response.status().code(),
							(System.nanoTime() - start) / 1_000_000 })));
			}), 16)
			.collectList()
			.block(Duration.ofSeconds(120));

		long succeeded = results.stream().filter(r -> r[0] == 200).count();
		long slowest = results.stream().mapToLong(r -> r[1]).max().orElseThrow();
		assertThat(succeeded).as("success rate over 1,000 requests").isGreaterThanOrEqualTo(999);
		assertThat(slowest).as("slowest request (ms) against the 5 s deadline").isLessThan(5000);
		assertThat(opened.get()).as("breaker opened").isPositive();
		// A half-open probe succeeds 60 % of the time here: keep the traffic going until one has.
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
			assertThat(chat("/v1", "chaos", false).status).isEqualTo(200);
			return closed.get() > 0;
		});
		assertThat(skipped.get()).as("calls skipped while open").isPositive();
	}

	// ---- helpers

	private RouteTarget target(String model) {
		return new RouteTarget(this.catalog.find(model).orElseThrow(),
				this.catalog.provider(this.catalog.find(model).orElseThrow().provider()));
	}

	private static StubUpstream stub(String name) {
		return stubs.get(name);
	}

	private record Response(int status, io.netty.handler.codec.http.HttpHeaders headers, byte[] body) {

		String header(String name) {
			return this.headers.get(name);
		}

	}

	private Response chat(String prefix, String model, boolean stream) {
		return chat(prefix, model, stream, "");
	}

	private Response chat(String prefix, String model, boolean stream, String extraFields) {
		String body = "{\"model\":\"" + model + "\",\"stream\":" + stream + extraFields
				+ ",\"messages\":[{\"role\":\"user\",\"content\":\"What is the capital of France?\"}]}";
		return post(prefix + "/chat/completions", body);
	}

	private Response post(String path, String body) {
		return HttpClient.create()
			.headers(h -> h.set("content-type", "application/json").set("authorization", "Bearer ops-key"))
			.post()
			.uri("http://127.0.0.1:" + this.port + path)
			.send((request, out) -> out.sendString(Mono.just(body)))
			.responseSingle((response, content) -> content.asByteArray()
				.defaultIfEmpty(new byte[0])
				.map(bytes -> new Response(response.status().code(), response.responseHeaders(), bytes)))
			.block(Duration.ofSeconds(10));
	}

	private static List<SseEvent> events(byte[] body) {
		SseDecoder decoder = new SseDecoder();
		List<SseEvent> events = new ArrayList<>(decoder.decode(body));
		events.addAll(decoder.finish());
		return events;
	}

}
