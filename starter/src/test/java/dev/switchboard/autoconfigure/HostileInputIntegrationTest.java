package dev.switchboard.autoconfigure;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;

import dev.switchboard.core.Json;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What outside testing sent a gateway with quota, cache and cost ledger on, over real HTTP: a 5 MB
 * prompt of one repeated letter, integers past 2^63, streams cut by the client, and headers Netty
 * refuses. Each request gets its own clean answer in the OpenAI shape, never a 5xx, and the
 * gateway keeps serving everyone else.
 */
@SpringBootTest(classes = GatewayTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("hostile-it")
class HostileInputIntegrationTest {

	private static final String KEY = "team-a-key";

	private static final String HELLO = "{\"model\":\"sim-model\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}";

	@LocalServerPort
	int port;

	private final HttpClient client = HttpClient.create().responseTimeout(Duration.ofSeconds(60));

	record Answer(int status, String contentType, String body) {

		JsonNode error() {
			return Json.MAPPER.readTree(this.body).path("error");
		}

	}

	@Test
	void fiveMegabytesOfOneLetterAreAnsweredInParallelWhileOrdinaryRequestsKeepBeingServed() {
		String prompt = "A".repeat(5_242_880);
		String huge = "{\"model\":\"sim-model\",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
		Flux<Answer> hostile = Flux.range(0, 3).flatMap(i -> post(huge), 3);
		Flux<Answer> ordinary = Flux.range(0, 30).flatMap(i -> post(HELLO.replace("hello", "hello " + i)), 8);

		List<Answer> answers = Flux.merge(hostile, ordinary).collectList().block(Duration.ofSeconds(120));

		assertThat(answers).hasSize(33).allSatisfy(answer -> assertThat(answer.status()).isEqualTo(200));
		// The event loops survived: new connections are still served at once.
		List<Answer> after = Flux.range(0, 10).flatMap(i -> post(HELLO)).collectList().block(Duration.ofSeconds(20));
		assertThat(after).allSatisfy(answer -> assertThat(answer.status()).isEqualTo(200));
	}

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "max_tokens\":9223372036854775808", "max_completion_tokens\":-9223372036854775809",
			"n\":18446744073709551616", "temperature\":1e400", "top_logprobs\":1e2", "max_tokens\":\"5\"" })
	void numbersNoLongHoldsAreTheClientsErrorNamingTheField(String field) {
		String body = HELLO.replace("{\"model\"", "{\"" + field + ",\"model\"");
		Answer answer = post(body).block(Duration.ofSeconds(10));
		assertThat(answer.status()).isEqualTo(400);
		assertOpenAiError(answer, "invalid_request_error");
		assertThat(answer.error().path("param").asString()).isEqualTo(field.substring(0, field.indexOf('"')));
	}

	@Test
	void streamsTheClientCutsAreInTheCostLedgerAsInTheQuotaLedger() {
		long quotaBefore = quotaRequests();
		long costsBefore = costRequests();
		String stream = "{\"model\":\"sim-model\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Tell me\"}]}";
		int cut = 5;
		for (int i = 0; i < cut; i++) {
			String question = stream.replace("Tell me", "Tell me " + i);
			this.client.headers(h -> h.set("authorization", "Bearer " + KEY).set("content-type", "application/json"))
				.post()
				.uri(url("/v1/chat/completions"))
				.send((request, out) -> out.sendString(Mono.just(question)))
				.response((response, body) -> body.asString().take(3))
				.blockLast(Duration.ofSeconds(10));
		}
		Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			assertThat(quotaRequests() - quotaBefore).as("llmquotas").isEqualTo(cut);
			assertThat(costRequests() - costsBefore).as("llmcosts").isEqualTo(cut);
		});
		JsonNode model = costs().path("day").path("teams").path("team-a").path("sim-model");
		assertThat(model.path("completion_tokens").asLong()).as("what was streamed before the cut is billed")
			.isPositive();
		assertThat(model.path("cost_usd").decimalValue()).isPositive();
	}

	@Test
	void headersPastTheLimitGetA431WithAnOpenAiBody() throws IOException {
		String request = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + KEY
				+ "\r\nX-Padding: " + "p".repeat(100_000) + "\r\nContent-Type: application/json\r\nContent-Length: "
				+ HELLO.length() + "\r\n\r\n" + HELLO;
		Answer answer = raw(request);
		assertThat(answer.status()).isEqualTo(431);
		assertOpenAiError(answer, "invalid_request_error");
		assertThat(answer.error().path("code").asString()).isEqualTo("request_header_too_large");
		assertThat(answer.error().path("message").asString()).contains("server.max-http-request-header-size");
	}

	@Test
	void aGarbledAuthorizationHeaderGetsA400WithAnOpenAiBody() throws IOException {
		String request = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \u0001\u0000"
				+ KEY + "\r\nContent-Type: application/json\r\nContent-Length: " + HELLO.length() + "\r\n\r\n" + HELLO;
		Answer answer = raw(request);
		assertThat(answer.status()).isEqualTo(400);
		assertOpenAiError(answer, "invalid_request_error");
		assertThat(answer.error().path("code").asString()).isEqualTo("malformed_request");
		// The gateway goes on: the next connection is served.
		assertThat(post(HELLO).block(Duration.ofSeconds(10)).status()).isEqualTo(200);
	}

	@Test
	void aRequestLineTooLongGetsA414WithAnOpenAiBody() throws IOException {
		Answer answer = raw("GET /v1/models?" + "q".repeat(10_000) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
		assertThat(answer.status()).isEqualTo(414);
		assertOpenAiError(answer, "invalid_request_error");
		assertThat(answer.error().path("code").asString()).isEqualTo("request_line_too_long");
	}

	// ---- helpers

	private String url(String path) {
		return "http://127.0.0.1:" + this.port + path;
	}

	/**
	 * The Anthropic Messages door: malformed bodies of every kind get Anthropic's error shape and a
	 * 4xx, never a 5xx, and the next request at either door is served.
	 */
	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "{\"model\":\"sim-model\",\"max_tokens\":18446744073709551621,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
			"{\"model\":\"sim-model\",\"max_tokens\":9,\"messages\":[7,null,\"x\"]}",
			"{\"model\":\"sim-model\",\"max_tokens\":9,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image\",\"source\":5}]}]}",
			"{\"model\":\"sim-model\",\"max_tokens\":9,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"%%%\"}}]}]}",
			"{\"model\":\"sim-model\",\"max_tokens\":9,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\"}]}]}",
			"{\"model\":\"sim-model\",\"max_tokens\":9,\"messages\":[{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":5,\"name\":[],\"input\":\"x\"}]}]}",
			"{\"model\":\"sim-model\",\"max_tokens\":9,\"system\":[{\"type\":\"text\"}],\"messages\":[]}",
			"{\"model\":\"sim-model\",\"max_tokens\":9,\"tools\":{},\"messages\":[]}",
			"{\"model\":\"sim-model\",\"max_tokens\":9,\"tool_choice\":\"auto\",\"messages\":[]}",
			"{\"model\":\"sim-model\",\"max_tokens\":9,\"temperature\":1e400,\"messages\":[]}",
			"{\"model\":\"sim-model\",\"max_tokens\":9,\"metadata\":[],\"messages\":[]}",
			"[{\"model\":\"sim-model\"}]", "\"just a string\"", "{\"model\":" })
	void malformedMessagesRequestsGetAnthropicsErrorShape(String body) {
		Answer answer = post("/v1/messages", Map.of("x-api-key", KEY, "anthropic-version", "2023-06-01"), body)
			.block(Duration.ofSeconds(10));
		assertThat(answer.status()).as(answer.body()).isBetween(400, 499);
		JsonNode root = Json.MAPPER.readTree(answer.body());
		assertThat(root.path("type").asString()).isEqualTo("error");
		assertThat(root.path("error").path("type").asString()).isEqualTo("invalid_request_error");
		assertThat(root.path("error").path("message").asString()).isNotBlank();
		assertThat(post(HELLO).block(Duration.ofSeconds(10)).status()).isEqualTo(200);
	}

	/** The Responses door: the same, in OpenAI's error shape, naming the field where it can. */
	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "{\"model\":\"sim-model\",\"input\":\"hi\",\"max_output_tokens\":18446744073709551636}",
			"{\"model\":\"sim-model\",\"input\":[7,null]}", "{\"model\":\"sim-model\",\"input\":{}}",
			"{\"model\":\"sim-model\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_image\",\"image_url\":\"ftp://x\"}]}]}",
			"{\"model\":\"sim-model\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":5}]}]}",
			"{\"model\":\"sim-model\",\"input\":[{\"type\":\"function_call_output\",\"call_id\":[],\"output\":\"x\"}]}",
			"{\"model\":\"sim-model\",\"input\":\"hi\",\"tools\":[{\"type\":\"function\"}]}",
			"{\"model\":\"sim-model\",\"input\":\"hi\",\"text\":{\"format\":7}}",
			"{\"model\":\"sim-model\",\"input\":\"hi\",\"temperature\":\"hot\"}",
			"{\"model\":\"sim-model\",\"input\":\"hi\",\"previous_response_id\":\"resp_x\"}",
			"[1]", "{\"model\":" })
	void malformedResponsesRequestsGetOpenAisErrorShape(String body) {
		Answer answer = post("/v1/responses", Map.of("authorization", "Bearer " + KEY), body).block(Duration.ofSeconds(10));
		assertThat(answer.status()).as(answer.body()).isBetween(400, 499);
		assertOpenAiError(answer, "invalid_request_error");
		assertThat(post(HELLO).block(Duration.ofSeconds(10)).status()).isEqualTo(200);
	}

	@Test
	void fiveMegabytesOfOneLetterAtEachDoorAreAnswered() {
		String prompt = "A".repeat(5_242_880);
		Answer messages = post("/v1/messages", Map.of("x-api-key", KEY),
				"{\"model\":\"sim-model\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}")
			.block(Duration.ofSeconds(60));
		assertThat(messages.status()).isEqualTo(200);
		assertThat(Json.MAPPER.readTree(messages.body()).path("type").asString()).isEqualTo("message");
		Answer count = post("/v1/messages/count_tokens", Map.of("x-api-key", KEY),
				"{\"model\":\"sim-model\",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}")
			.block(Duration.ofSeconds(60));
		assertThat(count.status()).isEqualTo(200);
		assertThat(Json.MAPPER.readTree(count.body()).path("input_tokens").asLong()).isPositive();
		Answer responses = post("/v1/responses", Map.of("authorization", "Bearer " + KEY),
				"{\"model\":\"sim-model\",\"input\":\"" + prompt + "\"}")
			.block(Duration.ofSeconds(60));
		assertThat(responses.status()).isEqualTo(200);
		assertThat(Json.MAPPER.readTree(responses.body()).path("object").asString()).isEqualTo("response");
	}

	private Mono<Answer> post(String path, Map<String, String> headers, String body) {
		return this.client.headers(h -> {
			h.set("content-type", "application/json");
			headers.forEach(h::set);
		})
			.post()
			.uri(url(path))
			.send((request, out) -> out.sendString(Mono.just(body)))
			.responseSingle((response, content) -> content.asString()
				.defaultIfEmpty("")
				.map(text -> new Answer(response.status().code(), response.responseHeaders().get("content-type"),
						text)));
	}

	private Mono<Answer> post(String body) {
		return this.client.headers(h -> h.set("authorization", "Bearer " + KEY).set("content-type", "application/json"))
			.post()
			.uri(url("/v1/chat/completions"))
			.send((request, out) -> out.sendString(Mono.just(body)))
			.responseSingle((response, content) -> content.asString()
				.defaultIfEmpty("")
				.map(text -> new Answer(response.status().code(), response.responseHeaders().get("content-type"),
						text)));
	}

	private JsonNode get(String path) {
		String body = this.client.get().uri(url(path)).responseContent().aggregate().asString()
			.block(Duration.ofSeconds(10));
		return Json.MAPPER.readTree(body);
	}

	private long quotaRequests() {
		return get("/actuator/llmquotas/team-a").path("usage").path("today").path("requests").asLong();
	}

	private JsonNode costs() {
		return get("/actuator/llmcosts/team-a");
	}

	private long costRequests() {
		return costs().path("day").path("teams").path("team-a").path("sim-model").path("requests").asLong();
	}

	/** Sends bytes no HTTP client library would, and reads the answer until the server closes. */
	private Answer raw(String request) throws IOException {
		try (Socket socket = new Socket("127.0.0.1", this.port)) {
			socket.setSoTimeout(10_000);
			OutputStream out = socket.getOutputStream();
			out.write(request.getBytes(StandardCharsets.ISO_8859_1));
			out.flush();
			InputStream in = socket.getInputStream();
			ByteArrayOutputStream received = new ByteArrayOutputStream();
			byte[] buffer = new byte[8192];
			for (int read; (read = readOrReset(in, buffer)) > 0;) {
				received.write(buffer, 0, read);
			}
			String response = received.toString(StandardCharsets.ISO_8859_1);
			int headerEnd = response.indexOf("\r\n\r\n");
			assertThat(headerEnd).as("a complete response head in: %s", response).isPositive();
			String head = response.substring(0, headerEnd);
			String contentType = head.lines()
				.filter(line -> line.toLowerCase().startsWith("content-type:"))
				.map(line -> line.substring("content-type:".length()).trim())
				.findFirst()
				.orElse(null);
			return new Answer(Integer.parseInt(head.substring(9, 12)), contentType, response.substring(headerEnd + 4));
		}
	}

	/** The server may reset a connection whose request it did not read whole: what arrived before counts. */
	private static int readOrReset(InputStream in, byte[] buffer) {
		try {
			return in.read(buffer);
		}
		catch (IOException reset) {
			return -1;
		}
	}

	private static void assertOpenAiError(Answer answer, String type) {
		assertThat(answer.contentType()).startsWith("application/json");
		JsonNode root = Json.MAPPER.readTree(answer.body());
		assertThat(root.properties()).hasSize(1);
		JsonNode error = root.path("error");
		assertThat(error.path("message").asString()).isNotBlank();
		assertThat(error.path("type").asString()).isEqualTo(type);
		assertThat(error.has("param")).isTrue();
	}

}
