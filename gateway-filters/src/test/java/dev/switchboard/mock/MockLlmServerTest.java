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
