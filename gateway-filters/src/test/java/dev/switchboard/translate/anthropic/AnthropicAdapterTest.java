package dev.switchboard.translate.anthropic;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;

import dev.switchboard.catalog.Capability;
import dev.switchboard.catalog.ModelCatalog;
import dev.switchboard.catalog.ModelSpec;
import dev.switchboard.catalog.ProviderSpec;
import dev.switchboard.catalog.ProviderType;
import dev.switchboard.catalog.Secret;
import dev.switchboard.catalog.UnsupportedParameters;
import dev.switchboard.core.Json;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.Operation;
import dev.switchboard.core.RouteTarget;
import dev.switchboard.core.Usage;
import dev.switchboard.dispatch.Failures;
import dev.switchboard.dispatch.Trigger;
import dev.switchboard.sse.SseDecoder;
import dev.switchboard.sse.SseEvent;
import dev.switchboard.testing.Fixtures;
import dev.switchboard.testing.TestCatalogs;
import dev.switchboard.translate.spi.StreamTranslator;
import dev.switchboard.translate.spi.UpstreamRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Table-driven against {@code fixtures/anthropic/<case>.*}: the client's OpenAI request, the
 * Anthropic request it must become, Anthropic's documented response, stream and error shapes, and
 * the OpenAI answers they must become. JSON is compared as trees; generated values apart.
 */
class AnthropicAdapterTest {

	/** Rejects unsupported parameters; {@code max_tokens} default 1024. */
	private static final String STRICT_MODEL = "claude-test";

	/** Same upstream model on a provider that drops unsupported parameters. */
	private static final String LENIENT_MODEL = "claude-lenient";

	private static final ModelCatalog CATALOG = new ModelCatalog(
			List.of(anthropic("anthropic", null, Map.of(), UnsupportedParameters.REJECT),
					anthropic("anthropic-lenient", "2024-06-01", Map.of("anthropic-beta", "test-beta-2026-01-01"),
							UnsupportedParameters.DROP)),
			List.of(TestCatalogs.chatModel(STRICT_MODEL, "anthropic", "claude-test-2026-01"),
					TestCatalogs.chatModel(LENIENT_MODEL, "anthropic-lenient", "claude-test-2026-01"),
					// a misconfiguration the adapter must answer clearly: Anthropic has no embeddings
					new ModelSpec("claude-embed", "anthropic", "claude-test-2026-01", List.of(), null, null, null, null,
							Set.of(Capability.EMBEDDINGS))));

	private final AnthropicAdapter adapter = new AnthropicAdapter();

	// ---- requests

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "chat-system-developer", "multi-turn", "tools-auto", "tools-required", "tools-none",
			"tools-named", "tools-serial", "tool-results", "tool-results-no-text", "images", "documents-cache",
			"stop-string", "max-tokens-default", "json-schema", "json-object", "stream", "stream-tools",
			"stream-json", "stream-tools-no-arguments", "tools-untyped", "data-urls" })
	void requestMatchesFixture(String name) {
		LlmExchange exchange = exchange(Fixtures.text("anthropic/" + name + ".openai-request.json"));
		UpstreamRequest request = this.adapter.chatRequest(exchange, target(exchange));

		assertThat(request.method()).isEqualTo(HttpMethod.POST);
		assertThat(request.path()).isEqualTo("/messages");
		assertThat(Json.MAPPER.readTree(request.body())).isEqualTo(fixture(name + ".request.json"));
		assertThat(exchange.translation().dropped()).isEmpty();
	}

	@Test
	void headersCarryTheKeyAndTheDefaultVersion() {
		LlmExchange exchange = exchange(Fixtures.text("anthropic/chat-system-developer.openai-request.json"));
		HttpHeaders headers = this.adapter.chatRequest(exchange, target(exchange)).headers();

		assertThat(headers.getFirst("x-api-key")).isEqualTo(TestCatalogs.PROVIDER_KEY);
		assertThat(headers.getFirst("anthropic-version")).isEqualTo("2023-06-01");
		assertThat(headers.getContentType()).isEqualTo(MediaType.APPLICATION_JSON);
		assertThat(headers.getAccept()).containsExactly(MediaType.APPLICATION_JSON);
		assertThat(headers.containsHeader(HttpHeaders.AUTHORIZATION)).isFalse();
		assertThat(exchange.body().path("model").asString()).as("the shared parsed body is never modified")
			.isEqualTo(STRICT_MODEL);
	}

	@Test
	void headersCarryTheConfiguredVersionAndExtraHeadersAndAcceptTheStream() {
		LlmExchange exchange = exchange("""
				{"model":"claude-lenient","stream":true,"messages":[{"role":"user","content":"hi"}]}""");
		HttpHeaders headers = this.adapter.chatRequest(exchange, target(exchange)).headers();

		assertThat(headers.getFirst("anthropic-version")).isEqualTo("2024-06-01");
		assertThat(headers.getFirst("anthropic-beta")).isEqualTo("test-beta-2026-01-01");
		assertThat(headers.getAccept()).containsExactly(MediaType.TEXT_EVENT_STREAM);
	}

	@Test
	void jsonModeIsWrittenToTheDecisionLog() {
		LlmExchange exchange = exchange(Fixtures.text("anthropic/json-object.openai-request.json"));
		this.adapter.chatRequest(exchange, target(exchange));
		assertThat(exchange.decisions())
			.contains("translate: response_format json_object sent to Anthropic as the forced tool 'json_response'");
	}

	@Test
	void parametersOpenAiClientsSendHarmlesslyAreLeftOut() {
		LlmExchange exchange = exchange("""
				{"model":"claude-test","messages":[{"role":"user","content":"hi"}],
				 "stream_options":{"include_usage":true},"store":true,"metadata":{"app":"x"},"service_tier":"auto",
				 "n":1,"logprobs":false,"presence_penalty":0,"frequency_penalty":0.0,"logit_bias":{},
				 "response_format":{"type":"text"},"parallel_tool_calls":true,"seed":null,"prompt_cache_key":"k"}""");
		JsonNode sent = Json.MAPPER.readTree(this.adapter.chatRequest(exchange, target(exchange)).body());

		assertThat(sent).isEqualTo(Json.MAPPER.readTree("""
				{"model":"claude-test-2026-01","max_tokens":1024,
				 "messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]}"""));
		assertThat(exchange.translation().dropped()).isEmpty();
	}

	@Test
	void safetyIdentifierIsPreferredToUserForAnthropicsUserId() {
		LlmExchange exchange = exchange("""
				{"model":"claude-test","messages":[{"role":"user","content":"hi"}],"user":"old","safety_identifier":"h-123"}""");
		JsonNode sent = Json.MAPPER.readTree(this.adapter.chatRequest(exchange, target(exchange)).body());
		assertThat(sent.path("metadata").path("user_id").asString()).isEqualTo("h-123");
	}

	// ---- parameters Anthropic cannot honour

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
			n                  | "n": 2
			logprobs           | "logprobs": true
			top_logprobs       | "top_logprobs": 3
			presence_penalty   | "presence_penalty": 0.5
			frequency_penalty  | "frequency_penalty": -1
			logit_bias         | "logit_bias": {"50256": -100}
			seed               | "seed": 42
			audio              | "audio": {"voice": "alloy", "format": "wav"}
			modalities         | "modalities": ["text", "audio"]
			temperature        | "temperature": 1.5
			top_p              | "temperature": 0.5, "top_p": 0.9
			prediction         | "prediction": {"type": "content", "content": "x"}
			reasoning_effort   | "reasoning_effort": "low"
			verbosity          | "verbosity": "low"
			web_search_options | "web_search_options": {}
			service_tier       | "service_tier": "priority"
			functions          | "functions": [{"name": "f", "parameters": {"type": "object"}}]
			function_call      | "function_call": "auto"
			response_format    | "response_format": {"type": "json_schema", "json_schema": {"name": "x"}}, "tools": [{"type": "function", "function": {"name": "f"}}]
			tool_choice        | "tool_choice": {"type": "allowed_tools", "allowed_tools": {"mode": "auto", "tools": []}}, "tools": [{"type": "function", "function": {"name": "f"}}]
			""")
	void unsupportedParameterIsRejectedNamingIt(String param, String json) {
		LlmExchange exchange = exchange(unsupported(STRICT_MODEL, json));

		assertThatExceptionOfType(LlmApiException.class)
			.isThrownBy(() -> this.adapter.chatRequest(exchange, target(exchange)))
			.satisfies(error -> {
				assertThat(error.status()).isEqualTo(400);
				assertThat(error.type()).isEqualTo(LlmApiException.INVALID_REQUEST);
				assertThat(error.param()).isEqualTo(param);
				assertThat(error.getMessage()).contains("switchboard.providers.anthropic.unsupported-parameters=drop");
			});
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
			n                  | "n": 2
			logprobs           | "logprobs": true
			presence_penalty   | "presence_penalty": 0.5
			logit_bias         | "logit_bias": {"50256": -100}
			seed               | "seed": 42
			modalities         | "modalities": ["text", "audio"]
			temperature        | "temperature": 1.5
			top_p              | "temperature": 0.5, "top_p": 0.9
			reasoning_effort   | "reasoning_effort": "low"
			functions          | "functions": [{"name": "f", "parameters": {"type": "object"}}]
			""")
	void unsupportedParameterIsDroppedWhenThePolicySaysSo(String param, String json) {
		LlmExchange exchange = exchange(unsupported(LENIENT_MODEL, json));
		JsonNode sent = Json.MAPPER.readTree(this.adapter.chatRequest(exchange, target(exchange)).body());

		assertThat(exchange.translation().dropped()).containsExactly(param);
		assertThat(sent.has(param)).isFalse();
		assertThat(sent.path("messages")).hasSize(1);
	}

	@Test
	void temperatureUpToOnePassesUnchanged() {
		LlmExchange exchange = exchange(unsupported(STRICT_MODEL, "\"temperature\": 1"));
		JsonNode sent = Json.MAPPER.readTree(this.adapter.chatRequest(exchange, target(exchange)).body());
		assertThat(sent.path("temperature").asDouble()).isEqualTo(1.0);
	}

	@Test
	void topPAlonePassesUnchanged() {
		LlmExchange exchange = exchange(unsupported(STRICT_MODEL, "\"top_p\": 0.9"));
		JsonNode sent = Json.MAPPER.readTree(this.adapter.chatRequest(exchange, target(exchange)).body());
		assertThat(sent.path("top_p").asDouble()).isEqualTo(0.9);
		assertThat(sent.has("temperature")).isFalse();
	}

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { STRICT_MODEL, LENIENT_MODEL })
	void topPOfOneBesideTemperatureIsLeftOutSilently(String model) {
		LlmExchange exchange = exchange(unsupported(model, "\"temperature\": 0.2, \"top_p\": 1"));
		JsonNode sent = Json.MAPPER.readTree(this.adapter.chatRequest(exchange, target(exchange)).body());
		assertThat(sent.path("temperature").asDouble()).isEqualTo(0.2);
		assertThat(sent.has("top_p")).isFalse();
		assertThat(exchange.translation().dropped()).isEmpty();
	}

	@Test
	void topPBesideTemperatureIsRejectedNamingIt() {
		LlmExchange exchange = exchange(unsupported(STRICT_MODEL, "\"temperature\": 0.2, \"top_p\": 0.9"));
		assertThatExceptionOfType(LlmApiException.class)
			.isThrownBy(() -> this.adapter.chatRequest(exchange, target(exchange)))
			.satisfies(error -> {
				assertThat(error.status()).isEqualTo(400);
				assertThat(error.param()).isEqualTo("top_p");
				assertThat(error.getMessage()).contains("temperature and top_p together");
			});
	}

	@Test
	void topPBesideTemperatureIsDroppedWhenThePolicySaysSo() {
		LlmExchange exchange = exchange(unsupported(LENIENT_MODEL, "\"temperature\": 0, \"top_p\": 0.9"));
		JsonNode sent = Json.MAPPER.readTree(this.adapter.chatRequest(exchange, target(exchange)).body());
		assertThat(sent.path("temperature").asDouble()).isZero();
		assertThat(sent.has("top_p")).isFalse();
		assertThat(exchange.translation().dropped()).containsExactly("top_p");
	}

	@Test
	void topPIsSentWhenTheTemperatureBesideItIsDropped() {
		LlmExchange exchange = exchange(unsupported(LENIENT_MODEL, "\"temperature\": 1.5, \"top_p\": 0.9"));
		JsonNode sent = Json.MAPPER.readTree(this.adapter.chatRequest(exchange, target(exchange)).body());
		assertThat(sent.has("temperature")).isFalse();
		assertThat(sent.path("top_p").asDouble()).isEqualTo(0.9);
		assertThat(exchange.translation().dropped()).containsExactly("temperature");
	}

	@Test
	void toolSchemasAreCompletedOnACopyOfTheClientsBody() {
		String body = Fixtures.text("anthropic/tools-untyped.openai-request.json");
		LlmExchange exchange = exchange(body);
		byte[] first = this.adapter.chatRequest(exchange, target(exchange)).body();
		byte[] second = this.adapter.chatRequest(exchange, target(exchange)).body();

		assertThat(exchange.body()).as("the parsed body every attempt translates").isEqualTo(Json.MAPPER.readTree(body));
		assertThat(exchange.body().at("/tools/0/function/parameters").has("type")).isFalse();
		assertThat(Json.MAPPER.readTree(second)).isEqualTo(Json.MAPPER.readTree(first));
	}

	@Test
	void jsonModeSchemaWithoutTypeIsCompletedToo() {
		LlmExchange exchange = exchange("""
				{"model":"claude-test","messages":[{"role":"user","content":"hi"}],
				 "response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"properties":{"a":{"type":"integer"}}}}}}""");
		JsonNode sent = Json.MAPPER.readTree(this.adapter.chatRequest(exchange, target(exchange)).body());
		assertThat(sent.at("/tools/0/input_schema")).isEqualTo(Json.MAPPER.readTree("""
				{"type":"object","properties":{"a":{"type":"integer"}}}"""));
		assertThat(exchange.body().at("/response_format/json_schema/schema").has("type")).isFalse();
	}

	@Test
	void responseFormatDroppedInFavourOfTheClientsTools() {
		LlmExchange exchange = exchange(unsupported(LENIENT_MODEL, """
				"response_format": {"type": "json_object"}, "tools": [{"type": "function", "function": {"name": "f"}}]"""));
		JsonNode sent = Json.MAPPER.readTree(this.adapter.chatRequest(exchange, target(exchange)).body());

		assertThat(exchange.translation().dropped()).containsExactly("response_format");
		assertThat(sent.path("tools")).hasSize(1);
		assertThat(sent.path("tools").get(0).path("name").asString()).isEqualTo("f");
		assertThat(sent.has("tool_choice")).isFalse();
	}

	@Test
	void messageNameIsRejectedNamingTheMessage() {
		LlmExchange exchange = exchange("""
				{"model":"claude-test","messages":[{"role":"system","content":"s"},
				 {"role":"user","name":"alice","content":"hi"}]}""");
		assertThatExceptionOfType(LlmApiException.class)
			.isThrownBy(() -> this.adapter.chatRequest(exchange, target(exchange)))
			.satisfies(error -> assertThat(error.param()).isEqualTo("messages[1].name"));
	}

	@Test
	void messageNamesAreDroppedOneByOneWhenThePolicySaysSo() {
		LlmExchange exchange = exchange("""
				{"model":"claude-lenient","messages":[{"role":"user","name":"alice","content":"hi"},
				 {"role":"assistant","content":"hello"},{"role":"user","name":"bob","content":"hey"}]}""");
		JsonNode sent = Json.MAPPER.readTree(this.adapter.chatRequest(exchange, target(exchange)).body());

		assertThat(exchange.translation().dropped()).containsExactlyInAnyOrder("messages[0].name", "messages[2].name");
		assertThat(sent.path("messages")).hasSize(3);
		assertThat(sent.path("messages").get(2).path("content").get(0).path("text").asString()).isEqualTo("hey");
	}

	@Test
	void temperatureAboveAnthropicsRangeIsRefusedWithItsRangeNeverClamped() {
		LlmExchange exchange = exchange(unsupported(STRICT_MODEL, "\"temperature\": 1.2"));
		assertThatExceptionOfType(LlmApiException.class)
			.isThrownBy(() -> this.adapter.chatRequest(exchange, target(exchange)))
			.satisfies(error -> {
				assertThat(error.status()).isEqualTo(400);
				assertThat(error.type()).isEqualTo(LlmApiException.INVALID_REQUEST);
				assertThat(error.param()).isEqualTo("temperature");
				assertThat(error.getMessage()).contains("from 0 to 1, got 1.2");
			});
	}

	// ---- values of the wrong type or shape: refused, never replaced by a default

	/**
	 * On the provider that drops what Anthropic lacks, so that a refusal here cannot be the
	 * parameter policy's: these values are malformed, not unsupported. The adapter throws before
	 * it returns a request, so nothing is sent.
	 */
	@ParameterizedTest(name = "{0}: {1}")
	@CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
			tools[0].function.parameters       | "tools": [{"type": "function", "function": {"name": "f", "parameters": "notaschema"}}]
			tools[0].function.parameters       | "tools": [{"type": "function", "function": {"name": "f", "parameters": [{"type": "object"}]}}]
			tools                              | "tools": {"type": "function", "function": {"name": "f"}}
			tools[0]                           | "tools": ["f"]
			tools[0].function                  | "tools": [{"type": "function", "function": "f"}]
			tools[0].function.name             | "tools": [{"type": "function", "function": {"parameters": {"type": "object"}}}]
			tools[0].function.name             | "tools": [{"type": "function", "function": {"name": 7}}]
			tool_choice                        | "tool_choice": "required"
			tool_choice                        | "tool_choice": {"type": "function", "function": {"name": "f"}}
			tool_choice                        | "tools": [{"type": "function", "function": {"name": "f"}}], "tool_choice": {"type": "function", "function": {"name": "g"}}
			tool_choice.function.name          | "tools": [{"type": "function", "function": {"name": "f"}}], "tool_choice": {"type": "function", "function": {}}
			tool_choice                        | "tools": [{"type": "function", "function": {"name": "f"}}], "tool_choice": 1
			stop                               | "stop": 5
			stop[1]                            | "stop": ["END", 5]
			response_format                    | "response_format": "json_object"
			response_format.type               | "response_format": {}
			response_format.json_schema.schema | "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": "notaschema"}}
			""")
	void valuesThatCannotBeTranslatedFaithfullyAreRejectedNamingThem(String param, String json) {
		LlmExchange exchange = exchange(unsupported(LENIENT_MODEL, json));
		assertThatExceptionOfType(LlmApiException.class)
			.isThrownBy(() -> this.adapter.chatRequest(exchange, target(exchange)))
			.satisfies(error -> {
				assertThat(error.status()).isEqualTo(400);
				assertThat(error.type()).isEqualTo(LlmApiException.INVALID_REQUEST);
				assertThat(error.param()).isEqualTo(param);
				assertThat(error.getMessage()).startsWith("'" + param + "'");
			});
		assertThat(exchange.translation().dropped()).isEmpty();
	}

	@ParameterizedTest(name = "tool_choice {0}")
	@ValueSource(strings = { "\"auto\"", "\"none\"" })
	void toolChoiceThatAsksForNothingIsLeftOutWithoutTools(String choice) {
		LlmExchange exchange = exchange(unsupported(STRICT_MODEL, "\"tool_choice\": " + choice));
		JsonNode sent = Json.MAPPER.readTree(this.adapter.chatRequest(exchange, target(exchange)).body());
		assertThat(sent.has("tools")).isFalse();
		assertThat(sent.has("tool_choice")).isFalse();
	}

	// ---- requests Anthropic cannot be sent at all

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
			messages[2].tool_call_id                   | {"role":"user","content":"q"},{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"tool","content":"r"}
			messages[1].tool_calls[0].function.arguments | {"role":"user","content":"q"},{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{not json"}}]}
			messages[1].tool_calls[0].id               | {"role":"user","content":"q"},{"role":"assistant","tool_calls":[{"type":"function","function":{"name":"f","arguments":"{}"}}]}
			messages[0].content[0].type                | {"role":"user","content":[{"type":"input_audio","input_audio":{"data":"AAAA","format":"wav"}}]}
			messages[0].content[0].image_url.url       | {"role":"user","content":[{"type":"image_url","image_url":{"url":"ftp://example.com/a.png"}}]}
			messages[0].content[0].image_url.url       | {"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/svg+xml,<svg/>"}}]}
			messages[0].content[0].image_url.url       | {"role":"user","content":[{"type":"image_url","image_url":{"url":"data:;base64,iVBORw0KGgo="}}]}
			messages[0].content[0].image_url.url       | {"role":"user","content":[{"type":"image_url","image_url":{"url":"data:;name=a.png;base64,iVBORw0KGgo="}}]}
			messages[0].content[0].image_url.url       | {"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,not base64!"}}]}
			messages[0].content[0].image_url.url       | {"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,"}}]}
			messages[0].content[0].file.file_data      | {"role":"user","content":[{"type":"file","file":{"file_data":"data:;base64,JVBERi0xLjQK"}}]}
			messages[0].content[0].file.file_data      | {"role":"user","content":[{"type":"file","file":{"file_data":"data:application/pdf,%PDF-1.4"}}]}
			messages[0].content[0].file                | {"role":"user","content":[{"type":"file","file":{"file_id":"file-abc"}}]}
			messages[0].content                        | {"role":"system","content":[{"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]},{"role":"user","content":"q"}
			messages[1].role                           | {"role":"user","content":"q"},{"role":"function","name":"f","content":"r"}
			messages[0].content                        | {"role":"user","content":42}
			messages[0].content                        | {"role":"user","content":{"type":"text","text":"q"}}
			messages[0].content[0]                     | {"role":"user","content":["q"]}
			messages[0].content[0].text                | {"role":"user","content":[{"type":"text","text":{"value":"q"}}]}
			messages[0].content[0].text                | {"role":"user","content":[{"type":"text"}]}
			messages[1].tool_calls                     | {"role":"user","content":"q"},{"role":"assistant","tool_calls":{"id":"c1","type":"function","function":{"name":"f"}}}
			messages[1].tool_calls[0]                  | {"role":"user","content":"q"},{"role":"assistant","tool_calls":["c1"]}
			messages[1].tool_calls[0].function.arguments | {"role":"user","content":"q"},{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":["x"]}}]}
			messages[2].content                        | {"role":"user","content":"q"},{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c1","content":42}
			""")
	void requestsAnthropicCannotTakeAreRejectedNamingTheParameter(String param, String messages) {
		LlmExchange exchange = exchange("{\"model\":\"claude-lenient\",\"messages\":[" + messages + "]}");
		assertThatExceptionOfType(LlmApiException.class)
			.isThrownBy(() -> this.adapter.chatRequest(exchange, target(exchange)))
			.satisfies(error -> {
				assertThat(error.status()).isEqualTo(400);
				assertThat(error.type()).isEqualTo(LlmApiException.INVALID_REQUEST);
				assertThat(error.param()).isEqualTo(param);
			});
	}

	// ---- whole responses

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "chat-system-developer", "tools-auto", "tools-required", "stop-string",
			"max-tokens-default", "json-schema" })
	void responseMatchesFixture(String name) {
		LlmExchange exchange = exchange(Fixtures.text("anthropic/" + name + ".openai-request.json"));
		long before = System.currentTimeMillis() / 1000;
		byte[] body = this.adapter.chatResponse(exchange, target(exchange),
				Fixtures.bytes("anthropic/" + name + ".response.json"));
		long after = System.currentTimeMillis() / 1000;

		ObjectNode completion = (ObjectNode) Json.MAPPER.readTree(body);
		assertThat(completion.path("created").asLong()).isBetween(before, after);
		completion.remove("created");
		JsonNode expected = fixture(name + ".openai-response.json");
		assertThat(completion).isEqualTo(expected);
		assertThat(exchange.usage()).isEqualTo(Usage.fromOpenAi(expected.get("usage")));
	}

	@ParameterizedTest(name = "{0} (json mode {1}) -> {2}")
	@CsvSource(delimiter = '|', textBlock = """
			end_turn                      | false | stop
			stop_sequence                 | false | stop
			max_tokens                    | false | length
			model_context_window_exceeded | false | length
			tool_use                      | false | tool_calls
			tool_use                      | true  | stop
			refusal                       | false | content_filter
			pause_turn                    | false | stop
			""")
	void stopReasonsBecomeFinishReasons(String stopReason, boolean jsonMode, String finishReason) {
		String format = jsonMode ? ",\"response_format\":{\"type\":\"json_object\"}" : "";
		LlmExchange exchange = exchange(
				"{\"model\":\"claude-test\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]" + format + "}");
		String response = """
				{"id":"msg_1","type":"message","role":"assistant","model":"claude-test-2026-01",
				 "content":[{"type":"text","text":"x"}],"stop_reason":"%s","stop_sequence":null,
				 "usage":{"input_tokens":1,"output_tokens":1}}""".formatted(stopReason);
		JsonNode completion = Json.MAPPER
			.readTree(this.adapter.chatResponse(exchange, target(exchange), response.getBytes()));
		assertThat(completion.path("choices").get(0).path("finish_reason").asString()).isEqualTo(finishReason);
	}

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "", "\"stop_reason\":null," })
	void finishReasonIsStopWhenTheStopReasonIsMissing(String stopReason) {
		LlmExchange exchange = exchange("{\"model\":\"claude-test\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
		String response = """
				{"id":"msg_1","type":"message","role":"assistant","model":"claude-test-2026-01",
				 "content":[{"type":"text","text":"x"}],%s"usage":{"input_tokens":1,"output_tokens":1}}"""
			.formatted(stopReason);
		JsonNode completion = Json.MAPPER
			.readTree(this.adapter.chatResponse(exchange, target(exchange), response.getBytes()));
		assertThat(completion.path("choices").get(0).path("finish_reason").asString()).isEqualTo("stop");
	}

	@Test
	void thinkingBlocksAreLeftOutOfTheAnswer() {
		LlmExchange exchange = exchange("{\"model\":\"claude-test\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
		String response = """
				{"id":"msg_1","type":"message","role":"assistant","model":"claude-test-2026-01",
				 "content":[{"type":"thinking","thinking":"Let me see.","signature":"sig"},
				            {"type":"redacted_thinking","data":"abc"},{"type":"text","text":"42"}],
				 "stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":9}}""";
		JsonNode completion = Json.MAPPER
			.readTree(this.adapter.chatResponse(exchange, target(exchange), response.getBytes()));
		assertThat(completion.path("choices").get(0).path("message").path("content").asString()).isEqualTo("42");
	}

	@Test
	void responseThatIsNotJsonIsABadGateway() {
		LlmExchange exchange = exchange("{\"model\":\"claude-test\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
		assertThatExceptionOfType(LlmApiException.class)
			.isThrownBy(() -> this.adapter.chatResponse(exchange, target(exchange), "<html>".getBytes()))
			.satisfies(error -> assertThat(error.status()).isEqualTo(502));
	}

	// ---- streams

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "stream", "stream-tools", "stream-json", "stream-tools-no-arguments",
			"stream-json-empty" })
	void streamMatchesFixtureChunkByChunk(String name) {
		LlmExchange exchange = exchange(Fixtures.text("anthropic/" + name + ".openai-request.json"));
		long before = System.currentTimeMillis() / 1000;
		List<SseEvent> out = translate(exchange, name + ".stream.sse");
		long after = System.currentTimeMillis() / 1000;

		List<String> expected = Fixtures.text("anthropic/" + name + ".openai-stream.jsonl").lines().toList();
		assertThat(out).hasSameSizeAs(expected);
		assertThat(out.get(out.size() - 1).isDone()).isTrue();
		List<SseEvent> chunks = out.subList(0, out.size() - 1);
		assertThat(chunks).noneMatch(SseEvent::isDone).allSatisfy(event -> assertThat(event.event()).isNull());
		long created = Json.MAPPER.readTree(chunks.get(0).data()).path("created").asLong();
		assertThat(created).isBetween(before, after);
		for (int i = 0; i < chunks.size(); i++) {
			ObjectNode chunk = (ObjectNode) Json.MAPPER.readTree(chunks.get(i).data());
			assertThat(chunk.path("created").asLong()).as("created of chunk %d", i).isEqualTo(created);
			chunk.remove("created");
			assertThat(chunk).as("chunk %d", i).isEqualTo(Json.MAPPER.readTree(expected.get(i)));
		}
		assertThat(expected.get(expected.size() - 1)).isEqualTo("[DONE]");
		assertThat(exchange.timing().timeToFirstTokenNanos()).isPositive();
	}

	@Test
	void streamRecordsUsageWithoutAUsageChunkWhenTheClientDidNotAsk() {
		LlmExchange exchange = exchange(Fixtures.text("anthropic/stream.openai-request.json"));
		List<SseEvent> out = translate(exchange, "stream.stream.sse");

		assertThat(out).noneMatch(event -> event.dataAsString().contains("usage"));
		assertThat(exchange.usage()).isEqualTo(new Usage(11, 6, 0, true));
	}

	@Test
	void streamUsageChunkComesBeforeDoneWhenTheClientAsked() {
		LlmExchange exchange = exchange("""
				{"model":"claude-test","stream":true,"stream_options":{"include_usage":true},
				 "messages":[{"role":"user","content":"Say hello."}]}""");
		List<SseEvent> out = translate(exchange, "stream.stream.sse");

		assertThat(out).hasSize(6);
		JsonNode usageChunk = Json.MAPPER.readTree(out.get(4).data());
		assertThat(usageChunk.path("choices").isEmpty()).isTrue();
		assertThat(usageChunk.path("usage")).isEqualTo(Json.MAPPER.readTree("""
				{"prompt_tokens":11,"completion_tokens":6,"total_tokens":17,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}"""));
		assertThat(out.get(5).isDone()).isTrue();
	}

	@Test
	void streamedCacheReadsCountAsCachedPromptTokens() {
		LlmExchange exchange = exchange(Fixtures.text("anthropic/stream-tools.openai-request.json"));
		translate(exchange, "stream-tools.stream.sse");
		assertThat(exchange.usage()).isEqualTo(new Usage(340, 75, 300, true));
	}

	@Test
	void streamUsageKeepsTheLargestCumulativeCounts() {
		LlmExchange exchange = exchange("{\"model\":\"claude-test\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
		StreamTranslator translator = this.adapter.streamTranslator(exchange, target(exchange));
		translator.onEvent(new SseEvent("message_start", """
				{"type":"message_start","message":{"id":"msg_1","model":"m","usage":{"input_tokens":0,"output_tokens":1}}}"""
			.getBytes()));
		translator.onEvent(new SseEvent("message_delta", """
				{"type":"message_delta","delta":{"stop_reason":"end_turn"},
				 "usage":{"input_tokens":30,"cache_read_input_tokens":null,"output_tokens":5,"server_tool_use":{"web_search_requests":0}}}"""
			.getBytes()));
		translator.onEvent(new SseEvent("message_stop", "{\"type\":\"message_stop\"}".getBytes()));
		assertThat(exchange.usage()).isEqualTo(new Usage(30, 5, 0, true));
	}

	@Test
	void streamErrorEventFailsTheStreamAsAnOpenAiError() {
		LlmExchange exchange = exchange("{\"model\":\"claude-test\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
		StreamTranslator translator = this.adapter.streamTranslator(exchange, target(exchange));
		List<SseEvent> upstream = decode("stream-error.stream.sse");
		List<SseEvent> out = new ArrayList<>();

		assertThatExceptionOfType(LlmApiException.class)
			.isThrownBy(() -> upstream.forEach(event -> out.addAll(translator.onEvent(event))))
			.satisfies(error -> {
				assertThat(error.status()).isEqualTo(503);
				assertThat(error.type()).isEqualTo(LlmApiException.SERVER_ERROR);
				assertThat(error.code()).isEqualTo("overloaded");
			});
		assertThat(out).hasSize(2);
		assertThat(out.get(1).dataAsString()).contains("Once upon");
		assertThat(exchange.usage()).as("what message_start reported").isEqualTo(new Usage(9, 1, 0, true));
	}

	@Test
	void streamEndingWithoutMessageStopIsTruncatedNotDone() {
		LlmExchange exchange = exchange("{\"model\":\"claude-test\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
		StreamTranslator translator = this.adapter.streamTranslator(exchange, target(exchange));
		List<SseEvent> out = new ArrayList<>();
		decode("stream-truncated.stream.sse").forEach(event -> out.addAll(translator.onEvent(event)));

		assertThat(out).hasSize(3).noneMatch(SseEvent::isDone);
		assertThatExceptionOfType(LlmApiException.class).isThrownBy(translator::onEnd).satisfies(error -> {
			assertThat(error.status()).isEqualTo(502);
			assertThat(error.type()).isEqualTo(LlmApiException.API_ERROR);
			assertThat(error.code()).isEqualTo("upstream_stream_truncated");
			assertThat(error.getMessage()).contains("'anthropic'");
			assertThat(Failures.classify(error)).as("failed over before the first byte").isEqualTo(Trigger.SERVER_ERROR);
		});
		assertThat(exchange.usage()).as("what message_start reported").isEqualTo(new Usage(14, 1, 0, true));
	}

	@Test
	void emptyStreamIsTruncated() {
		LlmExchange exchange = exchange("{\"model\":\"claude-test\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
		StreamTranslator translator = this.adapter.streamTranslator(exchange, target(exchange));
		assertThatExceptionOfType(LlmApiException.class).isThrownBy(translator::onEnd)
			.satisfies(error -> assertThat(error.code()).isEqualTo("upstream_stream_truncated"));
		assertThat(exchange.usage()).isNull();
	}

	@Test
	void streamCarriesThinkingWithItsSignatureAndIgnoresUnknownEvents() {
		LlmExchange exchange = exchange("{\"model\":\"claude-test\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
		StreamTranslator translator = this.adapter.streamTranslator(exchange, target(exchange));
		assertThat(translator.onEvent(new SseEvent("content_block_start", """
				{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}""".getBytes())))
			.isEmpty();
		assertThat(translator.onEvent(new SseEvent("future_event", "{\"type\":\"future_event\"}".getBytes()))).isEmpty();
		assertThat(exchange.timing().timeToFirstTokenNanos()).isZero();

		List<SseEvent> thought = translator.onEvent(new SseEvent("content_block_delta", """
				{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hmm"}}""".getBytes()));
		assertThat(thought).hasSize(1);
		assertThat(delta(thought.get(0)).path("reasoning_content").asString()).isEqualTo("hmm");
		assertThat(exchange.timing().timeToFirstTokenNanos()).as("thinking is generated output").isPositive();

		List<SseEvent> signed = translator.onEvent(new SseEvent("content_block_delta", """
				{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCgIYAh"}}""".getBytes()));
		assertThat(signed).hasSize(1);
		assertThat(delta(signed.get(0)).path("thinking_blocks").toString())
			.isEqualTo("[{\"type\":\"thinking\",\"signature\":\"EqQBCgIYAh\"}]");

		List<SseEvent> redacted = translator.onEvent(new SseEvent("content_block_start", """
				{"type":"content_block_start","index":1,"content_block":{"type":"redacted_thinking","data":"opaque"}}""".getBytes()));
		assertThat(delta(redacted.get(0)).path("thinking_blocks").toString())
			.isEqualTo("[{\"type\":\"redacted_thinking\",\"data\":\"opaque\"}]");
	}

	@Test
	void wholeResponseKeepsThinkingBlocksAndTheStopSequence() {
		LlmExchange exchange = exchange("{\"model\":\"claude-test\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
		byte[] answer = """
				{"id":"msg_1","type":"message","role":"assistant","model":"claude-test-2026-01",
				 "content":[{"type":"thinking","thinking":"Let me see.","signature":"sig-1"},
				            {"type":"redacted_thinking","data":"opaque"},
				            {"type":"text","text":"Done"}],
				 "stop_reason":"stop_sequence","stop_sequence":"END",
				 "usage":{"input_tokens":10,"cache_creation_input_tokens":5,"cache_read_input_tokens":7,"output_tokens":3}}"""
			.getBytes();
		JsonNode completion = Json.MAPPER.readTree(this.adapter.chatResponse(exchange, target(exchange), answer));
		JsonNode choice = completion.path("choices").get(0);
		assertThat(choice.path("message").path("reasoning_content").asString()).isEqualTo("Let me see.");
		assertThat(choice.path("message").path("thinking_blocks").toString()).isEqualTo(
				"[{\"type\":\"thinking\",\"thinking\":\"Let me see.\",\"signature\":\"sig-1\"},"
						+ "{\"type\":\"redacted_thinking\",\"data\":\"opaque\"}]");
		assertThat(choice.path("message").path("content").asString()).isEqualTo("Done");
		assertThat(choice.path("finish_reason").asString()).isEqualTo("stop");
		assertThat(choice.path("stop_reason").asString()).isEqualTo("END");
		assertThat(completion.path("usage").path("prompt_tokens").asLong()).isEqualTo(22);
		assertThat(completion.path("usage").path("prompt_tokens_details").path("cache_write_tokens").asLong()).isEqualTo(5);
	}

	@Test
	void cacheWritesAreCountedByLifetimeInWholeAnswersAndStreams() {
		String usage = """
				{"input_tokens":50,"cache_read_input_tokens":1000,"cache_creation_input_tokens":500,
				 "cache_creation":{"ephemeral_5m_input_tokens":100,"ephemeral_1h_input_tokens":400},"output_tokens":20}""";
		Usage expected = new Usage(1550, 20, 1000, 500, 400, 0, true);

		LlmExchange whole = exchange("{\"model\":\"claude-test\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
		JsonNode completion = Json.MAPPER.readTree(this.adapter.chatResponse(whole, target(whole), ("""
				{"id":"msg_1","type":"message","role":"assistant","model":"claude-test-2026-01",
				 "content":[{"type":"text","text":"Done"}],"stop_reason":"end_turn","usage":""" + usage + "}").getBytes()));
		assertThat(whole.usage()).isEqualTo(expected);
		assertThat(completion.path("usage").path("prompt_tokens_details").path("cache_write_1h_tokens").asLong())
			.isEqualTo(400);

		// Streamed, the counts arrive in message_start (cache_creation nested) and message_delta.
		LlmExchange streamed = exchange(
				"{\"model\":\"claude-test\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
		StreamTranslator translator = this.adapter.streamTranslator(streamed, target(streamed));
		String start = "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_2\",\"type\":\"message\",\"role\":"
				+ "\"assistant\",\"model\":\"claude-test-2026-01\",\"content\":[],\"usage\":"
				+ usage.replace("\"output_tokens\":20", "\"output_tokens\":1") + "}}";
		translator.onEvent(new SseEvent("message_start", start.getBytes()));
		translator.onEvent(new SseEvent("content_block_start",
				"{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}".getBytes()));
		translator.onEvent(new SseEvent("content_block_delta",
				"{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Done\"}}".getBytes()));
		translator.onEvent(new SseEvent("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}".getBytes()));
		translator.onEvent(new SseEvent("message_delta",
				"{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":20}}".getBytes()));
		translator.onEvent(new SseEvent("message_stop", "{\"type\":\"message_stop\"}".getBytes()));
		translator.onEnd();
		assertThat(streamed.usage()).isEqualTo(expected);
	}

	private static JsonNode delta(SseEvent chunk) {
		return Json.MAPPER.readTree(chunk.data()).path("choices").get(0).path("delta");
	}

	// ---- errors

	@ParameterizedTest(name = "upstream {0} {1} -> client {2} {3}")
	@CsvSource(delimiter = '|', textBlock = """
			400 | error-context.response.json | 400 | invalid_request_error | context_length_exceeded
			400 | error-invalid.response.json | 400 | invalid_request_error |
			401 | error-401.response.json     | 502 | api_error             | upstream_auth_failed
			403 | error-403.response.json     | 502 | api_error             | upstream_auth_failed
			404 | error-404.response.json     | 404 | not_found_error       |
			429 | error-429.response.json     | 429 | rate_limit_error      | rate_limit_exceeded
			500 | error-500.response.json     | 500 | server_error          |
			529 | error-529.response.json     | 503 | server_error          | overloaded
			502 | -                           | 502 | server_error          |
			402 | error-billing.response.json | 502 | api_error             | upstream_billing
			400 | error-credit.response.json  | 502 | api_error             | upstream_billing
			""")
	void errorsMapToTheStatusAndTypeSdksExpect(int upstream, String fixture, int status, String type, String code) {
		HttpHeaders headers = new HttpHeaders();
		headers.set("retry-after", "7");
		byte[] body = "-".equals(fixture) ? "<html>bad gateway</html>".getBytes()
				: Fixtures.bytes("anthropic/" + fixture);
		LlmExchange exchange = exchange("{\"model\":\"claude-test\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

		LlmApiException error = this.adapter.error(target(exchange), upstream, headers, body);

		assertThat(error.status()).isEqualTo(status);
		assertThat(error.type()).isEqualTo(type);
		assertThat(error.code()).isEqualTo(code);
		assertThat(error.getMessage()).doesNotContain(TestCatalogs.PROVIDER_KEY);
		if (status == 429 || status == 503) {
			assertThat(error.retryAfter()).isEqualTo(Duration.ofSeconds(7));
		}
		if ("context_length_exceeded".equals(code)) {
			assertThat(error.getMessage()).isEqualTo("prompt is too long: 208153 tokens > 200000 maximum");
		}
	}

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "error-billing.response.json", "error-credit.response.json" })
	void billingProblemsAreTheOperatorsAndFailOver(String fixture) {
		LlmExchange exchange = exchange("{\"model\":\"claude-test\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
		int status = fixture.contains("billing") ? 402 : 400;
		LlmApiException error = this.adapter.error(target(exchange), status, new HttpHeaders(),
				Fixtures.bytes("anthropic/" + fixture));

		assertThat(error.getMessage()).contains("'anthropic'").contains("gateway operator").doesNotContain("Your");
		assertThat(Failures.classify(error)).isEqualTo(Trigger.PROVIDER_REJECTED);
	}

	@Test
	void billingErrorEventInAStreamIsTheOperatorsToo() {
		LlmExchange exchange = exchange("{\"model\":\"claude-test\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
		StreamTranslator translator = this.adapter.streamTranslator(exchange, target(exchange));
		SseEvent error = new SseEvent("error", """
				{"type":"error","error":{"type":"billing_error","message":"Your credit balance is too low."}}""".getBytes());
		assertThatExceptionOfType(LlmApiException.class).isThrownBy(() -> translator.onEvent(error))
			.satisfies(raised -> assertThat(raised.code()).isEqualTo("upstream_billing"));
	}

	// ---- embeddings

	@Test
	void embeddingsAreRefusedWithTheProviderNamed() {
		LlmExchange exchange = TestCatalogs.exchange(CATALOG, Operation.EMBEDDINGS,
				"{\"model\":\"claude-embed\",\"input\":\"hello\"}");
		assertThatExceptionOfType(LlmApiException.class)
			.isThrownBy(() -> this.adapter.embeddingsRequest(exchange, target(exchange)))
			.satisfies(error -> {
				assertThat(error.status()).isEqualTo(400);
				assertThat(error.param()).isEqualTo("model");
				assertThat(error.getMessage()).isEqualTo("Provider 'anthropic' (anthropic) has no embeddings API; "
						+ "use an embeddings model of another provider.");
			});
		assertThatIllegalStateException()
			.isThrownBy(() -> this.adapter.embeddingsResponse(exchange, target(exchange), new byte[0]));
	}

	// ---- helpers

	private static ProviderSpec anthropic(String name, String apiVersion, Map<String, String> headers,
			UnsupportedParameters policy) {
		return new ProviderSpec(name, ProviderType.ANTHROPIC, URI.create("http://127.0.0.1:1/v1"),
				Secret.of(TestCatalogs.PROVIDER_KEY), headers, Duration.ofSeconds(2), Duration.ofSeconds(5), true,
				apiVersion, 1024, policy);
	}

	private static String unsupported(String model, String json) {
		return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]," + json + "}";
	}

	private static LlmExchange exchange(String body) {
		return TestCatalogs.exchange(CATALOG, Operation.CHAT, body);
	}

	private static RouteTarget target(LlmExchange exchange) {
		return exchange.route().primary();
	}

	private static JsonNode fixture(String name) {
		return Json.MAPPER.readTree(Fixtures.bytes("anthropic/" + name));
	}

	private static List<SseEvent> decode(String fixture) {
		SseDecoder decoder = new SseDecoder();
		List<SseEvent> events = new ArrayList<>(decoder.decode(Fixtures.bytes("anthropic/" + fixture)));
		events.addAll(decoder.finish());
		return events;
	}

	private List<SseEvent> translate(LlmExchange exchange, String fixture) {
		StreamTranslator translator = this.adapter.streamTranslator(exchange, target(exchange));
		List<SseEvent> out = new ArrayList<>();
		decode(fixture).forEach(event -> out.addAll(translator.onEvent(event)));
		out.addAll(translator.onEnd());
		return out;
	}

}
