package dev.switchboard.mock;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.JsonNode;

import dev.switchboard.core.Json;
import dev.switchboard.sse.SseDecoder;
import dev.switchboard.sse.SseEvent;

import static org.assertj.core.api.Assertions.assertThat;

class MockLlmServerTest {

	private static final String CHAT = """
			{"model":"story","messages":[{"role":"user","content":"Tell me"}]%s}""";

	private static final String MESSAGES = """
			{"model":"story","max_tokens":%d,"messages":[{"role":"user","content":[{"type":"text","text":"Tell me"}]}]%s}""";

	@Test
	void answersInTheOpenAiFormatWithRealisticUsage() {
		try (MockLlmServer mock = MockLlmServer.start(MockBehavior.instant())) {
			Response response = post(mock, "/chat/completions", CHAT.formatted(""));
			assertThat(response.status).isEqualTo(200);
			JsonNode body = Json.MAPPER.readTree(response.body);
			assertThat(body.path("object").asString()).isEqualTo("chat.completion");
			assertThat(body.path("choices").get(0).path("message").path("content").asString().split(" ")).hasSize(16);
			assertThat(body.path("usage").path("completion_tokens").asInt()).isEqualTo(16);
			assertThat(body.path("usage").path("prompt_tokens").asInt()).isPositive();
		}
	}

	@Test
	void echoModelsAnswerTheLastUserMessageAndMaxTokensCutsWithLength() {
		try (MockLlmServer mock = MockLlmServer.start(MockBehavior.instant())) {
			JsonNode body = Json.MAPPER.readTree(post(mock, "/chat/completions",
					"{\"model\":\"echo-1\",\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"one two three\"}]}")
				.body);
			assertThat(body.path("choices").get(0).path("message").path("content").asString()).isEqualTo("one two ");
			assertThat(body.path("choices").get(0).path("finish_reason").asString()).isEqualTo("length");
		}
	}

	@Test
	void streamsChunkByChunkAtTheConfiguredPaceWithUsageWhenAsked() {
		MockBehavior behavior = MockBehavior.instant().withStreaming(50, 5);
		try (MockLlmServer mock = MockLlmServer.start(behavior)) {
			long start = System.nanoTime();
			List<Long> arrivals = new java.util.concurrent.CopyOnWriteArrayList<>();
			SseDecoder decoder = new SseDecoder();
			List<SseEvent> events = HttpClient.create()
				.headers(h -> h.set("content-type", "application/json"))
				.post()
				.uri(mock.baseUrl() + "/chat/completions")
				.send((request, out) -> out.sendString(Mono.just(CHAT.formatted(
						",\"stream\":true,\"stream_options\":{\"include_usage\":true}"))))
				.responseContent()
				.asByteArray()
				.concatMapIterable(bytes -> {
					arrivals.add(System.nanoTime() - start);
					return decoder.decode(bytes);
				})
				.collectList()
				.block(Duration.ofSeconds(10));

			assertThat(events).hasSize(1 + 5 + 1 + 1 + 1);
			assertThat(events.get(events.size() - 1).isDone()).isTrue();
			JsonNode usage = Json.MAPPER.readTree(events.get(events.size() - 2).data()).path("usage");
			assertThat(usage.path("completion_tokens").asInt()).isEqualTo(5);
			// 5 tokens at 50/s take ~100 ms; chunks arrive spread over that time, not in one burst.
			assertThat(arrivals.size()).isGreaterThanOrEqualTo(5);
			assertThat(arrivals.get(arrivals.size() - 1) - arrivals.get(0)).isGreaterThan(Duration.ofMillis(60).toNanos());
		}
	}

	@Test
	void injectsTheConfiguredFailureWithRetryAfter() {
		MockBehavior behavior = MockBehavior.instant().withFaults(Map.of(429, 1.0), 0);
		try (MockLlmServer mock = MockLlmServer.start(behavior)) {
			Response response = post(mock, "/chat/completions", CHAT.formatted(""));
			assertThat(response.status).isEqualTo(429);
			assertThat(response.retryAfter).isEqualTo("1");
			assertThat(Json.MAPPER.readTree(response.body).path("error").path("type").asString())
				.isEqualTo("rate_limit_error");
		}
	}

	@Test
	void hangsWhenAskedToSoClientsTimeOut() {
		MockBehavior behavior = MockBehavior.instant().withFaults(Map.of(), 1.0);
		try (MockLlmServer mock = MockLlmServer.start(behavior)) {
			Mono<Response> call = Mono.fromCallable(() -> post(mock, "/chat/completions", CHAT.formatted("")));
			assertThat(call.subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic())
				.map(r -> "answered")
				.timeout(Duration.ofMillis(300), Mono.just("hung"))
				.block()).isEqualTo("hung");
		}
	}

	@Test
	void embeddingsAreDeterministicUnitVectors() {
		try (MockLlmServer mock = MockLlmServer.start(MockBehavior.instant())) {
			String body = "{\"model\":\"e\",\"input\":[\"a\",\"b\",\"a\"],\"dimensions\":8}";
			JsonNode data = Json.MAPPER.readTree(post(mock, "/embeddings", body).body).path("data");
			assertThat(data.size()).isEqualTo(3);
			assertThat(data.get(0).path("embedding")).isEqualTo(data.get(2).path("embedding"));
			assertThat(data.get(0).path("embedding")).isNotEqualTo(data.get(1).path("embedding"));
			double norm = 0;
			for (JsonNode value : data.get(0).path("embedding")) {
				norm += value.asDouble() * value.asDouble();
			}
			assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
		}
	}

	@Test
	void answersMessagesInAnthropicsFormatWithTheSameTextAndUsage() {
		try (MockLlmServer mock = MockLlmServer.start(MockBehavior.instant())) {
			JsonNode openai = Json.MAPPER.readTree(post(mock, "/chat/completions", CHAT.formatted("")).body);
			Response response = post(mock, "/messages", MESSAGES.formatted(100, ""));
			assertThat(response.status).isEqualTo(200);
			JsonNode message = Json.MAPPER.readTree(response.body);
			assertThat(message.path("type").asString()).isEqualTo("message");
			assertThat(message.path("id").asString()).startsWith("msg_");
			assertThat(message.path("role").asString()).isEqualTo("assistant");
			assertThat(message.path("content").get(0).path("type").asString()).isEqualTo("text");
			assertThat(message.path("content").get(0).path("text").asString())
				.isEqualTo(openai.path("choices").get(0).path("message").path("content").asString());
			assertThat(message.path("stop_reason").asString()).isEqualTo("end_turn");
			assertThat(message.path("usage").path("input_tokens").asLong())
				.isEqualTo(openai.path("usage").path("prompt_tokens").asLong());
			assertThat(message.path("usage").path("output_tokens").asInt()).isEqualTo(16);
			assertThat(mock.messagesRequests()).isEqualTo(1);

			JsonNode cut = Json.MAPPER.readTree(post(mock, "/messages", MESSAGES.formatted(3, "")).body);
			assertThat(cut.path("stop_reason").asString()).isEqualTo("max_tokens");
			assertThat(cut.path("usage").path("output_tokens").asInt()).isEqualTo(3);
		}
	}

	@Test
	void streamsMessagesAsAnthropicsEventSequence() {
		try (MockLlmServer mock = MockLlmServer.start(MockBehavior.instant().withStreaming(0, 4))) {
			SseDecoder decoder = new SseDecoder();
			List<SseEvent> events = HttpClient.create()
				.headers(h -> h.set("content-type", "application/json"))
				.post()
				.uri(mock.baseUrl() + "/messages")
				.send((request, out) -> out.sendString(Mono.just(MESSAGES.formatted(100, ",\"stream\":true"))))
				.responseContent()
				.asByteArray()
				.concatMapIterable(decoder::decode)
				.collectList()
				.block(Duration.ofSeconds(10));

			assertThat(events).extracting(SseEvent::event)
				.containsExactly("message_start", "content_block_start", "ping", "content_block_delta",
						"content_block_delta", "content_block_delta", "content_block_delta", "content_block_stop",
						"message_delta", "message_stop");
			for (SseEvent event : events) {
				assertThat(Json.MAPPER.readTree(event.data()).path("type").asString()).isEqualTo(event.event());
			}
			JsonNode start = Json.MAPPER.readTree(events.get(0).data()).path("message");
			assertThat(start.path("usage").path("input_tokens").asLong()).isPositive();
			StringBuilder text = new StringBuilder();
			events.stream()
				.filter(e -> "content_block_delta".equals(e.event()))
				.forEach(e -> text.append(Json.MAPPER.readTree(e.data()).path("delta").path("text").asString()));
			assertThat(text.toString().split(" ")).hasSize(4);
			JsonNode delta = Json.MAPPER.readTree(events.get(8).data());
			assertThat(delta.path("delta").path("stop_reason").asString()).isEqualTo("end_turn");
			assertThat(delta.path("usage").path("output_tokens").asInt()).isEqualTo(4);
		}
	}

	@Test
	void messagesErrorsAreAnthropicErrorObjects() {
		try (MockLlmServer mock = MockLlmServer.start(MockBehavior.instant().withFaults(Map.of(529, 1.0), 0))) {
			Response overloaded = post(mock, "/messages", MESSAGES.formatted(100, ""));
			assertThat(overloaded.status).isEqualTo(529);
			JsonNode body = Json.MAPPER.readTree(overloaded.body);
			assertThat(body.path("type").asString()).isEqualTo("error");
			assertThat(body.path("error").path("type").asString()).isEqualTo("overloaded_error");

			Response noMaxTokens = post(mock, "/messages", CHAT.formatted(""));
			assertThat(noMaxTokens.status).isEqualTo(400);
			assertThat(Json.MAPPER.readTree(noMaxTokens.body).path("error").path("type").asString())
				.isEqualTo("invalid_request_error");
		}
	}

	private static final String WEATHER_TOOL = """
			"tools":[{"type":"function","function":{"name":"get_weather","description":"Current weather",
			 "parameters":{"type":"object","properties":{"location":{"type":"string"},
			 "unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["location","unit"],
			 "additionalProperties":false}}}]""";

	private static String weather(String extra) {
		return "{\"model\":\"story\",\"messages\":[{\"role\":\"user\",\"content\":\"What is the weather in Paris?\"}],"
				+ WEATHER_TOOL + extra + "}";
	}

	@Test
	void callsTheToolThePromptAsksForWithArgumentsValidAgainstItsSchema() {
		try (MockLlmServer mock = MockLlmServer.start(MockBehavior.instant())) {
			JsonNode choice = Json.MAPPER.readTree(post(mock, "/chat/completions", weather("")).body)
				.path("choices").get(0);
			assertThat(choice.path("finish_reason").asString()).isEqualTo("tool_calls");
			assertThat(choice.path("message").path("content").isNull()).isTrue();
			JsonNode call = choice.path("message").path("tool_calls").get(0);
			assertThat(call.path("id").asString()).startsWith("call_");
			assertThat(call.path("type").asString()).isEqualTo("function");
			assertThat(call.path("function").path("name").asString()).isEqualTo("get_weather");
			JsonNode arguments = Json.MAPPER.readTree(call.path("function").path("arguments").asString());
			assertThat(arguments.path("location").asString()).isEqualTo("Paris");
			assertThat(arguments.path("unit").asString()).isEqualTo("celsius");
		}
	}

	@Test
	void toolChoiceDecides() {
		try (MockLlmServer mock = MockLlmServer.start(MockBehavior.instant())) {
			JsonNode none = Json.MAPPER.readTree(post(mock, "/chat/completions", weather(",\"tool_choice\":\"none\"")).body);
			assertThat(none.path("choices").get(0).path("finish_reason").asString()).isEqualTo("stop");
			assertThat(none.path("choices").get(0).path("message").has("tool_calls")).isFalse();

			String unrelated = CHAT.formatted("," + WEATHER_TOOL);
			JsonNode auto = Json.MAPPER.readTree(post(mock, "/chat/completions", unrelated).body);
			assertThat(auto.path("choices").get(0).path("finish_reason").asString()).as("auto, no mention").isEqualTo("stop");

			JsonNode required = Json.MAPPER.readTree(post(mock, "/chat/completions",
					CHAT.formatted("," + WEATHER_TOOL + ",\"tool_choice\":\"required\"")).body);
			assertThat(required.path("choices").get(0).path("finish_reason").asString()).isEqualTo("tool_calls");

			JsonNode named = Json.MAPPER.readTree(post(mock, "/chat/completions", CHAT.formatted("," + WEATHER_TOOL
					+ ",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}")).body);
			assertThat(named.path("choices").get(0).path("message").path("tool_calls").get(0).path("function")
				.path("name").asString()).isEqualTo("get_weather");
		}
	}

	@Test
	void answersAToolResultWithIt() {
		String body = "{\"model\":\"story\",\"messages\":[{\"role\":\"user\",\"content\":\"What is the weather in Paris?\"},"
				+ "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\","
				+ "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{}\"}}]},"
				+ "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"18 degrees and sunny\"}]," + WEATHER_TOOL + "}";
		try (MockLlmServer mock = MockLlmServer.start(MockBehavior.instant())) {
			JsonNode choice = Json.MAPPER.readTree(post(mock, "/chat/completions", body).body).path("choices").get(0);
			assertThat(choice.path("finish_reason").asString()).isEqualTo("stop");
			assertThat(choice.path("message").path("content").asString()).contains("18 degrees and sunny");
		}
	}

	@Test
	void streamsAToolCallsArgumentsInPieces() {
		try (MockLlmServer mock = MockLlmServer.start(MockBehavior.instant())) {
			SseDecoder decoder = new SseDecoder();
			List<SseEvent> events = new java.util.ArrayList<>(
					decoder.decode(post(mock, "/chat/completions", weather(",\"stream\":true")).body));
			events.addAll(decoder.finish());
			StringBuilder arguments = new StringBuilder();
			String name = null;
			String finish = null;
			int pieces = 0;
			for (SseEvent event : events) {
				if (event.isDone()) {
					continue;
				}
				JsonNode choice = Json.MAPPER.readTree(event.data()).path("choices").get(0);
				JsonNode call = choice.path("delta").path("tool_calls").path(0);
				if (call.path("function").has("name")) {
					name = call.path("function").path("name").asString();
				}
				if (!call.path("function").path("arguments").asString("").isEmpty()) {
					arguments.append(call.path("function").path("arguments").asString());
					pieces++;
				}
				if (choice.path("finish_reason").isString()) {
					finish = choice.path("finish_reason").asString();
				}
			}
			assertThat(name).isEqualTo("get_weather");
			assertThat(pieces).isGreaterThan(1);
			assertThat(Json.MAPPER.readTree(arguments.toString()).path("location").asString()).isEqualTo("Paris");
			assertThat(finish).isEqualTo("tool_calls");
		}
	}

	@Test
	void structuredOutputIsValidAgainstTheSchema() {
		String format = """
				,"response_format":{"type":"json_schema","json_schema":{"name":"city","strict":true,"schema":{
				 "type":"object","properties":{"city":{"type":"string"},"population":{"type":"integer","minimum":1000},
				 "tags":{"type":"array","items":{"$ref":"#/$defs/tag"},"minItems":2},"capital":{"type":["boolean","null"]},
				 "founded":{"type":"string","format":"date"}},
				 "required":["city","population","tags","capital","founded"],"additionalProperties":false,
				 "$defs":{"tag":{"type":"object","properties":{"name":{"type":"string","enum":["old","big"]}},"required":["name"]}}}}}""";
		try (MockLlmServer mock = MockLlmServer.start(MockBehavior.instant())) {
			JsonNode choice = Json.MAPPER.readTree(post(mock, "/chat/completions", CHAT.formatted(format)).body)
				.path("choices").get(0);
			JsonNode answer = Json.MAPPER.readTree(choice.path("message").path("content").asString());
			assertThat(answer.path("city").isString()).isTrue();
			assertThat(answer.path("population").asLong()).isGreaterThanOrEqualTo(1000);
			assertThat(answer.path("tags")).hasSize(2);
			assertThat(answer.path("tags").get(0).path("name").asString()).isEqualTo("old");
			assertThat(answer.path("capital").isBoolean()).isTrue();
			assertThat(answer.path("founded").asString()).matches("\\d{4}-\\d{2}-\\d{2}");

			JsonNode object = Json.MAPPER.readTree(post(mock, "/chat/completions",
					CHAT.formatted(",\"response_format\":{\"type\":\"json_object\"}")).body);
			assertThat(Json.MAPPER.readTree(object.path("choices").get(0).path("message").path("content").asString())
				.isObject()).isTrue();
		}
	}

	@Test
	void hostileSchemasEndInAnObjectAndDoNotBlowUp() {
		JsonNode explosive = Json.MAPPER.readTree(
				"{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"array\",\"minItems\":8,\"items\":{\"$ref\":\"#\"}},"
						+ "\"b\":{\"$ref\":\"#Anchor\"},\"c\":{\"type\":\"string\",\"minLength\":2000000000,\"maxLength\":-1}}}");
		JsonNode value = SchemaExample.of(explosive, "hi");
		assertThat(value.isObject()).isTrue();
		assertThat(value.toString().length()).isLessThan(1_000_000);
		assertThat(SchemaExample.of(Json.MAPPER.readTree("{}"), "What is the weather in Paris?").isObject()).isTrue();
	}

	@Test
	void base64EmbeddingsAreLittleEndianFloat32OfTheSameVector() {
		try (MockLlmServer mock = MockLlmServer.start(MockBehavior.instant())) {
			JsonNode floats = Json.MAPPER.readTree(post(mock, "/embeddings",
					"{\"model\":\"e\",\"input\":\"hello\",\"dimensions\":8}").body).path("data").get(0).path("embedding");
			String encoded = Json.MAPPER.readTree(post(mock, "/embeddings",
					"{\"model\":\"e\",\"input\":\"hello\",\"dimensions\":8,\"encoding_format\":\"base64\"}").body)
				.path("data").get(0).path("embedding").asString();
			java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(java.util.Base64.getDecoder().decode(encoded))
				.order(java.nio.ByteOrder.LITTLE_ENDIAN);
			assertThat(bytes.remaining()).isEqualTo(8 * 4);
			for (int i = 0; i < 8; i++) {
				assertThat((double) bytes.getFloat()).isCloseTo(floats.get(i).asDouble(), org.assertj.core.api.Assertions.within(1e-6));
			}
		}
	}

	@Test
	void nChoicesAndReasoningTokensAreInUsage() {
		try (MockLlmServer mock = MockLlmServer.start(MockBehavior.instant())) {
			JsonNode three = Json.MAPPER.readTree(post(mock, "/chat/completions", CHAT.formatted(",\"n\":3")).body);
			assertThat(three.path("choices")).hasSize(3);
			assertThat(three.path("choices").get(2).path("index").asInt()).isEqualTo(2);
			assertThat(three.path("usage").path("completion_tokens").asInt()).isEqualTo(3 * 16);

			String reasoning = "{\"model\":\"o4-mini\",\"reasoning_effort\":\"high\",\"messages\":[{\"role\":\"user\",\"content\":\"Tell me\"}]}";
			JsonNode usage = Json.MAPPER.readTree(post(mock, "/chat/completions", reasoning).body).path("usage");
			long hidden = usage.path("completion_tokens_details").path("reasoning_tokens").asLong();
			assertThat(hidden).isEqualTo(4 * 16);
			assertThat(usage.path("completion_tokens").asLong()).isEqualTo(16 + hidden);
			JsonNode plain = Json.MAPPER.readTree(post(mock, "/chat/completions", CHAT.formatted("")).body).path("usage");
			assertThat(plain.path("completion_tokens_details").path("reasoning_tokens").asLong()).isZero();
		}
	}

	@Test
	void anthropicToolsAreToolUseBlocks() {
		String body = "{\"model\":\"story\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"What is the weather in Paris?\"}],"
				+ "\"tools\":[{\"name\":\"get_weather\",\"input_schema\":{\"type\":\"object\",\"properties\":{\"location\":{\"type\":\"string\"}}}}]}";
		try (MockLlmServer mock = MockLlmServer.start(MockBehavior.instant())) {
			JsonNode message = Json.MAPPER.readTree(post(mock, "/messages", body).body);
			assertThat(message.path("stop_reason").asString()).isEqualTo("tool_use");
			JsonNode block = message.path("content").get(0);
			assertThat(block.path("type").asString()).isEqualTo("tool_use");
			assertThat(block.path("id").asString()).startsWith("toolu_");
			assertThat(block.path("input").path("location").asString()).isEqualTo("Paris");
		}
	}

	private record Response(int status, String retryAfter, byte[] body) {
	}

	private static Response post(MockLlmServer mock, String path, String body) {
		return HttpClient.create()
			.headers(h -> h.set("content-type", "application/json"))
			.post()
			.uri(mock.baseUrl() + path)
			.send((request, out) -> out.sendString(Mono.just(body)))
			.responseSingle((response, content) -> content.asByteArray()
				.map(bytes -> new Response(response.status().code(), response.responseHeaders().get("retry-after"),
						bytes)))
			.block(Duration.ofSeconds(10));
	}

}
