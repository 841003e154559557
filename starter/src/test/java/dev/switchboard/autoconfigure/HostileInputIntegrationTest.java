package dev.switchboard.autoconfigure;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

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
