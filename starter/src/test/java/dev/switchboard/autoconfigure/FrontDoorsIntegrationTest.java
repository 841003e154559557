package dev.switchboard.autoconfigure;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.UnauthorizedException;
import com.anthropic.errors.BadRequestException;
import com.anthropic.errors.NotFoundException;
import com.anthropic.errors.RateLimitException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlock;
import com.anthropic.models.models.ModelInfo;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.responses.EasyInputMessage;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseStatus;
import com.openai.models.responses.ResponseStreamEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.switchboard.core.Json;
import dev.switchboard.sse.SseDecoder;
import dev.switchboard.sse.SseEvent;
import dev.switchboard.testing.Fixtures;
import dev.switchboard.testing.StubUpstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The front doors besides chat completions, each with its unmodified official SDK as the client,
 * over every provider type: Anthropic's Messages API (to an {@code anthropic} provider the client's
 * request goes as written; to the others it is translated) and OpenAI's Responses API (translated
 * to every provider); the answer comes back in the door's shape, whole or as the door's event
 * stream. Each provider is a loopback server answering in its documented format.
 */
@SpringBootTest(classes = GatewayTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("front-doors-it")
class FrontDoorsIntegrationTest {

	private static final String KEY = "door-key";

	@LocalServerPort
	int port;

	/** OpenAI's own Responses API, which the Responses door asks natively. */
	static final StubUpstream NATIVE = new StubUpstream();

	@DynamicPropertySource
	static void providers(DynamicPropertyRegistry registry) {
		for (E2eProvider provider : E2eProvider.values()) {
			registry.add("switchboard.providers." + provider.providerName() + ".base-url", provider::baseUrl);
		}
		registry.add("switchboard.providers.openai-native.base-url", () -> "http://127.0.0.1:" + NATIVE.port() + "/v1");
	}

	@AfterAll
	static void stopStubs() {
		// The providers' stubs are shared with the other end-to-end tests (E2eProvider).
		NATIVE.close();
	}

	private AnthropicClient anthropic() {
		return AnthropicOkHttpClient.builder()
			.baseUrl("http://127.0.0.1:" + FrontDoorsIntegrationTest.this.port)
			.apiKey(KEY)
			.maxRetries(0)
			.timeout(Duration.ofSeconds(10))
			.build();
	}

	private OpenAIClient openai() {
		return OpenAIOkHttpClient.builder()
			.baseUrl("http://127.0.0.1:" + this.port + "/v1")
			.apiKey(KEY)
			.maxRetries(0)
			.timeout(Duration.ofSeconds(10))
			.build();
	}

	private static MessageCreateParams.Builder question(E2eProvider provider) {
		return MessageCreateParams.builder()
			.model(provider.chatModel)
			.maxTokens(256)
			.system("Answer in one sentence.")
			.addUserMessage("What is the capital of France?");
	}

	/** Anthropic's Messages API, with the official Anthropic Java SDK. */
	@Nested
	class AnthropicMessages {

		// ---- every provider, through the SDK

		@ParameterizedTest
		@EnumSource(E2eProvider.class)
		void answersAsAMessage(E2eProvider provider) {
			provider.answerJson("chat.json");
			Message message = anthropic().messages().create(question(provider).build());

			assertThat(message.id()).startsWith("msg_");
			assertThat(message.content()).singleElement()
				.satisfies(block -> assertThat(block.asText().text()).isEqualTo("Paris is the capital of France."));
			assertThat(message.stopReason()).contains(StopReason.END_TURN);
			assertThat(message.usage().inputTokens()).isEqualTo(12);
			assertThat(message.usage().outputTokens()).isEqualTo(7);

			StubUpstream.Received upstream = provider.stub.lastRequest();
			assertThat(upstream.path()).startsWith(provider.chatPath);
			assertThat(upstream.body()).contains("What is the capital of France?").contains("Answer in one sentence.");
			assertThat(upstream.headers().toString()).as("the team's key never reaches a provider").doesNotContain(KEY);
			if (provider.isNative()) {
				assertThat(upstream.headers().get("x-api-key")).isEqualTo("anthropic-provider-key");
				assertThat(upstream.headers().get("anthropic-version")).as("the SDK's own").isNotBlank();
				assertThat(Json.MAPPER.readTree(upstream.body()).path("model").asString()).isEqualTo("claude-test");
			}
		}

		@ParameterizedTest
		@EnumSource(E2eProvider.class)
		void streamsAsAnthropicEvents(E2eProvider provider) {
			provider.answerStream("stream.sse");
			MessageAccumulator accumulator = MessageAccumulator.create();
			List<String> types;
			try (StreamResponse<RawMessageStreamEvent> stream = anthropic().messages()
				.createStreaming(question(provider).build())) {
				types = stream.stream().map(accumulator::accumulate).map(FrontDoorsIntegrationTest::type).toList();
			}
			Message message = accumulator.message();
			assertThat(message.content()).singleElement()
				.satisfies(block -> assertThat(block.asText().text()).isEqualTo("Paris is the capital of France."));
			assertThat(message.stopReason()).contains(StopReason.END_TURN);
			assertThat(message.usage().outputTokens()).isEqualTo(7);
			assertThat(types.get(0)).isEqualTo("message_start");
			assertThat(types.get(types.size() - 1)).isEqualTo("message_stop");
			assertThat(types).contains("content_block_start", "content_block_delta", "content_block_stop", "message_delta");
			assertThat(provider.stub.lastRequest().path()).startsWith(provider.streamPath);
		}

		/**
		 * Prompt-cache reads (and Anthropic's writes) reach the Anthropic SDK from every provider
		 * in Anthropic's terms: {@code input_tokens} without the cached parts, each part apart.
		 */
		@ParameterizedTest
		@EnumSource(E2eProvider.class)
		void streamedCacheTokensReachTheSdkInAnthropicsTerms(E2eProvider provider) {
			provider.answerStream("stream-cached.sse");
			MessageAccumulator accumulator = MessageAccumulator.create();
			try (StreamResponse<RawMessageStreamEvent> stream = anthropic().messages()
				.createStreaming(question(provider).build())) {
				stream.stream().forEach(accumulator::accumulate);
			}
			com.anthropic.models.messages.Usage usage = accumulator.message().usage();
			boolean anthropic = provider == E2eProvider.ANTHROPIC;
			assertThat(usage.inputTokens()).isEqualTo(anthropic ? 100 : 200);
			assertThat(usage.cacheReadInputTokens()).contains(1000L);
			assertThat(usage.cacheCreationInputTokens().orElse(0L)).isEqualTo(anthropic ? 100 : 0);
			assertThat(usage.outputTokens()).isEqualTo(50);
		}

		@ParameterizedTest
		@EnumSource(E2eProvider.class)
		void runsAToolTurnAndSendsItsResultBack(E2eProvider provider) {
			provider.answerJson("tool-call.json");
			MessageCreateParams first = question(provider).addTool(weatherTool()).build();
			Message call = anthropic().messages().create(first);

			assertThat(call.stopReason()).contains(StopReason.TOOL_USE);
			ToolUseBlock use = call.content().stream().filter(ContentBlock::isToolUse).findFirst().orElseThrow().asToolUse();
			assertThat(use.name()).isEqualTo("get_weather");
			assertThat(use._input().convert(Map.class)).isEqualTo(Map.of("city", "Paris"));

			provider.answerJson("chat.json");
			Message answer = anthropic().messages()
				.create(first.toBuilder()
					.addMessage(call)
					.addUserMessageOfContentBlockParams(List.of(ContentBlockParam.ofToolResult(
							ToolResultBlockParam.builder().toolUseId(use.id()).content("18 degrees, sunny").build())))
					.build());

			assertThat(answer.content().get(0).asText().text()).isEqualTo("Paris is the capital of France.");
			String upstream = provider.stub.lastRequest().body();
			assertThat(upstream).contains("18 degrees, sunny").contains("get_weather");
			assertThat(upstream.replace(use.id(), "toolu_e2e")).contains(provider.toolResultMarker);
		}

		@ParameterizedTest
		@EnumSource(E2eProvider.class)
		void streamsAToolCallAsInputJsonDeltas(E2eProvider provider) {
			provider.answerStream("tool-call-stream.sse");
			MessageAccumulator accumulator = MessageAccumulator.create();
			try (StreamResponse<RawMessageStreamEvent> stream = anthropic().messages()
				.createStreaming(question(provider).addTool(weatherTool()).build())) {
				stream.stream().forEach(accumulator::accumulate);
			}
			Message message = accumulator.message();
			assertThat(message.stopReason()).contains(StopReason.TOOL_USE);
			ToolUseBlock use = message.content().stream().filter(ContentBlock::isToolUse).findFirst().orElseThrow().asToolUse();
			assertThat(use.name()).isEqualTo("get_weather");
			assertThat(use._input().convert(Map.class)).isEqualTo(Map.of("city", "Paris"));
		}

		@ParameterizedTest
		@EnumSource(E2eProvider.class)
		void aProviderRateLimitIsAnAnthropicRateLimitError(E2eProvider provider) {
			provider.stub.reset();
			provider.stub.json(provider.chatPath, 429, provider.fixture("error-429.json"), Map.of("retry-after", "7"));
			assertThatExceptionOfType(RateLimitException.class)
				.isThrownBy(() -> anthropic().messages().create(question(provider).build()))
				.satisfies(e -> assertThat(e.statusCode()).isEqualTo(429));
		}

		// ---- to Anthropic, as written

		@Test
		void aWebSearchStreamReachesTheClientAsAnthropicWroteIt() {
			E2eProvider.ANTHROPIC.answerStream("web-search-stream.sse");
			MessageAccumulator accumulator = MessageAccumulator.create();
			try (StreamResponse<RawMessageStreamEvent> stream = anthropic().messages()
				.createStreaming(question(E2eProvider.ANTHROPIC)
					.addTool(com.anthropic.models.messages.WebSearchTool20250305.builder().build())
					.build())) {
				stream.stream().forEach(accumulator::accumulate);
			}
			Message message = accumulator.message();
			assertThat(message.content()).hasSize(3);
			assertThat(message.content().get(0).isServerToolUse()).as("the server's search").isTrue();
			assertThat(message.content().get(1).asWebSearchToolResult().content().asResultBlocks())
				.singleElement()
				.satisfies(result -> assertThat(result.url()).isEqualTo("https://en.wikipedia.org/wiki/Paris"));
			var text = message.content().get(2).asText();
			assertThat(text.text()).isEqualTo("Paris is the capital of France.");
			assertThat(text.citations().orElseThrow()).singleElement()
				.satisfies(citation -> assertThat(citation.asWebSearchResultLocation().url())
					.isEqualTo("https://en.wikipedia.org/wiki/Paris"));
			assertThat(message.usage().outputTokens()).isEqualTo(25);
		}

		@Test
		void aWholeWebSearchAnswerReachesTheClientAsAnthropicWroteIt() {
			E2eProvider.ANTHROPIC.stub.reset();
			E2eProvider.ANTHROPIC.stub.json(E2eProvider.ANTHROPIC.chatPath, 200, """
					{"id":"msg_ws2","type":"message","role":"assistant","model":"claude-test","content":[
					 {"type":"server_tool_use","id":"srvtoolu_2","name":"web_search","input":{"query":"capital of France"}},
					 {"type":"web_search_tool_result","tool_use_id":"srvtoolu_2","content":[{"type":"web_search_result",
					  "title":"Paris","url":"https://en.wikipedia.org/wiki/Paris","encrypted_content":"Eqg","page_age":null}]}],
					 "stop_reason":"pause_turn","stop_sequence":null,"usage":{"input_tokens":20,"output_tokens":5,
					 "server_tool_use":{"web_search_requests":1}}}""");
			Message message = anthropic().messages()
				.create(question(E2eProvider.ANTHROPIC).addTool(com.anthropic.models.messages.WebSearchTool20250305.builder().build())
					.build());
			assertThat(message.stopReason()).as("a long search turn pauses; the client sends it back to go on")
				.contains(StopReason.PAUSE_TURN);
			assertThat(message.content()).hasSize(2);
			assertThat(message.content().get(1).isWebSearchToolResult()).isTrue();
		}

		@Test
		void anAnthropicProviderGetsTheRequestAsWrittenWithTheClientsBetas() {
			E2eProvider.ANTHROPIC.stub.reset();
			E2eProvider.ANTHROPIC.stub.json("/v1/messages", 200, """
					{"id":"msg_t1","type":"message","role":"assistant","model":"claude-test",
					 "content":[{"type":"thinking","thinking":"Easy.","signature":"sig-1"},{"type":"text","text":"Paris."}],
					 "stop_reason":"end_turn","stop_sequence":null,
					 "usage":{"input_tokens":20,"cache_read_input_tokens":100,"cache_creation_input_tokens":30,"output_tokens":9}}""");
			String request = """
					{"model":"claude-sonnet-4-5","max_tokens":2048,
					 "system":[{"type":"text","text":"Long shared context.","cache_control":{"type":"ephemeral","ttl":"1h"}}],
					 "thinking":{"type":"enabled","budget_tokens":1024},"top_k":5,
					 "context_management":{"edits":[{"type":"clear_tool_uses_20250919"}]},
					 "messages":[{"role":"user","content":[{"type":"text","text":"Capital of France?","cache_control":{"type":"ephemeral"}}]},
					   {"role":"assistant","content":[{"type":"thinking","thinking":"Hm.","signature":"sig-0"},{"type":"text","text":"Which?"}]},
					   {"role":"user","content":"France."}]}""";
			Answer answer = post("/v1/messages", request, Map.of("x-api-key", KEY, "anthropic-version", "2023-06-01",
					"anthropic-beta", "interleaved-thinking-2025-05-14,context-management-2025-06-27"));

			assertThat(answer.status()).as(answer.body()).isEqualTo(200);
			StubUpstream.Received upstream = E2eProvider.ANTHROPIC.stub.lastRequest();
			ObjectNode expected = (ObjectNode) Json.MAPPER.readTree(request);
			expected.put("model", "claude-test");
			assertThat(Json.MAPPER.readTree(upstream.body())).as("only the model rewritten").isEqualTo(expected);
			assertThat(upstream.headers().get("anthropic-beta"))
				.isEqualTo("interleaved-thinking-2025-05-14,context-management-2025-06-27");
			assertThat(upstream.headers().get("anthropic-version")).isEqualTo("2023-06-01");
			assertThat(upstream.headers().get("x-api-key")).isEqualTo("anthropic-provider-key");

			JsonNode message = Json.MAPPER.readTree(answer.body());
			assertThat(message.path("type").asString()).isEqualTo("message");
			assertThat(message.path("model").asString()).as("the model that answered").isEqualTo("claude-test");
			assertThat(message.path("content").get(0).path("type").asString()).isEqualTo("thinking");
			assertThat(message.path("content").get(0).path("signature").asString()).isEqualTo("sig-1");
			assertThat(message.path("content").get(1).path("text").asString()).isEqualTo("Paris.");
			JsonNode usage = message.path("usage");
			assertThat(usage.path("input_tokens").asLong()).as("uncached input, as Anthropic counts it").isEqualTo(20);
			assertThat(usage.path("cache_read_input_tokens").asLong()).isEqualTo(100);
			assertThat(usage.path("cache_creation_input_tokens").asLong()).isEqualTo(30);
			assertThat(usage.path("output_tokens").asLong()).isEqualTo(9);
		}

		@Test
		void fieldsOnlyAnthropicUnderstandsAreDroppedOnTheWayToOthers() {
			E2eProvider.OPENAI.answerJson("chat.json");
			Answer answer = post("/v1/messages", """
					{"model":"m-openai","max_tokens":64,"top_k":5,"messages":[{"role":"user","content":"hi"}]}""",
					Map.of("x-api-key", KEY));
			assertThat(answer.status()).as(answer.body()).isEqualTo(200);
			JsonNode upstream = Json.MAPPER.readTree(E2eProvider.OPENAI.stub.lastRequest().body());
			assertThat(upstream.has("top_k")).isFalse();
			assertThat(upstream.path("max_completion_tokens").asInt()).isEqualTo(64);
			assertThat(upstream.path("model").asString()).isEqualTo("gpt-test");
		}

		/**
		 * Claude Code's thinking budget reaches an OpenAI model declared to reason as the nearest
		 * effort, and the exact budget, which OpenAI cannot take, is named as dropped.
		 */
		@Test
		void thinkingReachesAnOpenAiReasoningModelAsAnEffort() {
			E2eProvider.OPENAI.answerStream("tool-call-stream.sse");
			ObjectNode turn = (ObjectNode) Json.MAPPER.readTree(Fixtures.bytes("anthropic-door/agent-turn.request.json"));
			turn.put("model", "claude-opus-4-5");
			Answer answer = post("/v1/messages", turn.toString(), Map.of("authorization", "Bearer " + KEY,
					"anthropic-version", "2023-06-01"));

			assertThat(answer.status()).as(answer.body()).isEqualTo(200);
			JsonNode upstream = Json.MAPPER.readTree(E2eProvider.OPENAI.stub.lastRequest().body());
			assertThat(upstream.path("model").asString()).isEqualTo("gpt-think");
			assertThat(upstream.path("reasoning_effort").asString()).as("a budget of 10,000").isEqualTo("medium");
			assertThat(upstream.has("thinking")).isFalse();
			assertThat(answer.headers().get("x-switchboard-dropped-params")).contains("thinking.budget_tokens");
		}

		/**
		 * A Claude Code turn (cached system blocks, thinking handed back with its signature, a tool
		 * result, a server tool, betas-only fields) to an OpenAI model: what OpenAI's API would refuse
		 * is left out, the rest arrives as OpenAI's chat shape, and the streamed tool call comes back as
		 * Anthropic's tool_use events.
		 */
		@Test
		void aClaudeCodeTurnRunsOnAnOpenAiModel() {
			E2eProvider.OPENAI.answerStream("tool-call-stream.sse");
			ObjectNode turn = (ObjectNode) Json.MAPPER.readTree(Fixtures.bytes("anthropic-door/agent-turn.request.json"));
			turn.put("model", "claude-haiku-4-5");
			Answer answer = post("/v1/messages", turn.toString(), Map.of("authorization", "Bearer " + KEY,
					"anthropic-version", "2023-06-01", "anthropic-beta", "claude-code-20250219,interleaved-thinking-2025-05-14",
					"x-claude-code-session-id", "5c3c"));

			assertThat(answer.status()).as(answer.body()).isEqualTo(200);
			JsonNode upstream = Json.MAPPER.readTree(E2eProvider.OPENAI.stub.lastRequest().body());
			assertThat(upstream.path("model").asString()).isEqualTo("gpt-test");
			assertThat(upstream.path("max_completion_tokens").asInt()).isEqualTo(32000);
			for (String dropped : List.of("top_k", "thinking", "context_management", "system", "stop_sequences",
					"reasoning_effort")) {
				assertThat(upstream.has(dropped)).as(dropped).isFalse();
			}
			assertThat(upstream.toString()).doesNotContain("cache_control", "thinking_blocks", "reasoning_content",
					"web_search");
			JsonNode messages = upstream.path("messages");
			assertThat(messages.get(0).path("role").asString()).isEqualTo("system");
			assertThat(messages.get(2).path("tool_calls").get(0).path("id").asString()).isEqualTo("toolu_01Read");
			assertThat(messages.get(3).path("role").asString()).isEqualTo("tool");
			assertThat(messages.get(3).path("tool_call_id").asString()).isEqualTo("toolu_01Read");
			assertThat(upstream.path("tools")).singleElement()
				.satisfies(tool -> assertThat(tool.path("function").path("name").asString()).isEqualTo("Read"));
			assertThat(upstream.path("parallel_tool_calls").asBoolean(true)).isFalse();
			assertThat(upstream.path("user").asString()).isEqualTo("user_abc_account_1_session_9");

			List<SseEvent> events = new SseDecoder().decode(answer.body().getBytes(StandardCharsets.UTF_8));
			JsonNode start = events.stream()
				.filter(e -> "content_block_start".equals(e.event()))
				.map(e -> Json.MAPPER.readTree(e.data()).path("content_block"))
				.filter(block -> "tool_use".equals(block.path("type").asString()))
				.findFirst()
				.orElseThrow();
			assertThat(start.path("name").asString()).isEqualTo("get_weather");
			JsonNode delta = events.stream()
				.filter(e -> "message_delta".equals(e.event()))
				.map(e -> Json.MAPPER.readTree(e.data()))
				.findFirst()
				.orElseThrow();
			assertThat(delta.path("delta").path("stop_reason").asString()).isEqualTo("tool_use");
			assertThat(delta.path("usage").path("output_tokens").asLong()).isEqualTo(20);
		}

		@Test
		void aMaxTokensOneProbeOfAnotherProvidersModelIsAnswered() {
			E2eProvider.OPENAI.answerJson("chat.json");
			Message probe = anthropic().messages()
				.create(MessageCreateParams.builder().model("claude-haiku-4-5").maxTokens(1).addUserMessage("quota").build());
			assertThat(probe.content()).isNotEmpty();
			assertThat(Json.MAPPER.readTree(E2eProvider.OPENAI.stub.lastRequest().body()).path("max_completion_tokens").asInt())
				.as("max_completion_tokens, which reasoning models take, not max_tokens, which they refuse")
				.isEqualTo(1);
		}

		@Test
		void anAliasNamesAnotherProvidersModel() {
			E2eProvider.OPENAI.answerJson("chat.json");
			Message message = anthropic().messages()
				.create(MessageCreateParams.builder().model("claude-haiku-4-5").maxTokens(32).addUserMessage("hi").build());
			assertThat(message.content().get(0).asText().text()).isEqualTo("Paris is the capital of France.");
			assertThat(E2eProvider.OPENAI.stub.lastRequest().body()).contains("\"model\":\"gpt-test\"");
		}

		// ---- count_tokens

		@Test
		void countsTokensAtAnthropicWhenTheModelIsAnthropics() {
			E2eProvider.ANTHROPIC.stub.reset();
			E2eProvider.ANTHROPIC.stub.json("/v1/messages/count_tokens", 200, "{\"input_tokens\":42}");
			long tokens = anthropic().messages()
				.countTokens(MessageCountTokensParams.builder().model("claude-sonnet-4-5").addUserMessage("Count me").build())
				.inputTokens();
			assertThat(tokens).isEqualTo(42);
			StubUpstream.Received upstream = E2eProvider.ANTHROPIC.stub.lastRequest();
			assertThat(upstream.path()).isEqualTo("/v1/messages/count_tokens");
			assertThat(Json.MAPPER.readTree(upstream.body()).path("model").asString()).isEqualTo("claude-test");
		}

		@Test
		void estimatesTokensWithoutCallingAProviderThatCannotCount() {
			E2eProvider.OPENAI.stub.reset();
			MessageCountTokensParams.Builder params = MessageCountTokensParams.builder().model("m-openai");
			long small = anthropic().messages().countTokens(params.addUserMessage("Count me").build()).inputTokens();
			long large = anthropic().messages()
				.countTokens(MessageCountTokensParams.builder()
					.model("m-openai")
					.addUserMessage("Count me, and this much longer sentence too, word after word after word.")
					.build())
				.inputTokens();
			assertThat(small).isPositive();
			assertThat(large).isGreaterThan(small + 5);
			assertThat(E2eProvider.OPENAI.stub.received()).as("nothing was generated, nothing was asked").isEmpty();
		}

		// ---- keys, models and errors in Anthropic's words

		@Test
		void acceptsTheKeyAsABearerTokenAsAnthropicAuthTokenSendsIt() {
			E2eProvider.OPENAI.answerJson("chat.json");
			AnthropicClient bearer = AnthropicOkHttpClient.builder()
				.baseUrl("http://127.0.0.1:" + FrontDoorsIntegrationTest.this.port)
				.authToken(KEY)
				.maxRetries(0)
				.build();
			assertThat(bearer.messages().create(question(E2eProvider.OPENAI).build()).content()).isNotEmpty();
			assertThat(E2eProvider.OPENAI.stub.lastRequest().headers().get("authorization")).isEqualTo("Bearer openai-provider-key");
		}

		@Test
		void aWrongKeyIsAnAuthenticationError() {
			AnthropicClient wrong = AnthropicOkHttpClient.builder()
				.baseUrl("http://127.0.0.1:" + FrontDoorsIntegrationTest.this.port)
				.apiKey("not-a-team-key")
				.maxRetries(0)
				.build();
			assertThatExceptionOfType(UnauthorizedException.class)
				.isThrownBy(() -> wrong.messages().create(question(E2eProvider.OPENAI).build()));

			Answer none = post("/v1/messages", "{}", Map.of());
			assertThat(none.status()).isEqualTo(401);
			assertError(none, "authentication_error");
		}

		@Test
		void listsTheCatalogInAnthropicsShape() {
			List<String> ids = anthropic().models().list().data().stream().map(ModelInfo::id).toList();
			assertThat(ids).contains("m-anthropic", "claude-sonnet-4-5", "m-openai", "claude-haiku-4-5", "m-gemini");
			assertThat(anthropic().models().retrieve("claude-sonnet-4-5").id()).isEqualTo("claude-sonnet-4-5");
			assertThatExceptionOfType(NotFoundException.class).isThrownBy(() -> anthropic().models().retrieve("nope"));
		}

		@Test
		void theModelListTakesTheShapeOfTheClientAsking() {
			JsonNode anthropicShape = Json.MAPPER.readTree(get("/v1/models", Map.of("x-api-key", KEY)).body());
			assertThat(anthropicShape.path("has_more").isBoolean()).isTrue();
			assertThat(anthropicShape.path("data").get(0).path("type").asString()).isEqualTo("model");
			assertThat(anthropicShape.path("first_id").asString()).isEqualTo(anthropicShape.path("data").get(0).path("id").asString());

			JsonNode openAiShape = Json.MAPPER.readTree(get("/v1/models", Map.of("authorization", "Bearer " + KEY)).body());
			assertThat(openAiShape.path("object").asString()).isEqualTo("list");
			assertThat(openAiShape.path("data").get(0).path("object").asString()).isEqualTo("model");
		}

		@Test
		void anUnknownModelIsANotFoundError() {
			assertThatExceptionOfType(NotFoundException.class).isThrownBy(() -> anthropic().messages()
				.create(MessageCreateParams.builder().model("claude-unknown").maxTokens(8).addUserMessage("hi").build()));
		}

		@Test
		void malformedRequestsAreInvalidRequestErrorsAndNoProviderIsCalled() {
			E2eProvider.OPENAI.stub.reset();
			Map<String, String> key = Map.of("x-api-key", KEY);
			Answer noMaxTokens = post("/v1/messages", """
					{"model":"m-openai","messages":[{"role":"user","content":"hi"}]}""", key);
			assertThat(noMaxTokens.status()).isEqualTo(400);
			assertThat(assertError(noMaxTokens, "invalid_request_error")).contains("max_tokens");

			Answer orphan = post("/v1/messages", """
					{"model":"m-openai","max_tokens":8,"messages":[{"role":"user","content":[
					 {"type":"tool_result","tool_use_id":"toolu_gone","content":"4"}]}]}""", key);
			assertThat(orphan.status()).isEqualTo(400);
			assertThat(assertError(orphan, "invalid_request_error")).contains("toolu_gone");

			Answer notJson = post("/v1/messages", "{\"model\":", key);
			assertThat(notJson.status()).isEqualTo(400);
			assertError(notJson, "invalid_request_error");

			assertThatExceptionOfType(BadRequestException.class).isThrownBy(() -> anthropic().messages()
				.create(MessageCreateParams.builder()
					.model("m-openai")
					.maxTokens(8)
					.addUserMessage("hi")
					.putAdditionalBodyProperty("temperature", JsonValue.from(3))
					.build()));
			assertThat(E2eProvider.OPENAI.stub.received()).isEmpty();
		}

		@Test
		void aStreamThatFailsMidwayEndsWithAnAnthropicErrorEvent() {
			String[] events = E2eProvider.OPENAI.fixture("stream.sse").split("\n\n");
			E2eProvider.OPENAI.stub.reset();
			E2eProvider.OPENAI.stub.on("/v1/chat/completions", (request, response) -> response.status(200)
				.header("content-type", "text/event-stream")
				.sendString(Flux.just(events[0] + "\n\n", events[1] + "\n\n"))
				.then()
				.then(Mono.error(new IllegalStateException("provider went away"))));
			Answer answer = post("/v1/messages", """
					{"model":"m-openai","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hi"}]}""",
					Map.of("x-api-key", KEY));
			assertThat(answer.status()).isEqualTo(200);
			List<SseEvent> sse = new SseDecoder().decode(answer.body().getBytes(StandardCharsets.UTF_8));
			assertThat(sse.get(0).event()).isEqualTo("message_start");
			SseEvent last = sse.get(sse.size() - 1);
			assertThat(last.event()).isEqualTo("error");
			JsonNode error = Json.MAPPER.readTree(last.data());
			assertThat(error.path("type").asString()).isEqualTo("error");
			assertThat(error.path("error").path("type").asString()).isNotBlank();
			assertThat(sse).noneMatch(e -> "message_stop".equals(e.event()));
		}

	}

	/** OpenAI's Responses API, with the official OpenAI Java SDK's {@code responses()}. */
	@Nested
	class OpenAiResponses {

		private ResponseCreateParams.Builder question(E2eProvider provider) {
			return ResponseCreateParams.builder()
				.model(provider.chatModel)
				.instructions("Answer in one sentence.")
				.input("What is the capital of France?")
				.maxOutputTokens(256);
		}

		@ParameterizedTest
		@EnumSource(E2eProvider.class)
		void answersAsAResponse(E2eProvider provider) {
			provider.answerJson("chat.json");
			Response response = openai().responses().create(question(provider).build());

			assertThat(response.id()).startsWith("resp_");
			assertThat(response.status()).contains(ResponseStatus.COMPLETED);
			assertThat(outputText(response)).isEqualTo("Paris is the capital of France.");
			assertThat(response.usage().get().inputTokens()).isEqualTo(12);
			assertThat(response.usage().get().outputTokens()).isEqualTo(7);
			assertThat(response.instructions()).isPresent();

			StubUpstream.Received upstream = provider.stub.lastRequest();
			assertThat(upstream.path()).startsWith(provider.chatPath);
			assertThat(upstream.body()).contains("What is the capital of France?").contains("Answer in one sentence.");
			assertThat(upstream.headers().toString()).doesNotContain(KEY);
		}

		@ParameterizedTest
		@EnumSource(E2eProvider.class)
		void streamsAsResponsesEvents(E2eProvider provider) {
			provider.answerStream("stream.sse");
			ResponseAccumulator accumulator = ResponseAccumulator.create();
			List<String> types = new ArrayList<>();
			try (com.openai.core.http.StreamResponse<ResponseStreamEvent> stream = openai().responses()
				.createStreaming(question(provider).build())) {
				stream.stream().forEach(event -> {
					accumulator.accumulate(event);
					types.add(event.isCreated() ? "created" : event.isOutputTextDelta() ? "delta"
							: event.isCompleted() ? "completed" : "other");
				});
			}
			Response response = accumulator.response();
			assertThat(outputText(response)).isEqualTo("Paris is the capital of France.");
			assertThat(response.usage().get().outputTokens()).isEqualTo(7);
			assertThat(types.get(0)).isEqualTo("created");
			assertThat(types.get(types.size() - 1)).isEqualTo("completed");
			assertThat(types).contains("delta");
		}

		@ParameterizedTest
		@EnumSource(E2eProvider.class)
		void runsAFunctionCallAndSendsItsOutputBack(E2eProvider provider) {
			provider.answerJson("tool-call.json");
			FunctionTool weather = FunctionTool.builder()
				.name("get_weather")
				.parameters(FunctionTool.Parameters.builder()
					.putAdditionalProperty("type", com.openai.core.JsonValue.from("object"))
					.putAdditionalProperty("properties", com.openai.core.JsonValue.from(Map.of("city", Map.of("type", "string"))))
					.build())
				.strict(false)
				.build();
			Response first = openai().responses().create(question(provider).addTool(weather).build());
			ResponseFunctionToolCall call = first.output()
				.stream()
				.filter(ResponseOutputItem::isFunctionCall)
				.findFirst()
				.orElseThrow()
				.asFunctionCall();
			assertThat(call.name()).isEqualTo("get_weather");
			assertThat(Json.MAPPER.readTree(call.arguments()).path("city").asString()).isEqualTo("Paris");

			provider.answerJson("chat.json");
			Response answer = openai().responses()
				.create(ResponseCreateParams.builder()
					.model(provider.chatModel)
					.addTool(weather)
					.inputOfResponse(List.of(
							ResponseInputItem.ofEasyInputMessage(EasyInputMessage.builder()
								.role(EasyInputMessage.Role.USER)
								.content("What is the weather in Paris?")
								.build()),
							ResponseInputItem.ofFunctionCall(call),
							ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder()
								.callId(call.callId())
								.output("18 degrees, sunny")
								.build())))
					.build());
			assertThat(outputText(answer)).isEqualTo("Paris is the capital of France.");
			String upstream = provider.stub.lastRequest().body();
			assertThat(upstream).contains("18 degrees, sunny");
			assertThat(upstream.replace(call.callId(), "toolu_e2e")).contains(provider.toolResultMarker);
		}

		@ParameterizedTest
		@EnumSource(E2eProvider.class)
		void streamsAFunctionCallAsArgumentDeltas(E2eProvider provider) {
			provider.answerStream("tool-call-stream.sse");
			ResponseAccumulator accumulator = ResponseAccumulator.create();
			try (com.openai.core.http.StreamResponse<ResponseStreamEvent> stream = openai().responses()
				.createStreaming(question(provider).build())) {
				stream.stream().forEach(accumulator::accumulate);
			}
			ResponseFunctionToolCall call = accumulator.response()
				.output()
				.stream()
				.filter(ResponseOutputItem::isFunctionCall)
				.findFirst()
				.orElseThrow()
				.asFunctionCall();
			assertThat(call.name()).isEqualTo("get_weather");
			assertThat(Json.MAPPER.readTree(call.arguments()).path("city").asString()).isEqualTo("Paris");
		}

		@ParameterizedTest
		@EnumSource(E2eProvider.class)
		void aProviderRateLimitIsARateLimitError(E2eProvider provider) {
			provider.stub.reset();
			provider.stub.json(provider.chatPath, 429, provider.fixture("error-429.json"), Map.of("retry-after", "7"));
			assertThatExceptionOfType(com.openai.errors.RateLimitException.class)
				.isThrownBy(() -> openai().responses().create(question(provider).build()));
		}

		@Test
		void aJsonSchemaFormatReachesTheProviderAsAResponseFormat() {
			E2eProvider.OPENAI.answerJson("json-mode.json");
			Answer answer = post("/v1/responses", """
					{"model":"m-openai","input":"A city as JSON","text":{"format":{"type":"json_schema","name":"city",
					 "schema":{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]},"strict":true}}}""",
					Map.of("authorization", "Bearer " + KEY));
			assertThat(answer.status()).as(answer.body()).isEqualTo(200);
			JsonNode upstream = Json.MAPPER.readTree(E2eProvider.OPENAI.stub.lastRequest().body());
			assertThat(upstream.path("response_format").path("json_schema").path("name").asString()).isEqualTo("city");
			assertThat(Json.MAPPER.readTree(answer.body()).path("text").path("format").path("name").asString())
				.isEqualTo("city");
		}

		@Test
		void malformedRequestsAreOpenAiErrorsAndNoProviderIsCalled() {
			E2eProvider.OPENAI.stub.reset();
			Map<String, String> key = Map.of("authorization", "Bearer " + KEY);
			Answer noInput = post("/v1/responses", "{\"model\":\"m-openai\"}", key);
			assertThat(noInput.status()).isEqualTo(400);
			JsonNode error = Json.MAPPER.readTree(noInput.body()).path("error");
			assertThat(error.path("type").asString()).isEqualTo("invalid_request_error");
			assertThat(error.path("param").asString()).isEqualTo("input");

			Answer chained = post("/v1/responses", "{\"model\":\"m-openai\",\"input\":\"hi\",\"previous_response_id\":\"resp_1\"}", key);
			assertThat(chained.status()).isEqualTo(400);
			assertThat(chained.body()).contains("previous_response_id");

			Answer stored = get("/v1/responses/resp_1", key);
			assertThat(stored.status()).isEqualTo(400);
			assertThat(stored.body()).contains("stores no responses");

			assertThatExceptionOfType(com.openai.errors.NotFoundException.class)
				.isThrownBy(() -> openai().responses().create(ResponseCreateParams.builder().model("nope").input("hi").build()));
			assertThat(E2eProvider.OPENAI.stub.received()).isEmpty();
		}

		private String outputText(Response response) {
			StringBuilder text = new StringBuilder();
			response.output().stream().filter(ResponseOutputItem::isMessage).forEach(item -> item.asMessage()
				.content()
				.forEach(part -> part.outputText().ifPresent(t -> text.append(t.text()))));
			return text.toString();
		}

	}

	/**
	 * The Responses door to OpenAI's own Responses API, with openai-java: the client's request goes
	 * to {@code /v1/responses} as written (built-in tools, include, encrypted reasoning), and whole
	 * answers come back as OpenAI wrote them.
	 */
	@Nested
	class NativeOpenAiResponses {

		private void answer(String fixture) {
			NATIVE.reset();
			NATIVE.json("/v1/responses", 200, Fixtures.text("e2e/openai-responses/" + fixture));
		}

		private void stream(String fixture) {
			NATIVE.reset();
			NATIVE.sse("/v1/responses", Flux.just(Fixtures.text("e2e/openai-responses/" + fixture)));
		}

		private ResponseCreateParams.Builder question() {
			return ResponseCreateParams.builder()
				.model("m-openai-native")
				.instructions("Answer in one sentence.")
				.input("What is the capital of France?")
				.maxOutputTokens(256);
		}

		@Test
		void aBuiltInToolsAnswerIsHandedOverAsOpenAiWroteIt() {
			answer("response.json");
			Response response = openai().responses()
				.create(question().putAdditionalBodyProperty("tools", com.openai.core.JsonValue.from(List.of(Map.of("type", "web_search"))))
					.build());

			assertThat(response.output()).hasSize(2);
			assertThat(response.output().get(0).isWebSearchCall()).as("the built-in tool's item").isTrue();
			var text = response.output().get(1).asMessage().content().get(0).asOutputText();
			assertThat(text.text()).isEqualTo("Paris is the capital of France.");
			assertThat(text.annotations()).singleElement()
				.satisfies(annotation -> assertThat(annotation.asUrlCitation().url()).isEqualTo("https://en.wikipedia.org/wiki/Paris"));
			assertThat(response.id()).startsWith("resp_").isNotEqualTo("resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b");
			assertThat(response.usage().get().outputTokens()).isEqualTo(7);

			StubUpstream.Received upstream = NATIVE.lastRequest();
			assertThat(upstream.path()).isEqualTo("/v1/responses");
			JsonNode sent = Json.MAPPER.readTree(upstream.body());
			assertThat(sent.path("model").asString()).isEqualTo("gpt-test");
			assertThat(sent.path("tools").get(0).path("type").asString()).isEqualTo("web_search");
			assertThat(sent.path("input").asString()).isEqualTo("What is the capital of France?");
			assertThat(sent.path("instructions").asString()).isEqualTo("Answer in one sentence.");
			assertThat(sent.path("store").asBoolean(true)).isFalse();
			assertThat(upstream.headers().get("authorization")).isEqualTo("Bearer openai-native-provider-key");
		}

		@Test
		void nothingIsDroppedOnTheWayToOpenAi() {
			answer("response.json");
			Answer answer = post("/v1/responses", """
					{"model":"m-openai-native","input":"hi","tools":[{"type":"web_search"}],"include":["reasoning.encrypted_content"],
					 "reasoning":{"effort":"low","summary":"auto"},"text":{"verbosity":"low"}}""",
					Map.of("authorization", "Bearer " + KEY));
			assertThat(answer.status()).as(answer.body()).isEqualTo(200);
			JsonNode sent = Json.MAPPER.readTree(NATIVE.lastRequest().body());
			assertThat(sent.path("include").get(0).asString()).isEqualTo("reasoning.encrypted_content");
			assertThat(sent.path("reasoning").path("summary").asString()).isEqualTo("auto");
			assertThat(sent.path("text").path("verbosity").asString()).isEqualTo("low");
		}

		@Test
		void aStreamIsWrittenAsResponsesEvents() {
			stream("stream.sse");
			ResponseAccumulator accumulator = ResponseAccumulator.create();
			try (com.openai.core.http.StreamResponse<ResponseStreamEvent> events = openai().responses()
				.createStreaming(question().build())) {
				events.stream().forEach(accumulator::accumulate);
			}
			Response response = accumulator.response();
			assertThat(response.output().get(0).asMessage().content().get(0).asOutputText().text())
				.isEqualTo("Paris is the capital of France.");
			assertThat(response.usage().get().outputTokens()).isEqualTo(7);
			JsonNode sent = Json.MAPPER.readTree(NATIVE.lastRequest().body());
			assertThat(sent.path("stream").asBoolean()).isTrue();
			assertThat(NATIVE.lastRequest().path()).isEqualTo("/v1/responses");
		}

		@Test
		void aFunctionCallTurnGoesBackWithItsEncryptedReasoning() {
			answer("tool-call.json");
			Response first = openai().responses().create(question().build());
			assertThat(first.output().get(0).isReasoning()).isTrue();
			ResponseFunctionToolCall call = first.output().get(1).asFunctionCall();
			assertThat(call.callId()).isEqualTo("call_native_1");

			answer("response.json");
			openai().responses()
				.create(ResponseCreateParams.builder()
					.model("m-openai-native")
					.inputOfResponse(List.of(
							ResponseInputItem.ofEasyInputMessage(EasyInputMessage.builder()
								.role(EasyInputMessage.Role.USER)
								.content("What is the weather in Paris?")
								.build()),
							ResponseInputItem.ofReasoning(first.output().get(0).asReasoning()),
							ResponseInputItem.ofFunctionCall(call),
							ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder()
								.callId(call.callId())
								.output("18 degrees, sunny")
								.build())))
					.build());
			JsonNode input = Json.MAPPER.readTree(NATIVE.lastRequest().body()).path("input");
			assertThat(input).extracting(item -> item.path("type").asString())
				.containsExactly("message", "reasoning", "function_call", "function_call_output");
			assertThat(input.get(1).path("encrypted_content").asString()).isEqualTo("gAAAAABoOpaqueEncryptedReasoning==");
			assertThat(input.get(3).path("output").asString()).isEqualTo("18 degrees, sunny");
		}

		@Test
		void aStreamedFunctionCallArrivesAsArgumentDeltas() {
			stream("tool-call-stream.sse");
			ResponseAccumulator accumulator = ResponseAccumulator.create();
			try (com.openai.core.http.StreamResponse<ResponseStreamEvent> events = openai().responses()
				.createStreaming(question().build())) {
				events.stream().forEach(accumulator::accumulate);
			}
			ResponseFunctionToolCall call = accumulator.response().output().get(0).asFunctionCall();
			assertThat(call.name()).isEqualTo("get_weather");
			assertThat(Json.MAPPER.readTree(call.arguments()).path("city").asString()).isEqualTo("Paris");
		}

		@Test
		void openAisErrorsAreOpenAiErrors() {
			NATIVE.reset();
			NATIVE.json("/v1/responses", 429, Fixtures.text("e2e/openai/error-429.json"), Map.of("retry-after", "7"));
			assertThatExceptionOfType(com.openai.errors.RateLimitException.class)
				.isThrownBy(() -> openai().responses().create(question().build()));

			NATIVE.reset();
			NATIVE.json("/v1/responses", 200, """
					{"id":"resp_x","object":"response","status":"failed","output":[],
					 "error":{"code":"server_error","message":"The model failed."}}""");
			Answer failed = post("/v1/responses", "{\"model\":\"m-openai-native\",\"input\":\"hi\"}",
					Map.of("authorization", "Bearer " + KEY));
			assertThat(failed.status()).as("a failed response is a failure, not an empty answer").isGreaterThanOrEqualTo(500);
			assertThat(Json.MAPPER.readTree(failed.body()).path("error").path("type").asString()).isNotEmpty();
		}

	}

	/**
	 * A Claude Code session replayed from fixtures ({@code fixtures/claude-code}): its headers and
	 * {@code ?beta=true} paths, the quota probe and the title on the small model (served by OpenAI,
	 * translated), count_tokens and a streamed agent turn on the main model (Anthropic, native),
	 * then the turn that sends the tool result back with the signed thinking, as Claude Code
	 * rebuilds it from the stream it got through the gateway.
	 */
	@Nested
	class ClaudeCodeSession {

		@Test
		void runsThroughTheGatewayOnBothProviders() {
			Map<String, String> headers = new LinkedHashMap<>();
			Json.MAPPER.readTree(Fixtures.bytes("claude-code/headers.json"))
				.properties()
				.forEach(header -> headers.put(header.getKey(), header.getValue().asString()));
			headers.put("authorization", "Bearer " + KEY);

			// 1. The quota probe: max_tokens 1 on the small model, an OpenAI model here.
			E2eProvider.OPENAI.answerJson("chat.json");
			Answer probe = post("/v1/messages?beta=true", session("01-quota.request.json"), headers);
			assertThat(probe.status()).as(probe.body()).isEqualTo(200);
			assertThat(Json.MAPPER.readTree(probe.body()).path("type").asString()).isEqualTo("message");
			assertThat(Json.MAPPER.readTree(E2eProvider.OPENAI.stub.lastRequest().body()).path("max_completion_tokens").asInt())
				.isEqualTo(1);

			// 2. The title, streamed by the small model: OpenAI gets OpenAI's shape, nothing of Anthropic's.
			E2eProvider.OPENAI.answerStream("stream.sse");
			Answer title = post("/v1/messages?beta=true", session("02-title.request.json"), headers);
			List<SseEvent> titleEvents = events(title);
			assertThat(titleEvents.get(0).event()).isEqualTo("message_start");
			assertThat(titleEvents.get(titleEvents.size() - 1).event()).isEqualTo("message_stop");
			assertThat(E2eProvider.OPENAI.stub.lastRequest().body()).doesNotContain("cache_control")
				.contains("Summarize this coding conversation");
			assertThat(E2eProvider.OPENAI.stub.lastRequest().headers().toString()).doesNotContain("anthropic-beta", KEY);

			// 3. count_tokens on the main model: Anthropic's own count, with the client's betas.
			E2eProvider.ANTHROPIC.stub.reset();
			E2eProvider.ANTHROPIC.stub.json("/v1/messages/count_tokens", 200, "{\"input_tokens\":1843}");
			Answer count = post("/v1/messages/count_tokens?beta=true", session("03-count.request.json"), headers);
			assertThat(Json.MAPPER.readTree(count.body()).path("input_tokens").asLong()).isEqualTo(1843);
			assertThat(E2eProvider.ANTHROPIC.stub.lastRequest().headers().get("anthropic-beta"))
				.isEqualTo(headers.get("anthropic-beta"));

			// 4. The agent turn, streamed natively: the body as Claude Code wrote it, the model rewritten.
			E2eProvider.ANTHROPIC.stub.reset();
			E2eProvider.ANTHROPIC.stub.sse("/v1/messages", Flux.just(Fixtures.text("claude-code/04-turn.upstream.sse")));
			String turnRequest = session("04-turn.request.json");
			Answer turn = post("/v1/messages?beta=true", turnRequest, headers);
			ObjectNode expected = (ObjectNode) Json.MAPPER.readTree(turnRequest);
			expected.put("model", "claude-test");
			StubUpstream.Received upstream = E2eProvider.ANTHROPIC.stub.lastRequest();
			assertThat(Json.MAPPER.readTree(upstream.body())).isEqualTo(expected);
			assertThat(upstream.headers().get("x-api-key")).isEqualTo("anthropic-provider-key");
			assertThat(upstream.headers().get("authorization")).isNull();
			ArrayNode assistant = assemble(events(turn));
			assertThat(assistant).hasSize(3);
			assertThat(assistant.get(0).path("signature").asString()).isEqualTo("EqQBCkgIBxABGAIiQM2x");
			assertThat(assistant.get(0).path("thinking").asString()).isEqualTo("The user wants the README. I will read it.");
			assertThat(assistant.get(2).path("input").path("file_path").asString()).isEqualTo("/repo/README.md");
			// Anthropic's own events, handed over as they came: the stream Claude Code reads is Anthropic's.
			assertThat(events(turn)).extracting(SseEvent::dataAsString)
				.containsExactlyElementsOf(new SseDecoder().decode(Fixtures.bytes("claude-code/04-turn.upstream.sse"))
					.stream()
					.map(SseEvent::dataAsString)
					.toList());
			JsonNode start = Json.MAPPER.readTree(events(turn).get(0).data());
			assertThat(start.path("message").path("usage").path("cache_read_input_tokens").asLong()).isEqualTo(9000);
			assertThat(start.path("message").path("usage").path("cache_creation_input_tokens").asLong()).isEqualTo(1200);

			// 5. The tool's result, with the assistant turn Claude Code rebuilt from the stream.
			ObjectNode next = (ObjectNode) Json.MAPPER.readTree(turnRequest);
			ArrayNode messages = next.withArray("messages");
			messages.addObject().put("role", "assistant").set("content", assistant);
			messages.addObject()
				.put("role", "user")
				.putArray("content")
				.addObject()
				.put("type", "tool_result")
				.put("tool_use_id", assistant.get(2).path("id").asString())
				.put("content", "# Switchboard\nAn LLM gateway.");
			E2eProvider.ANTHROPIC.stub.reset();
			E2eProvider.ANTHROPIC.stub.sse("/v1/messages", Flux.just(Fixtures.text("claude-code/05-result.upstream.sse")));
			Answer result = post("/v1/messages?beta=true", next.toString(), headers);
			assertThat(result.status()).as(result.body()).isEqualTo(200);
			JsonNode sent = Json.MAPPER.readTree(E2eProvider.ANTHROPIC.stub.lastRequest().body()).path("messages").get(1);
			assertThat(sent.path("content").get(0)).as("the signed thinking goes back to Anthropic as it came")
				.isEqualTo(Json.MAPPER.readTree("""
						{"type":"thinking","thinking":"The user wants the README. I will read it.","signature":"EqQBCkgIBxABGAIiQM2x"}"""));
			assertThat(assemble(events(result)).get(0).path("text").asString())
				.isEqualTo("README.md describes Switchboard, an LLM gateway.");
		}

		private String session(String name) {
			return Fixtures.text("claude-code/" + name);
		}

		private List<SseEvent> events(Answer answer) {
			assertThat(answer.status()).as(answer.body()).isEqualTo(200);
			return new SseDecoder().decode(answer.body().getBytes(StandardCharsets.UTF_8));
		}

		/** The assistant's content blocks, put together from the stream as Claude Code does. */
		private ArrayNode assemble(List<SseEvent> events) {
			ArrayNode blocks = Json.NODES.arrayNode();
			StringBuilder json = new StringBuilder();
			for (SseEvent event : events) {
				JsonNode data = Json.MAPPER.readTree(event.data());
				switch (String.valueOf(event.event())) {
					case "content_block_start" -> {
						blocks.add(data.path("content_block").deepCopy());
						json.setLength(0);
					}
					case "content_block_delta" -> {
						ObjectNode block = (ObjectNode) blocks.get(data.path("index").asInt());
						JsonNode d = data.path("delta");
						switch (d.path("type").asString()) {
							case "text_delta" -> block.put("text", block.path("text").asString() + d.path("text").asString());
							case "thinking_delta" -> block.put("thinking",
									block.path("thinking").asString() + d.path("thinking").asString());
							case "signature_delta" -> block.put("signature", d.path("signature").asString());
							case "input_json_delta" -> json.append(d.path("partial_json").asString());
							default -> {
							}
						}
					}
					case "content_block_stop" -> {
						ObjectNode block = (ObjectNode) blocks.get(data.path("index").asInt());
						if ("tool_use".equals(block.path("type").asString())) {
							block.set("input", Json.MAPPER.readTree(json.isEmpty() ? "{}" : json.toString()));
						}
					}
					default -> {
					}
				}
			}
			return blocks;
		}

	}

	// ---- helpers

	private static Tool weatherTool() {
		return Tool.builder()
			.name("get_weather")
			.description("Current weather in a city")
			.inputSchema(Tool.InputSchema.builder()
				.properties(Tool.InputSchema.Properties.builder()
					.putAdditionalProperty("city", JsonValue.from(Map.of("type", "string")))
					.build())
				.addRequired("city")
				.build())
			.build();
	}

	private static String type(RawMessageStreamEvent event) {
		return event.isMessageStart() ? "message_start"
				: event.isContentBlockStart() ? "content_block_start"
						: event.isContentBlockDelta() ? "content_block_delta"
								: event.isContentBlockStop() ? "content_block_stop"
										: event.isMessageDelta() ? "message_delta"
												: event.isMessageStop() ? "message_stop" : "other";
	}

	/** Asserts Anthropic's error shape and returns its message. */
	private static String assertError(Answer answer, String type) {
		JsonNode body = Json.MAPPER.readTree(answer.body());
		assertThat(body.path("type").asString()).as(answer.body()).isEqualTo("error");
		assertThat(body.path("error").path("type").asString()).as(answer.body()).isEqualTo(type);
		assertThat(body.path("error").path("message").asString()).isNotBlank();
		return body.path("error").path("message").asString();
	}

	record Answer(int status, String body, io.netty.handler.codec.http.HttpHeaders headers) {
	}

	private Answer get(String path, Map<String, String> headers) {
		return HttpClient.create()
			.headers(h -> headers.forEach(h::set))
			.get()
			.uri("http://127.0.0.1:" + this.port + path)
			.responseSingle((response, content) -> content.asString()
				.defaultIfEmpty("")
				.map(text -> new Answer(response.status().code(), text, response.responseHeaders())))
			.block(Duration.ofSeconds(10));
	}

	private Answer post(String path, String body, Map<String, String> headers) {
		return HttpClient.create()
			.headers(h -> {
				h.set("content-type", "application/json");
				headers.forEach(h::set);
			})
			.post()
			.uri("http://127.0.0.1:" + this.port + path)
			.send((request, out) -> out.sendString(Mono.just(body)))
			.responseSingle((response, content) -> content.asString()
				.defaultIfEmpty("")
				.map(text -> new Answer(response.status().code(), text, response.responseHeaders())))
			.block(Duration.ofSeconds(10));
	}

}
