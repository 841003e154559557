package dev.switchboard.translate.gemini;

import java.math.BigDecimal;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;

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
import dev.switchboard.core.TranslationNotes;
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
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The Gemini adapter against recorded payloads in Gemini's documented formats
 * ({@code fixtures/gemini}), compared as JSON trees. The adapter's clock and id source are fixed
 * so that whole responses, generated ids included, are compared.
 */
class GeminiAdapterTest {

	private static final long CREATED = 1_790_000_000L;

	private static final String IMAGE_URL = "https://images.example.com/cat.png";

	private final ModelCatalog catalog = catalog();

	private final AtomicInteger ids = new AtomicInteger();

	private final GeminiAdapter adapter = new GeminiAdapter(
			Clock.fixed(Instant.ofEpochSecond(CREATED), ZoneOffset.UTC), () -> "id" + this.ids.incrementAndGet());

	// ---- requests

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "chat-multiturn", "generation-config", "tools", "tool-results", "json-object",
			"json-schema", "data-urls" })
	void chatRequestsTranslateToGenerateContent(String fixture) {
		LlmExchange exchange = chat(Fixtures.text("gemini/" + fixture + ".openai-request.json"));
		assertThat(requestBody(exchange)).isEqualTo(fixture("gemini/" + fixture + ".request.json"));
		assertThat(exchange.translation().dropped()).isEmpty();
	}

	@Test
	void imagesAndAudioAreSentInlineIncludingFetchedUrls() {
		LlmExchange exchange = chat(Fixtures.text("gemini/images.openai-request.json"));
		assertThat(this.adapter.inlinesImageUrls()).isTrue();
		exchange.translation().inline(IMAGE_URL, new TranslationNotes.InlineData("image/png", "iVBORw0KGgo="));
		assertThat(requestBody(exchange)).isEqualTo(fixture("gemini/images.request.json"));
	}

	@ParameterizedTest(name = "{1}")
	@CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
			messages[0].content[0].image_url.url | {"type":"image_url","image_url":{"url":"data:;base64,iVBORw0KGgo="}}
			messages[0].content[0].image_url.url | {"type":"image_url","image_url":{"url":"data:;name=cat.png;base64,iVBORw0KGgo="}}
			messages[0].content[0].image_url.url | {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBOR%3D"}}
			messages[0].content[0].image_url.url | {"type":"image_url","image_url":{"url":"data:image/png,raw"}}
			messages[0].content[0].file.file_data | {"type":"file","file":{"file_data":"data:;base64,JVBERi0xLjQK"}}
			messages[0].content[0].file.file_data | {"type":"file","file":{"file_data":"data:application/pdf;base64,JVBERi0xLjQK==="}}
			""")
	void dataUrlsWithoutMediaTypeOrBase64AreRejectedNamingTheParameter(String param, String part) {
		LlmExchange exchange = chat("{\"model\":\"flash\",\"messages\":[{\"role\":\"user\",\"content\":[" + part + "]}]}");
		LlmApiException error = catchThrowableOfType(LlmApiException.class, () -> requestBody(exchange));
		assertThat(error.status()).isEqualTo(400);
		assertThat(error.type()).isEqualTo(LlmApiException.INVALID_REQUEST);
		assertThat(error.param()).isEqualTo(param);
		assertThat(error.getMessage()).startsWith("'" + param + "'");
	}

	@Test
	void anImageUrlTheDispatcherDidNotFetchIsAGatewayBug() {
		LlmExchange exchange = chat(Fixtures.text("gemini/images.openai-request.json"));
		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> requestBody(exchange));
	}

	@ParameterizedTest(name = "tool_choice {0}")
	@CsvSource(delimiter = '|', textBlock = """
			"auto"                                            | {"mode":"AUTO"}
			"none"                                            | {"mode":"NONE"}
			"required"                                        | {"mode":"ANY"}
			{"type":"function","function":{"name":"get_time"}} | {"mode":"ANY","allowedFunctionNames":["get_time"]}
			""")
	void toolChoiceBecomesAFunctionCallingMode(String choice, String config) {
		LlmExchange exchange = chat("""
				{"model":"flash","messages":[{"role":"user","content":"What time is it?"}],
				 "tools":[{"type":"function","function":{"name":"get_time"}}],"tool_choice":%s}""".formatted(choice));
		assertThat(requestBody(exchange).path("toolConfig").path("functionCallingConfig")).isEqualTo(json(config));
	}

	@Test
	void toolResultWithoutAMatchingCallIsRejected() {
		LlmExchange exchange = chat("""
				{"model":"flash","messages":[{"role":"user","content":"hi"},
				 {"role":"tool","tool_call_id":"call_unknown","content":"42"}]}""");
		LlmApiException error = catchThrowableOfType(LlmApiException.class, () -> requestBody(exchange));
		assertThat(error.status()).isEqualTo(400);
		assertThat(error.param()).isEqualTo("messages[1].tool_call_id");
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			logit_bias        | "logit_bias":{"50256":-100}
			logprobs          | "logprobs":true,"top_logprobs":2
			audio             | "audio":{"voice":"alloy","format":"wav"}
			modalities        | "modalities":["text","audio"]
			n                 | "stream":true,"n":2
			tool_choice       | "tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":{"type":"allowed_tools","allowed_tools":{"mode":"auto","tools":[]}}
			reasoning_effort  | "reasoning_effort":"high"
			x_unknown_option  | "x_unknown_option":1
			presence_penalty  | "presence_penalty":0.5
			frequency_penalty | "frequency_penalty":-0.5
			""")
	void unsupportedParametersAreRejectedByDefault(String param, String fields) {
		LlmExchange exchange = chat(
				"{\"model\":\"flash\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]," + fields + "}");
		LlmApiException error = catchThrowableOfType(LlmApiException.class, () -> requestBody(exchange));
		assertThat(error.status()).isEqualTo(400);
		assertThat(error.type()).isEqualTo(LlmApiException.INVALID_REQUEST);
		assertThat(error.param()).isEqualTo(param);
		assertThat(error.getMessage()).contains("'gemini'").contains("unsupported-parameters=drop");
	}

	@Test
	void unsupportedParametersAreDroppedWhenTheProviderSaysSo() {
		LlmExchange exchange = chat("""
				{"model":"lenient","stream":true,"n":3,"logit_bias":{"50256":-100},"logprobs":true,
				 "parallel_tool_calls":false,"temperature":0.2,
				 "tools":[{"type":"function","function":{"name":"get_time"}},{"type":"web_search_preview"}],
				 "messages":[{"role":"user","content":[{"type":"text","text":"hi"},{"type":"file","file":{"file_id":"file-1"}}]}]}""");
		JsonNode sent = requestBody(exchange);
		assertThat(exchange.translation().dropped()).containsExactlyInAnyOrder("n", "logit_bias", "logprobs",
				"parallel_tool_calls", "tools", "messages[0].content[1]");
		assertThat(sent).isEqualTo(json("""
				{"contents":[{"role":"user","parts":[{"text":"hi"}]}],
				 "tools":[{"functionDeclarations":[{"name":"get_time"}]}],
				 "generationConfig":{"temperature":0.2}}"""));
		assertThat(exchange.decisions()).anyMatch(line -> line.contains("gemini-lenient/gemini-2.5-flash"));
	}

	@Test
	void penaltiesAreDroppedWhenTheProviderSaysSoAndZeroIsLeftOut() {
		LlmExchange exchange = chat("""
				{"model":"lenient","presence_penalty":0.6,"frequency_penalty":0,
				 "messages":[{"role":"user","content":"hi"}]}""");
		JsonNode sent = requestBody(exchange);
		assertThat(exchange.translation().dropped()).containsExactly("presence_penalty");
		assertThat(sent.has("generationConfig")).isFalse();
	}

	// ---- values of the wrong type or shape: refused, never copied or replaced by a default

	/**
	 * On the provider that drops what Gemini lacks, so that a refusal here cannot be the parameter
	 * policy's: these values are malformed, not unsupported. The adapter throws before it returns
	 * a request, so nothing is sent.
	 */
	@ParameterizedTest(name = "{0}: {1}")
	@CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
			tools[0].function.parameters       | "tools":[{"type":"function","function":{"name":"f","parameters":"notaschema"}}]
			tools                              | "tools":{"type":"function","function":{"name":"f"}}
			tools[0]                           | "tools":[1]
			tools[0].function                  | "tools":[{"type":"function","function":"f"}]
			tools[0].function.name             | "tools":[{"type":"function","function":{"description":"d"}}]
			tool_choice                        | "tool_choice":"required"
			tool_choice                        | "tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":{"type":"function","function":{"name":"g"}}
			tool_choice.function.name          | "tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":{"type":"function","function":{"name":1}}
			stop                               | "stop":{"sequence":"END"}
			stop[0]                            | "stop":[1]
			seed                               | "seed":1.5
			seed                               | "seed":"42"
			seed                               | "seed":4294967296
			seed                               | "seed":9223372036854775808
			response_format                    | "response_format":"json_object"
			response_format.type               | "response_format":{"type":5}
			response_format.json_schema.schema | "response_format":{"type":"json_schema","json_schema":{"name":"x","schema":"notaschema"}}
			""")
	void valuesThatCannotBeTranslatedFaithfullyAreRejectedNamingThem(String param, String fields) {
		LlmExchange exchange = chat(
				"{\"model\":\"lenient\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]," + fields + "}");
		assertRejected(() -> requestBody(exchange), param);
		assertThat(exchange.translation().dropped()).isEmpty();
	}

	@ParameterizedTest(name = "{0}: {1}")
	@CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
			messages[0].content                           | {"role":"user","content":42}
			messages[0].content[0]                        | {"role":"user","content":["hi"]}
			messages[0].content[0].text                   | {"role":"user","content":[{"type":"text","text":{"value":"hi"}}]}
			messages[0].content[0].input_audio.format     | {"role":"user","content":[{"type":"input_audio","input_audio":{"data":"AAAA"}}]}
			messages[0].content[0].input_audio.data       | {"role":"user","content":[{"type":"input_audio","input_audio":{"format":"mp3"}}]}
			messages[0].content[0].input_audio.data       | {"role":"user","content":[{"type":"input_audio","input_audio":{"format":"mp3","data":""}}]}
			messages[0].content[0].input_audio            | {"role":"user","content":[{"type":"input_audio","input_audio":"AAAA"}]}
			messages[1].tool_calls                        | {"role":"user","content":"hi"},{"role":"assistant","tool_calls":{"id":"c1"}}
			messages[1].tool_calls[0].function.name       | {"role":"user","content":"hi"},{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"arguments":"{}"}}]}
			messages[2].content                           | {"role":"user","content":"hi"},{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c1","content":42}
			messages[1].name                              | {"role":"user","content":"hi"},{"role":"function","content":"42"}
			""")
	void messagesThatCannotBeTranslatedFaithfullyAreRejectedNamingTheValue(String param, String messages) {
		LlmExchange exchange = chat("{\"model\":\"lenient\",\"messages\":[" + messages + "]}");
		assertRejected(() -> requestBody(exchange), param);
		assertThat(exchange.translation().dropped()).isEmpty();
	}

	@ParameterizedTest(name = "tool_choice {0}")
	@ValueSource(strings = { "\"auto\"", "\"none\"" })
	void toolChoiceThatAsksForNothingIsLeftOutWithoutTools(String choice) {
		LlmExchange exchange = chat(
				"{\"model\":\"flash\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tool_choice\":" + choice + "}");
		JsonNode sent = requestBody(exchange);
		assertThat(sent.has("tools")).isFalse();
		assertThat(sent.has("toolConfig")).isFalse();
	}

	@Test
	void seedWithinGeminisRangeIsSentAsIs() {
		LlmExchange exchange = chat("""
				{"model":"flash","messages":[{"role":"user","content":"hi"}],"seed":-2147483648}""");
		assertThat(requestBody(exchange).at("/generationConfig/seed").asLong()).isEqualTo(Integer.MIN_VALUE);
	}

	// ---- path and headers

	@Test
	void keyTravelsInTheGoogleHeaderNeverInTheUrl() {
		LlmExchange exchange = chat("{\"model\":\"flash\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
		UpstreamRequest request = this.adapter.chatRequest(exchange, exchange.route().primary());
		assertThat(request.method()).isEqualTo(HttpMethod.POST);
		assertThat(request.path()).isEqualTo("/models/gemini-2.5-flash:generateContent");
		assertThat(request.headers().getFirst("x-goog-api-key")).isEqualTo(TestCatalogs.PROVIDER_KEY);
		assertThat(request.headers().getFirst(HttpHeaders.AUTHORIZATION)).isNull();
		assertThat(request.headers().getFirst("x-goog-api-client")).isEqualTo("switchboard-test");
		assertThat(request.headers().getFirst(HttpHeaders.ACCEPT)).isEqualTo("application/json");
		assertThat(request.path()).doesNotContain(TestCatalogs.PROVIDER_KEY).doesNotContain("key=");
		assertThat(new String(request.body())).doesNotContain(TestCatalogs.PROVIDER_KEY);
	}

	@Test
	void streamsUseServerSentEvents() {
		LlmExchange exchange = chat(
				"{\"model\":\"flash\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
		UpstreamRequest request = this.adapter.chatRequest(exchange, exchange.route().primary());
		assertThat(request.path()).isEqualTo("/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
		assertThat(request.headers().getFirst(HttpHeaders.ACCEPT)).isEqualTo("text/event-stream");
	}

	@Test
	void anUpstreamModelThatIsAResourceNameIsUsedAsIs() {
		LlmExchange exchange = chat("{\"model\":\"tuned\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
		assertThat(this.adapter.chatRequest(exchange, exchange.route().primary()).path())
			.isEqualTo("/tunedModels/support-bot:generateContent");
	}

	// ---- responses

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			response-text       | 1040 | 60 | 1024 | 52
			response-tools      | 120  | 30 | 0    | 0
			response-candidates | 9    | 16 | 0    | 0
			response-thoughts   | 20   | 40 | 0    | 30
			""")
	void responsesTranslateToChatCompletions(String fixture, long prompt, long completion, long cached, long thoughts) {
		LlmExchange exchange = chat("{\"model\":\"flash\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
		byte[] translated = this.adapter.chatResponse(exchange, exchange.route().primary(),
				Fixtures.bytes("gemini/" + fixture + ".response.json"));
		assertThat(Json.MAPPER.readTree(translated)).isEqualTo(fixture("gemini/" + fixture + ".openai-response.json"));
		assertThat(exchange.usage()).as("thoughts are completion tokens and its reasoning part")
			.isEqualTo(new Usage(prompt, completion, cached, 0, 0, thoughts, true));
	}

	@ParameterizedTest(name = "{0}, function calls {1} -> {2}")
	@CsvSource(delimiter = '|', textBlock = """
			STOP                      | false | stop
			STOP                      | true  | tool_calls
			MAX_TOKENS                | false | length
			MAX_TOKENS                | true  | length
			SAFETY                    | false | content_filter
			RECITATION                | false | content_filter
			BLOCKLIST                 | false | content_filter
			PROHIBITED_CONTENT        | false | content_filter
			SPII                      | false | content_filter
			LANGUAGE                  | false | stop
			OTHER                     | false | stop
			MALFORMED_FUNCTION_CALL   | false | stop
			FINISH_REASON_UNSPECIFIED | true  | tool_calls
			""")
	void finishReasonsMapToOpenAi(String reason, boolean calledFunctions, String expected) {
		assertThat(GeminiChatResponses.finishReason(reason, calledFunctions)).isEqualTo(expected);
	}

	@Test
	void idsOfGeneratedToolCallsDifferBetweenResponses() {
		GeminiAdapter random = new GeminiAdapter();
		LlmExchange exchange = chat("{\"model\":\"flash\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
		RouteTarget target = exchange.route().primary();
		byte[] upstream = Fixtures.bytes("gemini/response-tools.response.json");
		JsonNode first = Json.MAPPER.readTree(random.chatResponse(exchange, target, upstream));
		JsonNode second = Json.MAPPER.readTree(random.chatResponse(exchange, target, upstream));
		String id = first.at("/choices/0/message/tool_calls/0/id").asString();
		assertThat(id).matches("call_[A-Za-z0-9]{24}");
		assertThat(second.at("/choices/0/message/tool_calls/0/id").asString()).isNotEqualTo(id);
		assertThat(first.path("id").asString()).startsWith("chatcmpl-").isNotEqualTo(second.path("id").asString());
	}

	@Test
	void aBlockedPromptIsAContentFilterErrorAndStillBilled() {
		LlmExchange exchange = chat("{\"model\":\"flash\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
		byte[] upstream = """
				{"promptFeedback":{"blockReason":"PROHIBITED_CONTENT"},
				 "usageMetadata":{"promptTokenCount":12,"totalTokenCount":12},"modelVersion":"gemini-2.5-flash"}"""
			.getBytes();
		LlmApiException error = catchThrowableOfType(LlmApiException.class,
				() -> this.adapter.chatResponse(exchange, exchange.route().primary(), upstream));
		assertThat(error.status()).isEqualTo(400);
		assertThat(error.code()).isEqualTo("content_filter");
		assertThat(error.getMessage()).contains("PROHIBITED_CONTENT");
		assertThat(exchange.usage()).isEqualTo(new Usage(12, 0, 0, true));
	}

	@Test
	void aResponseThatIsNotJsonIsABadGateway() {
		LlmExchange exchange = chat("{\"model\":\"flash\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
		LlmApiException error = catchThrowableOfType(LlmApiException.class,
				() -> this.adapter.chatResponse(exchange, exchange.route().primary(), "<html>".getBytes()));
		assertThat(error.status()).isEqualTo(502);
	}

	// ---- streams

	@Test
	void streamedTextKeepsOneIdAndEndsWithTheUsageChunkWhenAsked() {
		LlmExchange exchange = chat("""
				{"model":"flash","stream":true,"stream_options":{"include_usage":true},
				 "messages":[{"role":"user","content":"Why is the sky blue?"}]}""");
		List<SseEvent> out = translate(exchange, "gemini/stream-text.stream.sse");
		assertSameEvents(out, "gemini/stream-text.openai-stream.sse");
		assertThat(exchange.usage()).isEqualTo(new Usage(7, 24, 0, 0, 0, 20, true));
		assertThat(exchange.timing().timeToFirstTokenNanos()).isPositive();
	}

	@Test
	void streamedThoughtSummariesAreReasoningDeltasAndTheFirstToken() {
		LlmExchange exchange = chat("""
				{"model":"flash","stream":true,"stream_options":{"include_usage":true},
				 "messages":[{"role":"user","content":"Why is the sky blue?"}]}""");
		List<SseEvent> out = translate(exchange, "gemini/stream-thoughts.stream.sse");
		assertSameEvents(out, "gemini/stream-thoughts.openai-stream.sse");
		assertThat(exchange.timing().timeToFirstTokenNanos()).isPositive();
	}

	@Test
	void streamedTextWithoutUsageChunkWhenNotAsked() {
		LlmExchange exchange = chat(
				"{\"model\":\"flash\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Why?\"}]}");
		List<SseEvent> out = translate(exchange, "gemini/stream-text.stream.sse");
		List<SseEvent> expected = new ArrayList<>(decode("gemini/stream-text.openai-stream.sse"));
		expected.remove(3);
		assertSameEvents(out, expected);
		assertThat(exchange.usage()).as("usage is recorded even when not sent").isEqualTo(new Usage(7, 24, 0, 0, 0, 20, true));
	}

	@Test
	void streamedFunctionCallsArriveWholeWithIndexesAndFinishAsToolCalls() {
		LlmExchange exchange = chat(
				"{\"model\":\"flash\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Weather?\"}]}");
		List<SseEvent> out = translate(exchange, "gemini/stream-tools.stream.sse");
		assertSameEvents(out, "gemini/stream-tools.openai-stream.sse");
		assertThat(exchange.usage()).isEqualTo(new Usage(50, 12, 0, true));
	}

	@Test
	void anErrorInsideTheStreamIsRaisedAsTheMappedError() {
		LlmExchange exchange = chat(
				"{\"model\":\"flash\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
		StreamTranslator translator = this.adapter.streamTranslator(exchange, exchange.route().primary());
		SseEvent error = SseEvent.data("{\"error\":{\"code\":503,\"message\":\"The model is overloaded.\",\"status\":\"UNAVAILABLE\"}}");
		LlmApiException raised = catchThrowableOfType(LlmApiException.class, () -> translator.onEvent(error));
		assertThat(raised.status()).isEqualTo(503);
		assertThat(raised.type()).isEqualTo(LlmApiException.SERVER_ERROR);
	}

	@Test
	void anErrorInsideTheStreamRecordsTheUsageReportedBeforeIt() {
		LlmExchange exchange = chat(
				"{\"model\":\"flash\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
		StreamTranslator translator = this.adapter.streamTranslator(exchange, exchange.route().primary());
		List<SseEvent> upstream = decode("gemini/stream-truncated.stream.sse");
		upstream.forEach(translator::onEvent);
		SseEvent error = SseEvent.data("{\"error\":{\"code\":500,\"message\":\"Internal error.\",\"status\":\"INTERNAL\"}}");
		assertThat(catchThrowableOfType(LlmApiException.class, () -> translator.onEvent(error)).status()).isEqualTo(500);
		assertThat(exchange.usage()).isEqualTo(new Usage(7, 3, 0, true));
	}

	@Test
	void aBlockedPromptInAStreamIsAContentFilterError() {
		LlmExchange exchange = chat(
				"{\"model\":\"flash\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
		StreamTranslator translator = this.adapter.streamTranslator(exchange, exchange.route().primary());
		SseEvent blocked = SseEvent.data("{\"promptFeedback\":{\"blockReason\":\"SAFETY\"}}");
		LlmApiException raised = catchThrowableOfType(LlmApiException.class, () -> translator.onEvent(blocked));
		assertThat(raised.code()).isEqualTo("content_filter");
		assertThat(exchange.usage()).as("Gemini reported none").isNull();
	}

	@Test
	void aPromptBlockedMidStreamIsAContentFilterErrorAndStillBilled() {
		LlmExchange exchange = chat(
				"{\"model\":\"flash\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
		StreamTranslator translator = this.adapter.streamTranslator(exchange, exchange.route().primary());
		List<SseEvent> upstream = decode("gemini/stream-blocked.stream.sse");
		List<SseEvent> out = new ArrayList<>(translator.onEvent(upstream.get(0)));
		LlmApiException raised = catchThrowableOfType(LlmApiException.class, () -> translator.onEvent(upstream.get(1)));
		assertThat(out).hasSize(1);
		assertThat(raised.status()).isEqualTo(400);
		assertThat(raised.code()).isEqualTo("content_filter");
		assertThat(raised.getMessage()).contains("PROHIBITED_CONTENT");
		assertThat(exchange.usage()).isEqualTo(new Usage(9, 2, 0, true));
	}

	@Test
	void aStreamEndingWithoutFinishReasonIsTruncatedNotDone() {
		LlmExchange exchange = chat(
				"{\"model\":\"flash\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
		StreamTranslator translator = this.adapter.streamTranslator(exchange, exchange.route().primary());
		List<SseEvent> out = new ArrayList<>();
		decode("gemini/stream-truncated.stream.sse").forEach(event -> out.addAll(translator.onEvent(event)));
		LlmApiException raised = catchThrowableOfType(LlmApiException.class, translator::onEnd);

		assertThat(out).hasSize(2).noneMatch(SseEvent::isDone);
		assertThat(raised.status()).isEqualTo(502);
		assertThat(raised.type()).isEqualTo(LlmApiException.API_ERROR);
		assertThat(raised.code()).isEqualTo("upstream_stream_truncated");
		assertThat(raised.getMessage()).contains("'gemini'");
		assertThat(Failures.classify(raised)).as("failed over before the first byte").isEqualTo(Trigger.SERVER_ERROR);
		assertThat(exchange.usage()).as("the last usageMetadata seen").isEqualTo(new Usage(7, 3, 0, true));
	}

	@Test
	void anEmptyStreamIsTruncated() {
		LlmExchange exchange = chat(
				"{\"model\":\"flash\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
		StreamTranslator translator = this.adapter.streamTranslator(exchange, exchange.route().primary());
		LlmApiException raised = catchThrowableOfType(LlmApiException.class, translator::onEnd);
		assertThat(raised.code()).isEqualTo("upstream_stream_truncated");
		assertThat(exchange.usage()).isNull();
	}

	// ---- errors

	@ParameterizedTest(name = "{0} {1} -> {3} {4}/{5}")
	@CsvSource(delimiter = '|', textBlock = """
			400 | error-context | -  | 400 | invalid_request_error | context_length_exceeded | -
			400 | error-invalid | -  | 400 | invalid_request_error |                         | -
			400 | error-key     | -  | 502 | api_error             | upstream_auth_failed    | -
			403 | error-403     | -  | 502 | api_error             | upstream_auth_failed    | -
			404 | error-404     | -  | 404 | invalid_request_error |                         | -
			429 | error-429     | -  | 429 | rate_limit_error      | rate_limit_exceeded     | 37
			429 | error-429     | 7  | 429 | rate_limit_error      | rate_limit_exceeded     | 7
			500 | error-500     | -  | 500 | server_error          |                         | -
			503 | error-503     | 12 | 503 | server_error          | overloaded              | 12
			504 | error-504     | -  | 504 | server_error          |                         | -
			502 | -             | -  | 502 | server_error          |                         | -
			400 | error-location     | - | 502 | api_error      | upstream_billing        | -
			400 | error-billing      | - | 502 | api_error      | upstream_billing        | -
			400 | error-precondition | - | 400 | invalid_request_error |                  | -
			""")
	void errorsMapToTheStatusAndTypeSdksExpect(int upstream, String fixture, String retryAfterHeader, int status,
			String type, String code, String retryAfter) {
		HttpHeaders headers = new HttpHeaders();
		if (!"-".equals(retryAfterHeader)) {
			headers.set(HttpHeaders.RETRY_AFTER, retryAfterHeader);
		}
		byte[] body = "-".equals(fixture) ? "<html>bad gateway</html>".getBytes()
				: Fixtures.bytes("gemini/" + fixture + ".response.json");
		LlmExchange exchange = chat("{\"model\":\"flash\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
		LlmApiException error = this.adapter.error(exchange.route().primary(), upstream, headers, body);
		assertThat(error.status()).isEqualTo(status);
		assertThat(error.type()).isEqualTo(type);
		assertThat(error.code()).isEqualTo(code);
		assertThat(error.getMessage()).doesNotContain(TestCatalogs.PROVIDER_KEY);
		assertThat(error.retryAfter()).isEqualTo("-".equals(retryAfter) ? null : Duration.ofSeconds(Long.parseLong(retryAfter)));
	}

	@Test
	void providerMessagesReachTheClient() {
		LlmExchange exchange = chat("{\"model\":\"flash\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
		LlmApiException error = this.adapter.error(exchange.route().primary(), 400, new HttpHeaders(),
				Fixtures.bytes("gemini/error-context.response.json"));
		assertThat(error.getMessage()).contains("exceeds the maximum number of tokens allowed (1048576)");
	}

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "error-location", "error-billing" })
	void accountProblemsAreTheOperatorsAndFailOver(String fixture) {
		LlmExchange exchange = chat("{\"model\":\"flash\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
		LlmApiException error = this.adapter.error(exchange.route().primary(), 400, new HttpHeaders(),
				Fixtures.bytes("gemini/" + fixture + ".response.json"));
		assertThat(error.getMessage()).contains("'gemini'").contains("gateway operator");
		assertThat(Failures.classify(error)).isEqualTo(Trigger.PROVIDER_REJECTED);

		StreamTranslator translator = this.adapter.streamTranslator(exchange, exchange.route().primary());
		SseEvent inStream = SseEvent.data(Fixtures.bytes("gemini/" + fixture + ".response.json"));
		assertThat(catchThrowableOfType(LlmApiException.class, () -> translator.onEvent(inStream)).code())
			.isEqualTo("upstream_billing");
	}

	// ---- embeddings

	@Test
	void embeddingsGoThroughBatchEmbedContents() {
		LlmExchange exchange = embeddings(Fixtures.text("gemini/embeddings.openai-request.json"));
		UpstreamRequest request = this.adapter.embeddingsRequest(exchange, exchange.route().primary());
		assertThat(request.path()).isEqualTo("/models/gemini-embedding-001:batchEmbedContents");
		assertThat(request.headers().getFirst("x-goog-api-key")).isEqualTo(TestCatalogs.PROVIDER_KEY);
		assertThat(Json.MAPPER.readTree(request.body())).isEqualTo(fixture("gemini/embeddings.request.json"));
	}

	@Test
	void embeddingsResponseIsAnOpenAiListWithEstimatedUsage() {
		LlmExchange exchange = embeddings(Fixtures.text("gemini/embeddings.openai-request.json"));
		byte[] translated = this.adapter.embeddingsResponse(exchange, exchange.route().primary(),
				Fixtures.bytes("gemini/embeddings.response.json"));
		assertThat(Json.MAPPER.readTree(translated)).isEqualTo(fixture("gemini/embeddings.openai-response.json"));
		assertThat(exchange.usage()).as("Gemini reports no tokens: an estimate").isEqualTo(new Usage(11, 0, 0, false));
	}

	@Test
	void base64EmbeddingsAreLittleEndianFloats() {
		LlmExchange exchange = embeddings("{\"model\":\"embed\",\"input\":\"Hello world\",\"encoding_format\":\"base64\"}");
		byte[] translated = this.adapter.embeddingsResponse(exchange, exchange.route().primary(),
				"{\"embeddings\":[{\"values\":[0.25,-0.5,0.125]}]}".getBytes());
		byte[] bytes = Base64.getDecoder().decode(Json.MAPPER.readTree(translated).at("/data/0/embedding").asString());
		ByteBuffer floats = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
		assertThat(List.of(floats.getFloat(), floats.getFloat(), floats.getFloat())).containsExactly(0.25f, -0.5f, 0.125f);
		assertThat(floats.hasRemaining()).isFalse();
	}

	@Test
	void moreInputsThanOneBatchTakesAreRejected() {
		String inputs = IntStream.rangeClosed(1, 101).mapToObj(i -> "\"text " + i + "\"").collect(Collectors.joining(","));
		LlmExchange exchange = embeddings("{\"model\":\"embed\",\"input\":[" + inputs + "]}");
		LlmApiException error = catchThrowableOfType(LlmApiException.class,
				() -> this.adapter.embeddingsRequest(exchange, exchange.route().primary()));
		assertThat(error.status()).isEqualTo(400);
		assertThat(error.type()).isEqualTo(LlmApiException.INVALID_REQUEST);
		assertThat(error.param()).isEqualTo("input");
		assertThat(error.getMessage()).contains("at most 100 inputs").contains("batchEmbedContents").contains("has 101");
	}

	@Test
	void oneHundredInputsGoInOneBatch() {
		String inputs = IntStream.rangeClosed(1, 100).mapToObj(i -> "\"text " + i + "\"").collect(Collectors.joining(","));
		LlmExchange exchange = embeddings("{\"model\":\"embed\",\"input\":[" + inputs + "]}");
		JsonNode sent = Json.MAPPER.readTree(this.adapter.embeddingsRequest(exchange, exchange.route().primary()).body());
		assertThat(sent.path("requests")).hasSize(100);
	}

	@ParameterizedTest(name = "input {0}")
	@ValueSource(strings = { "[[15339,1917]]", "[15339,1917]", "[\"text\",[15339]]" })
	void tokenArrayInputsAreRejected(String input) {
		LlmExchange exchange = embeddings("{\"model\":\"embed\",\"input\":" + input + "}");
		LlmApiException error = catchThrowableOfType(LlmApiException.class,
				() -> this.adapter.embeddingsRequest(exchange, exchange.route().primary()));
		assertThat(error.status()).isEqualTo(400);
		assertThat(error.param()).isEqualTo("input");
		assertThat(error.getMessage()).contains("Gemini needs text input");
	}

	// ---- helpers

	private static void assertRejected(ThrowingCallable call, String param) {
		LlmApiException error = catchThrowableOfType(LlmApiException.class, call);
		assertThat(error).as("a 400 naming %s", param).isNotNull();
		assertThat(error.status()).isEqualTo(400);
		assertThat(error.type()).isEqualTo(LlmApiException.INVALID_REQUEST);
		assertThat(error.param()).isEqualTo(param);
		assertThat(error.getMessage()).startsWith("'" + param + "'");
	}

	/** Two Gemini providers, rejecting and dropping unsupported parameters, with chat, tuned and embedding models. */
	private static ModelCatalog catalog() {
		return new ModelCatalog(
				List.of(gemini("gemini", UnsupportedParameters.REJECT), gemini("gemini-lenient", UnsupportedParameters.DROP)),
				List.of(model("gemini-flash", "gemini", "gemini-2.5-flash", "flash", Capability.CHAT),
						model("gemini-flash-lenient", "gemini-lenient", "gemini-2.5-flash", "lenient", Capability.CHAT),
						model("support-bot", "gemini", "tunedModels/support-bot", "tuned", Capability.CHAT),
						model("gemini-embedding", "gemini", "gemini-embedding-001", "embed", Capability.EMBEDDINGS)));
	}

	private static ProviderSpec gemini(String name, UnsupportedParameters policy) {
		return new ProviderSpec(name, ProviderType.GEMINI, URI.create("https://generativelanguage.googleapis.com/v1beta"),
				Secret.of(TestCatalogs.PROVIDER_KEY), Map.of("x-goog-api-client", "switchboard-test"),
				Duration.ofSeconds(2), Duration.ofSeconds(5), true, null, ProviderSpec.DEFAULT_MAX_TOKENS, policy);
	}

	private static ModelSpec model(String id, String provider, String upstream, String alias, Capability capability) {
		return new ModelSpec(id, provider, upstream, List.of(alias), new BigDecimal("0.30"), new BigDecimal("2.50"), null,
				1_048_576, Set.of(capability));
	}

	private LlmExchange chat(String body) {
		return TestCatalogs.exchange(this.catalog, Operation.CHAT, body);
	}

	private LlmExchange embeddings(String body) {
		return TestCatalogs.exchange(this.catalog, Operation.EMBEDDINGS, body);
	}

	private JsonNode requestBody(LlmExchange exchange) {
		return Json.MAPPER.readTree(this.adapter.chatRequest(exchange, exchange.route().primary()).body());
	}

	private static JsonNode fixture(String path) {
		return Json.MAPPER.readTree(Fixtures.bytes(path));
	}

	private static JsonNode json(String text) {
		return Json.MAPPER.readTree(text);
	}

	private List<SseEvent> translate(LlmExchange exchange, String fixture) {
		StreamTranslator translator = this.adapter.streamTranslator(exchange, exchange.route().primary());
		List<SseEvent> out = new ArrayList<>();
		decode(fixture).forEach(event -> out.addAll(translator.onEvent(event)));
		out.addAll(translator.onEnd());
		return out;
	}

	private static List<SseEvent> decode(String fixture) {
		SseDecoder decoder = new SseDecoder();
		List<SseEvent> events = new ArrayList<>(decoder.decode(Fixtures.bytes(fixture)));
		events.addAll(decoder.finish());
		return events;
	}

	private static void assertSameEvents(List<SseEvent> actual, String expectedFixture) {
		assertSameEvents(actual, decode(expectedFixture));
	}

	/** Same events in the same order, chunks compared as JSON trees, {@code [DONE]} last. */
	private static void assertSameEvents(List<SseEvent> actual, List<SseEvent> expected) {
		assertThat(actual).hasSameSizeAs(expected);
		for (int i = 0; i < expected.size(); i++) {
			SseEvent want = expected.get(i);
			SseEvent got = actual.get(i);
			if (want.isDone()) {
				assertThat(got.isDone()).as("event %d is [DONE]", i).isTrue();
			}
			else {
				assertThat(Json.MAPPER.readTree(got.data())).as("event %d", i).isEqualTo(Json.MAPPER.readTree(want.data()));
			}
		}
		assertThat(actual.get(actual.size() - 1).isDone()).isTrue();
	}

}
