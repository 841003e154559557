package dev.switchboard.autoconfigure;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.databind.JsonNode;

import org.springframework.context.ConfigurableApplicationContext;

import dev.switchboard.core.Json;
import dev.switchboard.quota.admission.TokenQuotaService;
import dev.switchboard.quota.backend.QuotaBackend;
import dev.switchboard.sse.SseDecoder;
import dev.switchboard.sse.SseEvent;
import dev.switchboard.testing.RedisTestServer;
import dev.switchboard.testing.StubUpstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Quotas end to end over real HTTP: two gateways (two Spring contexts on random ports) share one
 * real Redis in front of a loopback stub provider whose usage is known.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QuotaGatewayIntegrationTest {

	static final long PROMPT = 10;

	static final long COMPLETION = 20;

	static RedisTestServer redis;

	static StubUpstream stub;

	static ConfigurableApplicationContext first;

	static ConfigurableApplicationContext second;

	static final AtomicInteger served = new AtomicInteger();

	@BeforeAll
	static void start() {
		redis = RedisTestServer.startOnFreePort();
		stub = stub(served);
		first = gateway();
		second = gateway();
	}

	/** The provider: JSON answers of 10 + 20 tokens (counted in {@code served}), or streams. */
	static StubUpstream stub(AtomicInteger served) {
		StubUpstream stub = new StubUpstream();
		stub.on("/v1/chat/completions", (request, response) -> {
			boolean stream = Json.MAPPER.readTree(request.body()).path("stream").asBoolean(false);
			if (stream) {
				return response.status(200).header("content-type", "text/event-stream")
					.sendString(streamed(request.body().contains("crash") ? "error" : "normal")).then();
			}
			served.incrementAndGet();
			return response.status(200).header("content-type", "application/json").sendString(Mono.just("""
					{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-mini",
					 "choices":[{"index":0,"message":{"role":"assistant","content":"hello"},"finish_reason":"stop"}],
					 "usage":{"prompt_tokens":10,"completion_tokens":20,"total_tokens":30}}""")).then();
		});
		return stub;
	}

	private static ConfigurableApplicationContext gateway() {
		return GatewayTestApplication.start("quota-it", "switchboard.providers.openai.base-url=" + stub.baseUrl(),
				"switchboard.redis.address=" + redis.address());
	}

	@AfterAll
	static void stop() throws Exception {
		first.close();
		second.close();
		stub.close();
		redis.close();
	}

	/** 40 chunks of one token, 20 ms apart, then usage; or an error after 5 chunks. */
	static Flux<String> streamed(String mode) {
		Flux<String> chunks = Flux.range(0, 40).map(i -> "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\","
				+ "\"created\":1,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"w" + i
				+ " \"}}]}\n\n");
		if ("error".equals(mode)) {
			return chunks.take(5).delayElements(Duration.ofMillis(10))
				.concatWith(Flux.error(new IllegalStateException("provider crashed")));
		}
		return chunks.delayElements(Duration.ofMillis(20))
			.concatWith(Flux.just("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,"
					+ "\"model\":\"gpt-4o-mini\",\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":40,"
					+ "\"total_tokens\":50}}\n\n", "data: [DONE]\n\n"));
	}

	static int port(ConfigurableApplicationContext context) {
		return GatewayTestApplication.port(context);
	}

	static final String BODY = "{\"model\":\"fast\",\"max_tokens\":50,\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}";

	record Answer(int status, io.netty.handler.codec.http.HttpHeaders headers, String body, long millis) {
	}

	static Mono<Answer> post(HttpClient client, ConfigurableApplicationContext gateway, String key, String body) {
		long start = System.nanoTime();
		return client.headers(h -> h.set("authorization", "Bearer " + key).set("content-type", "application/json"))
			.post()
			.uri("http://127.0.0.1:" + port(gateway) + "/v1/chat/completions")
			.send((request, out) -> out.sendString(Mono.just(body)))
			.responseSingle((response, content) -> content.asString().defaultIfEmpty("")
				.map(text -> new Answer(response.status().code(), response.responseHeaders(), text,
						(System.nanoTime() - start) / 1_000_000)));
	}

	static QuotaBackend.UsageRecord ledger(String team) {
		return ledger(first, team);
	}

	static QuotaBackend.UsageRecord ledger(ConfigurableApplicationContext gateway, String team) {
		TokenQuotaService service = gateway.getBean(TokenQuotaService.class);
		return service.backend().ledger(team, LocalDate.now(ZoneOffset.UTC)).block(Duration.ofSeconds(5)).day();
	}

	static void awaitLedger(String team, long requests) throws InterruptedException {
		awaitLedger(first, team, requests);
	}

	static void awaitLedger(ConfigurableApplicationContext gateway, String team, long requests)
			throws InterruptedException {
		Awaitility.await()
			.atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> ledger(gateway, team).requests() >= requests);
	}

	@Test
	@Order(1)
	void twoHundredConcurrentRequestsThroughTwoGatewaysNeverOverspendTheSharedBudget() throws Exception {
		assertTwoHundredConcurrentRequestsStayWithinTheBudget(first, second, served, "team-a-key", "team-a");
	}

	/**
	 * 200 concurrent requests split over two gateways on one team's 3,000 tokens-per-minute budget:
	 * only 200s and 429s, every admitted request reached the provider, the ledger equals the sum of
	 * upstream usage, and admitted tokens exceed the budget (plus its refill while the test ran) by
	 * at most one reservation. Shared with the Redis Cluster variant.
	 */
	static void assertTwoHundredConcurrentRequestsStayWithinTheBudget(ConfigurableApplicationContext first,
			ConfigurableApplicationContext second, AtomicInteger served, String key, String team) throws Exception {
		int servedBefore = served.get();
		long started = System.nanoTime();
		ConnectionProvider pool = ConnectionProvider.builder("quota-load").maxConnections(200).build();
		HttpClient client = HttpClient.create(pool);
		List<Answer> answers = Flux.range(0, 200)
			.flatMap(i -> post(client, (i % 2 == 0) ? first : second, key, BODY), 200)
			.collectList()
			.block(Duration.ofSeconds(60));
		double minutes = (System.nanoTime() - started) / 60e9;
		pool.disposeLater().block();

		long admitted = answers.stream().filter(a -> a.status() == 200).count();
		long rejected = answers.stream().filter(a -> a.status() == 429).count();
		assertThat(admitted + rejected).as("only 200s and 429s, no store failure: %s", answers.stream()
			.filter(a -> a.status() != 200 && a.status() != 429).map(a -> a.status() + " " + a.body()).distinct().toList())
			.isEqualTo(200);
		assertThat(rejected).as("the budget did bind").isPositive();
		assertThat(served.get() - servedBefore).as("every admitted request reached the provider, no other did")
			.isEqualTo(admitted);

		awaitLedger(first, team, admitted);
		QuotaBackend.UsageRecord ledger = ledger(first, team);
		assertThat(ledger.requests()).isEqualTo(admitted);
		assertThat(ledger.tokens()).as("the Redis ledger equals the sum of upstream usage")
			.isEqualTo(admitted * (PROMPT + COMPLETION));
		long oneReservation = 60;
		long refilled = (long) Math.ceil(3000 * minutes);
		assertThat(ledger.tokens()).as("admitted tokens stay within the budget (+ its refill while the test ran)"
				+ " plus one reservation").isLessThanOrEqualTo(3000 + refilled + oneReservation);
		Answer any429 = answers.stream().filter(a -> a.status() == 429).findFirst().orElseThrow();
		assertThat(any429.headers().get("retry-after")).isNotNull();
		assertThat(any429.headers().get("x-switchboard-quota-backend")).isEqualTo("redis");
		assertThat(Json.MAPPER.readTree(any429.body()).path("error").path("type").asString()).isEqualTo("rate_limit_error");
	}

	@Test
	@Order(2)
	void theOfficialSdkSeesTheRateLimitHeadersAndARateLimitException() {
		OpenAIClient sdk = OpenAIOkHttpClient.builder()
			.baseUrl("http://127.0.0.1:" + port(first) + "/v1")
			.apiKey("team-b-key")
			.maxRetries(0)
			.timeout(Duration.ofSeconds(10))
			.build();
		ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model("fast").addUserMessage("hi")
			.maxCompletionTokens(20).build();
		HttpResponseFor<ChatCompletion> ok = sdk.chat().completions().withRawResponse().create(params);
		assertThat(ok.headers().values("x-ratelimit-limit-requests")).containsExactly("2");
		assertThat(ok.headers().values("x-ratelimit-remaining-requests")).containsExactly("1");
		assertThat(ok.headers().values("x-ratelimit-reset-requests")).containsExactly("30s");
		assertThat(ok.headers().values("x-ratelimit-limit-tokens")).containsExactly("100000");
		assertThat(Long.parseLong(ok.headers().values("x-ratelimit-remaining-tokens").get(0))).isBetween(99_900L, 100_000L);
		assertThat(ok.headers().values("x-ratelimit-reset-tokens")).hasSize(1);
		assertThat(ok.parse().choices().get(0).message().content()).contains("hello");

		sdk.chat().completions().create(params);
		assertThatExceptionOfType(RateLimitException.class).isThrownBy(() -> sdk.chat().completions().create(params))
			.satisfies(ex -> {
				assertThat(ex.statusCode()).isEqualTo(429);
				assertThat(ex.headers().values("x-ratelimit-remaining-requests")).containsExactly("0");
				assertThat(Long.parseLong(ex.headers().values("retry-after").get(0))).isBetween(1L, 60L);
				assertThat(ex.getMessage()).contains("requests per minute");
				assertThat(ex.body().toString()).contains("rate_limit_error").contains("rate_limit_exceeded");
			});
	}

	/**
	 * A stream that outgrows its reservation on a budget that cannot cover more ends as a stream
	 * should: the chunk that crossed, a final chunk with {@code finish_reason: length}, the usage
	 * the client asked for, {@code [DONE]}; and the team is charged exactly what that usage says.
	 */
	@Test
	@Order(3)
	void aStreamThatOutgrowsAHardBudgetEndsWithLengthAndTheUsageItIsChargedFor() throws Exception {
		String stream = "{\"model\":\"fast\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
				+ "\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"Tell me\"}]}";
		Answer answer = post(HttpClient.create(), first, "team-e-key", stream).block(Duration.ofSeconds(10));

		assertThat(answer.status()).isEqualTo(200);
		List<JsonNode> chunks = new ArrayList<>();
		for (SseEvent event : new SseDecoder().decode(answer.body().getBytes(StandardCharsets.UTF_8))) {
			if (!event.isDone()) {
				chunks.add(Json.MAPPER.readTree(event.data()));
			}
		}
		assertThat(answer.body()).endsWith("data: [DONE]\n\n");
		long content = chunks.stream().filter(chunk -> chunk.path("choices").path(0).path("delta").has("content")).count();
		assertThat(content).as("cut before the provider's 40 chunks").isBetween(5L, 39L);
		JsonNode last = chunks.get(chunks.size() - 2);
		assertThat(last.path("choices").get(0).path("finish_reason").asString()).isEqualTo("length");
		JsonNode usage = chunks.get(chunks.size() - 1).path("usage");
		assertThat(usage.path("completion_tokens").asLong()).isPositive();
		assertThat(usage.path("total_tokens").asLong())
			.isEqualTo(usage.path("prompt_tokens").asLong() + usage.path("completion_tokens").asLong());
		assertThat(usage.path("completion_tokens_details").path("reasoning_tokens").asLong()).isZero();
		awaitLedger("team-e", 1);
		QuotaBackend.UsageRecord ledger = ledger("team-e");
		assertThat(ledger.promptTokens()).isEqualTo(usage.path("prompt_tokens").asLong());
		assertThat(ledger.completionTokens()).isEqualTo(usage.path("completion_tokens").asLong());
	}

	@Test
	@Order(3)
	void streamsAreReconciledOnNormalEndDisconnectAndUpstreamError() throws Exception {
		String stream = "{\"model\":\"fast\",\"stream\":true,\"max_tokens\":100,"
				+ "\"messages\":[{\"role\":\"user\",\"content\":\"Tell me\"}]}";
		HttpClient client = HttpClient.create();

		Answer normal = post(client, first, "team-c-key", stream).block(Duration.ofSeconds(10));
		assertThat(normal.body()).endsWith("data: [DONE]\n\n").doesNotContain("prompt_tokens");
		awaitLedger("team-c", 1);
		assertThat(ledger("team-c")).as("normal end: the provider's usage")
			.isEqualTo(new QuotaBackend.UsageRecord(1, 10, 40, 10 * 1000 + 40 * 2000));

		AtomicLong chunks = new AtomicLong();
		client.headers(h -> h.set("authorization", "Bearer team-c-key").set("content-type", "application/json"))
			.post()
			.uri("http://127.0.0.1:" + port(second) + "/v1/chat/completions")
			.send((request, out) -> out.sendString(Mono.just(stream)))
			.response((response, body) -> body.asString().doOnNext(text -> chunks.incrementAndGet()).take(3))
			.blockLast(Duration.ofSeconds(10));
		awaitLedger("team-c", 2);
		QuotaBackend.UsageRecord afterCut = ledger("team-c");
		long cutCompletion = afterCut.completionTokens() - 40;
		assertThat(cutCompletion).as("disconnect: charged for what was streamed, estimated").isBetween(1L, 10L);
		assertThat(afterCut.promptTokens() - 10).as("prompt estimated with jtokkit").isBetween(5L, 15L);

		Answer failed = post(client, first, "team-c-key", stream.replace("Tell me", "crash"))
			.block(Duration.ofSeconds(10));
		assertThat(failed.body()).contains("\"error\"");
		long received = failed.body().split("\"content\"", -1).length - 1;
		assertThat(received).as("content chunks the client got before the error").isEqualTo(5);
		awaitLedger("team-c", 3);
		QuotaBackend.UsageRecord afterError = ledger("team-c");
		assertThat(afterError.completionTokens() - afterCut.completionTokens())
			.as("upstream error mid-stream: the 5 chunks that were streamed").isEqualTo(5);
	}

	@Test
	@Order(4)
	void theActuatorEndpointShowsUsageAndRemainingQuota() {
		Answer quotas = HttpClient.create().get().uri("http://127.0.0.1:" + port(first) + "/actuator/llmquotas/team-c")
			.responseSingle((response, body) -> body.asString().map(text -> new Answer(response.status().code(),
					response.responseHeaders(), text, 0)))
			.block(Duration.ofSeconds(10));
		assertThat(quotas.status()).isEqualTo(200);
		var json = Json.MAPPER.readTree(quotas.body());
		assertThat(json.path("backend").asString()).isEqualTo("redis");
		assertThat(json.path("usage").path("today").path("requests").asLong()).isEqualTo(3);
		long used = json.path("usage").path("today").path("tokens").asLong();
		assertThat(json.path("limits").path("tokens-per-day").path("remaining").asLong()).isEqualTo(1_000_000 - used);
	}

	@Test
	@Order(5)
	void redisStoppedUnderLoadFailsClosedFastAndQuotasComeBackWithin5Seconds() throws Exception {
		HttpClient client = HttpClient.create();
		assertThat(post(client, first, "team-d-key", BODY).block(Duration.ofSeconds(10)).status()).isEqualTo(200);
		redis.stop();
		List<Answer> during = Flux.range(0, 20)
			.flatMap(i -> post(client, (i % 2 == 0) ? first : second, "team-d-key", BODY), 10)
			.collectList()
			.block(Duration.ofSeconds(30));
		assertThat(during).allSatisfy(answer -> {
			assertThat(answer.status()).isEqualTo(503);
			assertThat(answer.body()).contains("quota_unavailable");
			assertThat(answer.millis()).as("never waits past the 2 s Redis timeout").isLessThan(3_500);
		});
		redis.start();
		Awaitility.await("quotas work again within 5 s")
			.atMost(Duration.ofSeconds(5))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> {
				return post(client, first, "team-d-key", BODY).block(Duration.ofSeconds(10)).status() == 200;
			});
		Answer back = post(client, second, "team-d-key", BODY).block(Duration.ofSeconds(10));
		assertThat(back.headers().get("x-switchboard-quota-backend")).isEqualTo("redis");
	}

}
