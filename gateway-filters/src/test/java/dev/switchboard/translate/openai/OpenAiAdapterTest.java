package dev.switchboard.translate.openai;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.HttpHeaders;

import dev.switchboard.catalog.ModelCatalog;
import dev.switchboard.core.Json;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.Operation;
import dev.switchboard.core.Usage;
import dev.switchboard.sse.SseDecoder;
import dev.switchboard.sse.SseEvent;
import dev.switchboard.testing.Fixtures;
import dev.switchboard.testing.TestCatalogs;
import dev.switchboard.translate.spi.StreamTranslator;
import dev.switchboard.translate.spi.UpstreamErrors;
import dev.switchboard.translate.spi.UpstreamRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class OpenAiAdapterTest {

	private final ModelCatalog catalog = TestCatalogs.catalog(URI.create("http://127.0.0.1:1/v1"));

	private final OpenAiAdapter adapter = new OpenAiAdapter();

	@Test
	void requestKeepsEveryClientFieldAndRewritesOnlyTheModel() {
		LlmExchange exchange = exchange(Fixtures.text("openai/chat-basic.request.json"));
		UpstreamRequest request = this.adapter.chatRequest(exchange, exchange.route().primary());

		JsonNode sent = Json.MAPPER.readTree(request.body());
		JsonNode original = Json.MAPPER.readTree(Fixtures.bytes("openai/chat-basic.request.json"));
		assertThat(sent.path("model").asString()).isEqualTo("gpt-test-2026-01");
		((ObjectNode) original).put("model", "gpt-test-2026-01");
		assertThat(sent).isEqualTo(original);
		assertThat(request.path()).isEqualTo("/chat/completions");
		assertThat(request.headers().getFirst(HttpHeaders.AUTHORIZATION)).isEqualTo("Bearer " + TestCatalogs.PROVIDER_KEY);
		assertThat(request.headers().getFirst("OpenAI-Organization")).isEqualTo("org-test");
		assertThat(exchange.body().path("model").asString()).as("the shared parsed body is never modified")
			.isEqualTo("fast");
	}

	@Test
	void streamsAlwaysAskTheProviderForUsage() {
		LlmExchange exchange = exchange("""
				{"model":"fast","stream":true,"stream_options":{"continuous_usage_stats":false},
				 "messages":[{"role":"user","content":"hi"}]}""");
		JsonNode sent = Json.MAPPER.readTree(this.adapter.chatRequest(exchange, exchange.route().primary()).body());
		assertThat(sent.path("stream_options").path("include_usage").asBoolean()).isTrue();
		assertThat(sent.path("stream_options").path("continuous_usage_stats").isBoolean()).isTrue();
	}

	@Test
	void jsonResponsePassesThroughByteForByteAndReportsUsage() {
		LlmExchange exchange = exchange(Fixtures.text("openai/chat-basic.request.json"));
		byte[] upstream = Fixtures.bytes("openai/chat-basic.response.json");
		assertThat(this.adapter.chatResponse(exchange, exchange.route().primary(), upstream)).isSameAs(upstream);
		assertThat(exchange.usage()).isEqualTo(new Usage(19, 2, 4, true));
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = {
			"{\"choices\":[{\"message\":{\"content\":\"a {\\\"usage\\\": 1} in text\"}}],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3}}|7|3",
			"{\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1},\"choices\":[{\"usage\":{\"prompt_tokens\":99}}]}|5|1" })
	void usageIsReadFromTheTopLevelOnlyWhereverItStands(String body, long prompt, long completion) {
		LlmExchange exchange = exchange(Fixtures.text("openai/chat-basic.request.json"));
		this.adapter.chatResponse(exchange, exchange.route().primary(), body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
		assertThat(exchange.usage()).isEqualTo(new Usage(prompt, completion, 0, true));
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = { "<html>busy</html>", "{\"choices\":[{\"message\":", "{\"usage\":{}} trailing" })
	void aSuccessBodyThatIsNotJsonIsTheProvidersFault(String body) {
		LlmExchange exchange = exchange(Fixtures.text("openai/chat-basic.request.json"));
		assertThatExceptionOfType(LlmApiException.class)
			.isThrownBy(() -> this.adapter.chatResponse(exchange, exchange.route().primary(),
					body.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
			.satisfies(error -> assertThat(error.status()).isEqualTo(502));
	}

	@Test
	void streamDropsTheUsageChunkTheClientDidNotAskForButStillReadsIt() {
		LlmExchange exchange = exchange("{\"model\":\"fast\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
		List<SseEvent> out = translate(exchange, "openai/chat-stream.stream.sse");

		assertThat(out).hasSize(5);
		assertThat(out.get(4).isDone()).isTrue();
		assertThat(out.subList(0, 4)).allSatisfy(event -> assertThat(event.dataAsString()).doesNotContain("prompt_tokens"));
		assertThat(exchange.usage()).isEqualTo(new Usage(19, 2, 0, true));
		assertThat(exchange.timing().timeToFirstTokenNanos()).isPositive();
	}

	@Test
	void streamKeepsTheUsageChunkWhenTheClientAskedForIt() {
		LlmExchange exchange = exchange("""
				{"model":"fast","stream":true,"stream_options":{"include_usage":true},
				 "messages":[{"role":"user","content":"hi"}]}""");
		List<SseEvent> out = translate(exchange, "openai/chat-stream.stream.sse");
		assertThat(out).hasSize(6);
		assertThat(out.get(4).dataAsString()).contains("\"total_tokens\":21");
	}

	@Test
	void streamWithoutDoneStillEndsWithExactlyOneDone() {
		LlmExchange exchange = exchange("{\"model\":\"fast\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
		List<SseEvent> out = translate(exchange, "openai/chat-tools-stream.stream.sse");
		assertThat(out).extracting(SseEvent::isDone).containsExactly(false, false, false, true);
		assertThat(out.get(1).dataAsString()).contains("{\\\"city\\\":\\\"Paris\\\"}");
		assertThat(exchange.usage()).isEqualTo(new Usage(50, 12, 0, true));
	}

	@Test
	void aNullRefusalInTheRoleChunkIsNotTheFirstToken() {
		LlmExchange exchange = exchange("{\"model\":\"fast\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
		StreamTranslator translator = this.adapter.streamTranslator(exchange, exchange.route().primary());
		translator.onEvent(SseEvent.data("{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
				+ "\"content\":\"\",\"refusal\":null,\"tool_calls\":null},\"finish_reason\":null}]}"));
		assertThat(exchange.timing().timeToFirstTokenNanos()).isZero();
		translator.onEvent(SseEvent.data("{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}"));
		assertThat(exchange.timing().timeToFirstTokenNanos()).isPositive();
	}

	@Test
	void anErrorSentInsideTheStreamIsAFailureNotData() {
		LlmExchange exchange = exchange("{\"model\":\"fast\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
		StreamTranslator translator = this.adapter.streamTranslator(exchange, exchange.route().primary());
		assertThatExceptionOfType(LlmApiException.class)
			.isThrownBy(() -> translator.onEvent(SseEvent.data(
					"{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\",\"code\":null}}")))
			.satisfies(ex -> assertThat(ex.status()).isEqualTo(500));
	}

	@Test
	void aStreamThatStopsWithoutFinishingIsReportedAsTruncated() {
		LlmExchange exchange = exchange("{\"model\":\"fast\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
		StreamTranslator translator = this.adapter.streamTranslator(exchange, exchange.route().primary());
		translator.onEvent(SseEvent.data("{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}"));
		assertThatExceptionOfType(LlmApiException.class).isThrownBy(translator::onEnd)
			.satisfies(ex -> assertThat(ex.code()).isEqualTo("upstream_stream_truncated"));
	}

	@ParameterizedTest(name = "Retry-After {0} -> {1} ms")
	@CsvSource(nullValues = "null", value = { "7,7000", "-3,null", "NaN,null", "Infinity,null", "1e300,3600000", "soon,null" })
	void retryAfterValuesAreSaneOrIgnored(String value, Long millis) {
		HttpHeaders headers = new HttpHeaders();
		headers.set("retry-after", value);
		Duration parsed = UpstreamErrors.retryAfter(headers);
		assertThat((parsed != null) ? parsed.toMillis() : null).isEqualTo(millis);
	}

	@ParameterizedTest(name = "upstream {0} -> client {1} {2}")
	@CsvSource(delimiter = '|', textBlock = """
			429 | 429 | tokens                | rate_limit_exceeded     | openai/error-429.response.json
			401 | 502 | api_error             | upstream_auth_failed    | openai/error-401.response.json
			400 | 400 | invalid_request_error | context_length_exceeded | openai/error-context.response.json
			529 | 503 | server_error          | overloaded              | -
			500 | 500 | server_error          |                         | -
			""")
	void errorsMapToTheStatusAndTypeSdksExpect(int upstream, int status, String type, String code, String fixture) {
		HttpHeaders headers = new HttpHeaders();
		headers.set("retry-after", "7");
		byte[] body = "-".equals(fixture) ? "<html>bad gateway</html>".getBytes() : Fixtures.bytes(fixture);
		LlmExchange exchange = exchange("{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
		LlmApiException error = this.adapter.error(exchange.route().primary(), upstream, headers, body);
		assertThat(error.status()).isEqualTo(status);
		assertThat(error.type()).isEqualTo(type);
		assertThat(error.code()).isEqualTo(code);
		assertThat(error.getMessage()).doesNotContain(TestCatalogs.PROVIDER_KEY);
		if (status == 429 || status == 503) {
			assertThat(error.retryAfter()).isEqualTo(Duration.ofSeconds(7));
		}
	}

	private LlmExchange exchange(String body) {
		return TestCatalogs.exchange(this.catalog, Operation.CHAT, body);
	}

	private List<SseEvent> translate(LlmExchange exchange, String fixture) {
		StreamTranslator translator = this.adapter.streamTranslator(exchange, exchange.route().primary());
		SseDecoder decoder = new SseDecoder();
		List<SseEvent> out = new ArrayList<>();
		List<SseEvent> upstream = new ArrayList<>(decoder.decode(Fixtures.bytes(fixture)));
		upstream.addAll(decoder.finish());
		upstream.forEach(event -> out.addAll(translator.onEvent(event)));
		out.addAll(translator.onEnd());
		return out;
	}

}
