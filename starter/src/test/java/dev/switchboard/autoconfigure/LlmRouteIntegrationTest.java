package dev.switchboard.autoconfigure;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.switchboard.core.Json;
import dev.switchboard.sse.SseDecoder;
import dev.switchboard.sse.SseEvent;
import dev.switchboard.testing.Fixtures;
import dev.switchboard.testing.RedisTestServer;
import dev.switchboard.testing.StubUpstream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real gateway on a random port in front of a loopback stub provider, driven over real HTTP:
 * the OpenAI contract, model rewrite, credential swap, streaming chunk by chunk, and every error a
 * client can meet.
 */
@SpringBootTest(classes = GatewayTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("gateway-it")
class LlmRouteIntegrationTest {

	private static final String TEAM_A = "team-a-key";

	private static final String TEAM_B = "team-b-key";

	private static final String PROVIDER_KEY = "provider-secret-key-0123456789";

	private static final String HELLO = "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}";

	private static final StubUpstream stub = new StubUpstream();

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void providers(DynamicPropertyRegistry registry) {
		registry.add("switchboard.providers.openai.base-url", () -> stub.baseUrl().toString());
		// A port nothing listens on: connections are refused.
		registry.add("dead.port", RedisTestServer::freePort);
	}

	@AfterAll
	static void stopStub() {
		stub.close();
	}

	@BeforeEach
	void resetStub() {
		stub.reset();
	}

	@Test
	void chatCompletionIsRoutedWithTheModelRewrittenAndTheProviderKeySwappedIn() {
		stub.json("/v1/chat/completions", 200, Fixtures.text("openai/chat-basic.response.json"));

		Response response = post("/v1/chat/completions", TEAM_A, Fixtures.text("openai/chat-basic.request.json"));

		assertThat(response.status).isEqualTo(200);
		assertThat(Json.MAPPER.readTree(response.body))
			.isEqualTo(Json.MAPPER.readTree(Fixtures.bytes("openai/chat-basic.response.json")));
		assertThat(response.header("x-switchboard-provider")).isEqualTo("openai");
		assertThat(response.header("x-switchboard-model")).isEqualTo("gpt-test-2026-01");
		assertThat(response.header("x-request-id")).startsWith("req_");

		StubUpstream.Received upstream = stub.lastRequest();
		assertThat(Json.MAPPER.readTree(upstream.body()).path("model").asString()).isEqualTo("gpt-test-2026-01");
		assertThat(Json.MAPPER.readTree(upstream.body()).path("metadata").path("ticket").asString()).isEqualTo("SB-1");
		assertThat(upstream.headers().get("authorization")).isEqualTo("Bearer " + PROVIDER_KEY);
		assertThat(upstream.headers().get("openai-organization")).isEqualTo("org-switchboard");
		assertThat(upstream.headers().toString()).doesNotContain(TEAM_A);
		assertThat(upstream.body()).doesNotContain(TEAM_A);
	}

	@Test
	void streamReachesTheClientChunkByChunkBeforeTheProviderHasFinished() throws Exception {
		Sinks.One<Void> release = Sinks.one();
		String[] chunks = Fixtures.text("openai/chat-stream.stream.sse").split("\n\n");
		stub.sse("/v1/chat/completions", Flux.concat(Flux.just(chunks[0] + "\n\n", chunks[1] + "\n\n"),
				release.asMono().thenMany(Flux.fromArray(chunks).skip(2).map(chunk -> chunk + "\n\n"))));

		BlockingQueue<SseEvent> received = new LinkedBlockingQueue<>();
		SseDecoder decoder = new SseDecoder();
		Mono<Integer> status = client(TEAM_A).post()
			.uri(url("/v1/chat/completions"))
			.send((request, out) -> out.sendString(Mono.just(
					"{\"model\":\"fast\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")))
			.response((response, body) -> body.asByteArray()
				.doOnNext(bytes -> received.addAll(decoder.decode(bytes)))
				.then(Mono.just(response.status().code())))
			.single()
			.cache();
		status.subscribeOn(Schedulers.boundedElastic()).subscribe();

		SseEvent first = received.poll(5, TimeUnit.SECONDS);
		SseEvent second = received.poll(5, TimeUnit.SECONDS);
		assertThat(first).as("first chunk arrives while the provider is still holding the rest").isNotNull();
		assertThat(second.dataAsString()).contains("\"content\":\"Hello\"");
		assertThat(received.poll(200, TimeUnit.MILLISECONDS)).as("nothing else has been sent yet").isNull();

		release.tryEmitEmpty();
		assertThat(status.block(Duration.ofSeconds(5))).isEqualTo(200);
		List<SseEvent> rest = new ArrayList<>(received);
		assertThat(rest).extracting(SseEvent::dataAsString).last().isEqualTo("[DONE]");
		assertThat(rest).as("usage chunk the client did not ask for is not shown")
			.noneMatch(event -> event.dataAsString().contains("prompt_tokens"));
		assertThat(Json.MAPPER.readTree(stub.lastRequest().body()).path("stream_options").path("include_usage")
			.asBoolean()).as("the gateway asks the provider for usage anyway").isTrue();
	}

	@Test
	void streamKeepsTheUsageChunkWhenTheClientAskedForIt() {
		stub.sse("/v1/chat/completions", Flux.just(Fixtures.text("openai/chat-stream.stream.sse")));
		Response response = post("/v1/chat/completions", TEAM_A, """
				{"model":"fast","stream":true,"stream_options":{"include_usage":true},
				 "messages":[{"role":"user","content":"hi"}]}""");
		assertThat(response.header("content-type")).startsWith("text/event-stream");
		List<SseEvent> events = events(response.body);
		assertThat(events).hasSize(6);
		assertThat(events.get(4).dataAsString()).contains("\"total_tokens\":21");
	}

	@Test
	void aProviderFailureMidStreamEndsWithAnErrorEventAndACleanClose() {
		String[] chunks = Fixtures.text("openai/chat-stream.stream.sse").split("\n\n");
		stub.sse("/v1/chat/completions",
				Flux.concat(Flux.just(chunks[0] + "\n\n", chunks[1] + "\n\n"),
						// After a pause, so the first token is surely on the wire before the crash.
						Mono.delay(Duration.ofMillis(100)).then(Mono.error(new IllegalStateException("provider crashed")))));
		Response response = post("/v1/chat/completions", TEAM_A,
				"{\"model\":\"fast\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
		assertThat(response.status).isEqualTo(200);
		List<SseEvent> events = events(response.body);
		assertThat(events).hasSize(3);
		JsonNode error = Json.MAPPER.readTree(events.get(2).data()).path("error");
		assertThat(error.path("type").asString()).isEqualTo("api_error");
		assertThat(error.path("message").asString()).contains("openai");
	}

	@Test
	void aProviderFailureBeforeTheFirstTokenIsAPlainErrorNotAHalfStream() {
		String role = Fixtures.text("openai/chat-stream.stream.sse").split("\n\n")[0] + "\n\n";
		stub.sse("/v1/chat/completions", Flux.concat(Flux.just(role),
				Mono.delay(Duration.ofMillis(100)).then(Mono.error(new IllegalStateException("provider crashed")))));
		Response response = post("/v1/chat/completions", TEAM_A,
				"{\"model\":\"fast\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
		assertThat(response.status).isEqualTo(502);
		assertThat(Json.MAPPER.readTree(response.body).path("error").path("type").asString()).isEqualTo("api_error");
	}

	@Test
	void aStreamRequestAnsweredWithPlainJsonIsAnErrorNotAnEmptyStream() {
		stub.json("/v1/chat/completions", 200, Fixtures.text("openai/chat-basic.response.json"));
		Response response = post("/v1/chat/completions", TEAM_A,
				"{\"model\":\"fast\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
		assertThat(response.status).isEqualTo(502);
		assertOpenAiError(response, "api_error", "invalid_upstream_response");
	}

	@Test
	void embeddingsAreRoutedLikeChat() {
		stub.json("/v1/embeddings", 200, """
				{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,0.2]}],
				 "model":"embed-test","usage":{"prompt_tokens":3,"total_tokens":3}}""");
		Response response = post("/v1/embeddings", TEAM_A, "{\"model\":\"embed-test\",\"input\":\"hello there\"}");
		assertThat(response.status).isEqualTo(200);
		assertThat(Json.MAPPER.readTree(response.body).path("data").get(0).path("embedding").size()).isEqualTo(2);
		assertThat(stub.lastRequest().path()).isEqualTo("/v1/embeddings");
	}

	@Test
	void theEmbeddedMockAnswersWithoutAnyProviderKey() {
		Response response = post("/v1/chat/completions", TEAM_A,
				"{\"model\":\"echo-sim\",\"messages\":[{\"role\":\"user\",\"content\":\"ping pong\"}]}");
		assertThat(response.status).isEqualTo(200);
		assertThat(response.header("x-switchboard-provider")).isEqualTo("sim");
	}

	@Test
	void modelsAreListedPerTeam() {
		JsonNode all = Json.MAPPER.readTree(get("/v1/models", TEAM_A).body);
		assertThat(all.path("object").asString()).isEqualTo("list");
		assertThat(ids(all)).containsExactly("gpt-test", "fast", "embed-test", "dead-model", "echo-sim");

		assertThat(ids(Json.MAPPER.readTree(get("/v1/models", TEAM_B).body))).containsExactly("fast");
		assertThat(Json.MAPPER.readTree(get("/v1/models/fast", TEAM_B).body).path("owned_by").asString())
			.isEqualTo("openai");
		assertThat(get("/v1/models/gpt-test", TEAM_B).status).as("not allowed looks like unknown").isEqualTo(404);
		assertThat(get("/v1/models/openai%2Fgpt-test-2026-01", TEAM_A).status).isEqualTo(200);
	}

	@Test
	void aRouteCanNameItsOwnTeamResolverBean() {
		stub.json("/v1/chat/completions", 200, Fixtures.text("openai/chat-basic.response.json"));
		HttpClient partner = HttpClient.create().headers(h -> h.set("X-Partner", "acme").set("content-type",
				"application/json"));
		Response response = exchange(partner, "POST", "/partner/v1/chat/completions", HELLO);
		assertThat(response.status).isEqualTo(200);
		assertThat(post("/partner/v1/chat/completions", TEAM_A, HELLO).status)
			.as("the partner route ignores bearer keys").isEqualTo(401);
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			invalid JSON       | /v1/chat/completions       | team-a-key | {"model":                                         | 400 | invalid_request_error | invalid_json
			missing messages   | /v1/chat/completions       | team-a-key | {"model":"fast"}                                  | 400 | invalid_request_error |
			unknown model      | /v1/chat/completions       | team-a-key | {"model":"gpt-9","messages":[{"role":"user"}]}    | 404 | invalid_request_error | model_not_found
			missing key        | /v1/chat/completions       |            | {"model":"fast","messages":[{"role":"user"}]}     | 401 | invalid_request_error | missing_api_key
			wrong key          | /v1/chat/completions       | nope       | {"model":"fast","messages":[{"role":"user"}]}     | 401 | invalid_request_error | invalid_api_key
			model not allowed  | /v1/chat/completions       | team-b-key | {"model":"gpt-test","messages":[{"role":"user"}]} | 403 | permission_error      | model_not_allowed
			chat on embeddings | /v1/chat/completions       | team-a-key | {"model":"embed-test","messages":[{"role":"user"}]} | 400 | invalid_request_error |
			unreachable        | /v1/chat/completions       | team-a-key | {"model":"dead-model","messages":[{"role":"user"}]} | 502 | api_error           | upstream_unreachable
			unknown operation  | /v1/completions/legacy     | team-a-key | {}                                                | 404 | invalid_request_error | unknown_url
			""")
	void gatewayErrorsAreOpenAiShaped(String name, String path, String key, String body, int status, String type,
			String code) {
		Response response = post(path, key, body);
		assertThat(response.status).isEqualTo(status);
		assertOpenAiError(response, type, code);
	}

	@Test
	void bodiesOverTheRouteLimitAre413WithOrWithoutContentLength() {
		String big = "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(4096) + "\"}]}";
		Response declared = post("/small/v1/chat/completions", TEAM_A, big);
		assertThat(declared.status).isEqualTo(413);
		assertOpenAiError(declared, "invalid_request_error", "request_too_large");

		Response chunked = client(TEAM_A).post()
			.uri(url("/small/v1/chat/completions"))
			.send((request, out) -> out.sendString(Flux.just(big.substring(0, 2000), big.substring(2000))))
			.responseSingle((r, content) -> content.asByteArray().defaultIfEmpty(new byte[0])
				.map(bytes -> new Response(r.status().code(), r.responseHeaders(), bytes)))
			.block(Duration.ofSeconds(5));
		assertThat(chunked.status).isEqualTo(413);
		assertThat(post("/v1/chat/completions", TEAM_A, big).status).as("the default route allows 10MB")
			.isNotEqualTo(413);
	}

	@Test
	void wrongContentTypeIs415() {
		HttpClient form = HttpClient.create().headers(h -> h.set("authorization", "Bearer " + TEAM_A)
			.set("content-type", "application/x-www-form-urlencoded"));
		Response response = exchange(form, "POST", "/v1/chat/completions", "model=fast");
		assertThat(response.status).isEqualTo(415);
		assertOpenAiError(response, "invalid_request_error", "unsupported_media_type");
	}

	@Test
	void wrongMethodIs405() {
		Response response = get("/v1/chat/completions", TEAM_A);
		assertThat(response.status).isEqualTo(405);
		assertThat(response.header("allow")).isEqualTo("POST");
	}

	@Test
	void aProviderThatDoesNotAnswerInTimeIs504() {
		stub.on("/v1/chat/completions", (request, response) -> Mono.never());
		Response response = post("/v1/chat/completions", TEAM_A, HELLO);
		assertThat(response.status).isEqualTo(504);
		assertOpenAiError(response, "api_error", "upstream_timeout");
	}

	@Test
	void providerRateLimitsKeepRetryAfterSoSdksBackOff() {
		stub.json("/v1/chat/completions", 429, Fixtures.text("openai/error-429.response.json"),
				Map.of("retry-after", "3"));
		Response response = post("/v1/chat/completions", TEAM_A, HELLO);
		assertThat(response.status).isEqualTo(429);
		assertThat(response.header("retry-after")).isEqualTo("3");
		assertOpenAiError(response, "tokens", "rate_limit_exceeded");
	}

	@Test
	void aRejectedProviderKeyIsTheGatewaysProblemAndIsNeverEchoed() {
		stub.json("/v1/chat/completions", 401, Fixtures.text("openai/error-401.response.json"));
		Response response = post("/v1/chat/completions", TEAM_A, HELLO);
		assertThat(response.status).isEqualTo(502);
		assertOpenAiError(response, "api_error", "upstream_auth_failed");
		assertThat(new String(response.body, StandardCharsets.UTF_8)).doesNotContain(PROVIDER_KEY);
	}

	// ---- helpers

	private record Response(int status, io.netty.handler.codec.http.HttpHeaders headers, byte[] body) {

		String header(String name) {
			return this.headers.get(name);
		}

	}

	private static void assertOpenAiError(Response response, String type, String code) {
		JsonNode root = Json.MAPPER.readTree(response.body);
		assertThat(root.properties()).hasSize(1);
		JsonNode error = root.path("error");
		assertThat(error.path("message").asString()).isNotBlank();
		assertThat(error.path("type").asString()).isEqualTo(type);
		assertThat(error.has("param")).isTrue();
		if (code != null) {
			assertThat(error.path("code").asString()).isEqualTo(code);
		}
		assertThat(response.header("content-type")).startsWith("application/json");
	}

	private static List<String> ids(JsonNode list) {
		List<String> ids = new ArrayList<>();
		list.path("data").forEach(model -> ids.add(model.path("id").asString()));
		return ids;
	}

	private static List<SseEvent> events(byte[] body) {
		SseDecoder decoder = new SseDecoder();
		List<SseEvent> events = new ArrayList<>(decoder.decode(body));
		events.addAll(decoder.finish());
		return events;
	}

	private String url(String path) {
		return "http://127.0.0.1:" + this.port + path;
	}

	private static HttpClient client(String key) {
		return HttpClient.create().headers(h -> {
			h.set("content-type", "application/json");
			if (key != null) {
				h.set("authorization", "Bearer " + key);
			}
		});
	}

	private Response post(String path, String key, String body) {
		return exchange(client(key), "POST", path, body);
	}

	private Response get(String path, String key) {
		return exchange(client(key), "GET", path, null);
	}

	private Response exchange(HttpClient client, String method, String path, String body) {
		return client.request(io.netty.handler.codec.http.HttpMethod.valueOf(method))
			.uri(url(path))
			.send((request, out) -> (body != null) ? out.sendString(Mono.just(body)) : out)
			.responseSingle((response, content) -> content.asByteArray()
				.defaultIfEmpty(new byte[0])
				.map(bytes -> new Response(response.status().code(), response.responseHeaders(), bytes)))
			.block(Duration.ofSeconds(10));
	}

}
