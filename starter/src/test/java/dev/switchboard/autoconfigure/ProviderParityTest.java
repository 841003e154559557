package dev.switchboard.autoconfigure;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.InternalServerException;
import com.openai.errors.RateLimitException;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.ReasoningEffort;
import com.openai.models.ResponseFormatJsonObject;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionAssistantMessageParam;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessage;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.models.completions.CompletionUsage;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerResponse;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.switchboard.core.Json;
import dev.switchboard.observe.cost.CostLedger;
import dev.switchboard.testing.StubUpstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The same client scenarios, with the unmodified official OpenAI Java SDK, against each provider
 * type: a client must not be able to tell which provider answered except by the model it asked
 * for. Each provider is a loopback server answering in its own documented wire format.
 */
@SpringBootTest(classes = GatewayTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("parity")
class ProviderParityTest {

	private static final String KEY = "parity-key";

	private static final byte[] PNG = { (byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 7 };

	private static final StubUpstream images = new StubUpstream().on("/cat.png",
			(request, response) -> response.header("content-type", "image/png").sendByteArray(Mono.just(PNG)));

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void providers(DynamicPropertyRegistry registry) {
		for (E2eProvider provider : E2eProvider.values()) {
			registry.add("switchboard.providers." + provider.providerName() + ".base-url", provider::baseUrl);
		}
	}

	@AfterAll
	static void stopStubs() {
		images.close();
		// The providers' stubs are shared with the other end-to-end tests (E2eProvider).
	}

	private OpenAIClient client() {
		return OpenAIOkHttpClient.builder()
			.baseUrl("http://127.0.0.1:" + this.port + "/v1")
			.apiKey(KEY)
			.maxRetries(0)
			.timeout(Duration.ofSeconds(10))
			.build();
	}

	@ParameterizedTest
	@EnumSource(E2eProvider.class)
	void plainChat(E2eProvider provider) {
		provider.answerJson("chat.json");
		ChatCompletion completion = client().chat()
			.completions()
			.create(ChatCompletionCreateParams.builder()
				.model(provider.chatModel)
				.addSystemMessage("Answer in one sentence.")
				.addUserMessage("What is the capital of France?")
				.build());
		assertThat(completion.choices().get(0).message().content()).contains("Paris is the capital of France.");
		assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
		assertThat(completion.usage().get().promptTokens()).isEqualTo(12);
		assertThat(completion.usage().get().completionTokens()).isEqualTo(7);
		String upstream = provider.stub.lastRequest().body();
		assertThat(upstream).contains("What is the capital of France?").contains("Answer in one sentence.");
		assertThat(provider.stub.lastRequest().headers().toString()).doesNotContain(KEY);
	}

	/**
	 * Prompt-cache reads and reasoning tokens, as each provider reports them, reach the SDK's
	 * usage: 1,200 prompt tokens of which 1,000 read from the cache, 50 completion tokens of which
	 * 30 reasoning (Anthropic does not count its thinking apart).
	 */
	@ParameterizedTest
	@EnumSource(E2eProvider.class)
	void cachedAndReasoningTokensReachTheSdk(E2eProvider provider) {
		String answer = switch (provider) {
			case OPENAI, AZURE -> """
					{"id":"c1","object":"chat.completion","created":1,"model":"gpt-test","choices":[{"index":0,
					 "message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],
					 "usage":{"prompt_tokens":1200,"completion_tokens":50,"total_tokens":1250,
					  "prompt_tokens_details":{"cached_tokens":1000},"completion_tokens_details":{"reasoning_tokens":30}}}""";
			case ANTHROPIC -> """
					{"id":"msg_1","type":"message","role":"assistant","model":"claude-test",
					 "content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","stop_sequence":null,
					 "usage":{"input_tokens":100,"cache_read_input_tokens":1000,"cache_creation_input_tokens":100,
					  "output_tokens":50}}""";
			case GEMINI -> """
					{"candidates":[{"content":{"role":"model","parts":[{"text":"ok"}]},"finishReason":"STOP","index":0}],
					 "usageMetadata":{"promptTokenCount":1200,"cachedContentTokenCount":1000,"candidatesTokenCount":20,
					  "thoughtsTokenCount":30,"totalTokenCount":1250},"modelVersion":"gemini-test"}""";
		};
		provider.stub.reset();
		provider.stub.json(provider.chatPath, 200, answer);
		ChatCompletion completion = client().chat()
			.completions()
			.create(ChatCompletionCreateParams.builder().model(provider.chatModel).addUserMessage("hi").build());
		CompletionUsage usage = completion.usage().orElseThrow();
		assertThat(usage.promptTokens()).isEqualTo(1200);
		assertThat(usage.completionTokens()).isEqualTo(50);
		assertThat(usage.promptTokensDetails().flatMap(details -> details.cachedTokens())).contains(1000L);
		assertThat(usage.completionTokensDetails().flatMap(details -> details.reasoningTokens()))
			.contains((provider == E2eProvider.ANTHROPIC) ? 0L : 30L);
	}

	/**
	 * The same counts streamed, as each provider streams them: the SDK sees them in the last
	 * chunk, and the cost ledger prices each part of the prompt at its own rate, by hand: 200 fresh
	 * prompt tokens at $3, 1,000 cache reads at $0.30 and 50 completion tokens at $15 per million;
	 * for Anthropic 100 fresh, 1,000 read and 100 written at $3.75.
	 */
	@ParameterizedTest
	@EnumSource(E2eProvider.class)
	void streamedCacheTokensReachTheSdkAndArePricedApart(E2eProvider provider, @Autowired CostLedger ledger) {
		provider.answerStream("stream-cached.sse");
		BigDecimal before = spent(ledger, provider.chatModel);
		ChatCompletionCreateParams params = capitalQuestionWithUsage(provider);
		try (StreamResponse<ChatCompletionChunk> stream = client().chat().completions().createStreaming(params)) {
			List<ChatCompletionChunk> chunks = stream.stream().toList();
			CompletionUsage usage = chunks.get(chunks.size() - 1).usage().orElseThrow();
			assertThat(usage.promptTokens()).isEqualTo(1200);
			assertThat(usage.completionTokens()).isEqualTo(50);
			assertThat(usage.promptTokensDetails().flatMap(details -> details.cachedTokens())).contains(1000L);
		}
		BigDecimal expected = new BigDecimal((provider == E2eProvider.ANTHROPIC) ? "0.001725" : "0.00165");
		Awaitility.await()
			.atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(spent(ledger, provider.chatModel).subtract(before))
				.isEqualByComparingTo(expected));
	}

	/** The streamed question of these tests, asking for the usage chunk. */
	private static ChatCompletionCreateParams capitalQuestionWithUsage(E2eProvider provider) {
		return ChatCompletionCreateParams.builder()
			.model(provider.chatModel)
			.addUserMessage("What is the capital of France?")
			.streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
			.build();
	}

	@SuppressWarnings("unchecked")
	private static BigDecimal spent(CostLedger ledger, String model) {
		Map<String, Object> day = (Map<String, Object>) ledger.report("parity").block(Duration.ofSeconds(5)).get("day");
		Map<String, Object> models = (Map<String, Object>) ((Map<String, Object>) day.get("teams"))
			.getOrDefault("parity", Map.of());
		Map<String, Object> totals = (Map<String, Object>) models.get(model);
		return (totals != null) ? (BigDecimal) totals.get("cost_usd") : BigDecimal.ZERO;
	}

	@ParameterizedTest
	@EnumSource(E2eProvider.class)
	void streamingChat(E2eProvider provider) {
		provider.answerStream("stream.sse");
		ChatCompletionCreateParams params = capitalQuestionWithUsage(provider);
		try (StreamResponse<ChatCompletionChunk> stream = client().chat().completions().createStreaming(params)) {
			List<ChatCompletionChunk> chunks = stream.stream().toList();
			String text = chunks.stream()
				.flatMap(chunk -> chunk.choices().stream())
				.map(choice -> choice.delta().content().orElse(""))
				.collect(Collectors.joining());
			assertThat(text).isEqualTo("Paris is the capital of France.");
			assertThat(chunks.stream().map(ChatCompletionChunk::id).distinct()).as("one id per stream").hasSize(1);
			assertThat(chunks.stream().flatMap(chunk -> chunk.choices().stream()))
				.anySatisfy(choice -> assertThat(choice.finishReason()).contains(ChatCompletionChunk.Choice.FinishReason.STOP));
			assertThat(chunks.get(chunks.size() - 1).usage()).get().satisfies(usage -> {
				assertThat(usage.promptTokens()).isEqualTo(12);
				assertThat(usage.completionTokens()).isEqualTo(7);
			});
		}
	}

	@ParameterizedTest
	@EnumSource(E2eProvider.class)
	void toolCallRoundTrip(E2eProvider provider) {
		provider.answerJson("tool-call.json");
		ChatCompletionCreateParams.Builder ask = ChatCompletionCreateParams.builder()
			.model(provider.chatModel)
			.addUserMessage("What's the weather in Paris?")
			.addTool(weatherTool());
		ChatCompletion first = client().chat().completions().create(ask.build());
		assertThat(first.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
		ChatCompletionMessageFunctionToolCall call = first.choices().get(0).message().toolCalls().get().get(0).asFunction();
		assertThat(call.function().name()).isEqualTo("get_weather");
		assertThat(Json.MAPPER.readTree(call.function().arguments())).isEqualTo(Json.MAPPER.readTree("{\"city\":\"Paris\"}"));
		assertThat(provider.stub.lastRequest().body()).contains("get_weather").contains("city");

		provider.answerJson("chat.json");
		ChatCompletion second = client().chat()
			.completions()
			.create(ask.addMessage(first.choices().get(0).message())
				.addMessage(ChatCompletionToolMessageParam.builder().toolCallId(call.id()).content("18°C and sunny").build())
				.build());
		assertThat(second.choices().get(0).message().content()).isPresent();
		assertThat(provider.stub.lastRequest().body()).contains("18°C and sunny").contains(provider.toolResultMarker);
	}

	@ParameterizedTest
	@EnumSource(E2eProvider.class)
	void streamedToolCall(E2eProvider provider) {
		provider.answerStream("tool-call-stream.sse");
		ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
			.model(provider.chatModel)
			.addUserMessage("What's the weather in Paris?")
			.addTool(weatherTool())
			.build();
		try (StreamResponse<ChatCompletionChunk> stream = client().chat().completions().createStreaming(params)) {
			List<ChatCompletionChunk.Choice.Delta.ToolCall> calls = stream.stream()
				.flatMap(chunk -> chunk.choices().stream())
				.flatMap(choice -> choice.delta().toolCalls().orElse(List.of()).stream())
				.toList();
			assertThat(calls).isNotEmpty().allSatisfy(call -> assertThat(call.index()).isZero());
			String name = calls.stream().map(c -> c.function().flatMap(f -> f.name()).orElse("")).collect(Collectors.joining());
			String arguments = calls.stream()
				.map(c -> c.function().flatMap(f -> f.arguments()).orElse(""))
				.collect(Collectors.joining());
			assertThat(name).isEqualTo("get_weather");
			assertThat(Json.MAPPER.readTree(arguments)).isEqualTo(Json.MAPPER.readTree("{\"city\":\"Paris\"}"));
		}
	}

	@ParameterizedTest
	@EnumSource(E2eProvider.class)
	void jsonMode(E2eProvider provider) {
		provider.answerJson("json-mode.json");
		ChatCompletion completion = client().chat()
			.completions()
			.create(ChatCompletionCreateParams.builder()
				.model(provider.chatModel)
				.addUserMessage("Where is the Eiffel Tower? Answer in JSON.")
				.responseFormat(ResponseFormatJsonObject.builder().build())
				.build());
		assertThat(Json.MAPPER.readTree(completion.choices().get(0).message().content().get()))
			.isEqualTo(Json.MAPPER.readTree("{\"city\":\"Paris\",\"country\":\"France\"}"));
	}

	@ParameterizedTest
	@EnumSource(E2eProvider.class)
	void embeddings(E2eProvider provider) {
		EmbeddingCreateParams.Builder params = EmbeddingCreateParams.builder().input("hello");
		if (provider.embeddingModel == null) {
			assertThatExceptionOfType(BadRequestException.class)
				.isThrownBy(() -> client().embeddings().create(params.model(provider.chatModel).build()));
			return;
		}
		provider.stub.reset();
		provider.stub.json(provider.embeddingsPath, 200, provider.fixture("embeddings.json"));
		CreateEmbeddingResponse response = client().embeddings().create(params.model(provider.embeddingModel).build());
		assertThat(response.data().get(0).embedding()).containsExactly(0.1f, 0.2f, 0.3f);
	}

	@ParameterizedTest
	@EnumSource(E2eProvider.class)
	void providerErrorsBecomeTheSdksExceptions(E2eProvider provider) {
		ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
			.model(provider.chatModel)
			.addUserMessage("hi")
			.build();
		provider.stub.reset();
		provider.stub.json(provider.chatPath, 429, provider.fixture("error-429.json"), Map.of("retry-after", "2"));
		assertThatExceptionOfType(RateLimitException.class).isThrownBy(() -> client().chat().completions().create(params))
			.satisfies(ex -> assertThat(ex.headers().values("retry-after")).containsExactly("2"));
		provider.stub.reset();
		provider.stub.json(provider.chatPath, 500, provider.fixture("error-500.json"));
		assertThatExceptionOfType(InternalServerException.class)
			.isThrownBy(() -> client().chat().completions().create(params));
	}

	@ParameterizedTest
	@EnumSource(E2eProvider.class)
	void imageUrlsReachEveryProviderInTheFormItAccepts(E2eProvider provider) {
		provider.answerJson("chat.json");
		String imageUrl = "http://127.0.0.1:" + images.port() + "/cat.png";
		client().chat()
			.completions()
			.create(ChatCompletionCreateParams.builder()
				.model(provider.chatModel)
				.addUserMessageOfArrayOfContentParts(List.of(
						ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder().text("What is this?").build()),
						ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder()
							.imageUrl(ChatCompletionContentPartImage.ImageUrl.builder().url(imageUrl).build())
							.build())))
				.build());
		String upstream = provider.stub.lastRequest().body();
		if (provider == E2eProvider.GEMINI) {
			// Gemini takes only inline bytes: the gateway fetched the image and sent it base64-encoded.
			assertThat(upstream).contains("\"inlineData\"").contains(Base64.getEncoder().encodeToString(PNG))
				.doesNotContain(imageUrl);
		}
		else {
			assertThat(upstream).contains(imageUrl);
		}
	}

	/**
	 * A tool loop of three turns with thinking on, through Anthropic, with the SDK handing back
	 * each answer as it got it (its {@code thinking_blocks} too, which {@code toParam()} alone
	 * leaves out): the stub answers as Anthropic's API does, refusing a history whose thinking lost
	 * its signature or came back changed, so the conversation only completes when every signed
	 * block survives the OpenAI shape byte for byte.
	 */
	@Test
	void thinkingSurvivesAThreeTurnToolConversationThroughAnthropic() {
		ThinkingAnthropic anthropic = new ThinkingAnthropic();
		E2eProvider.ANTHROPIC.stub.reset();
		E2eProvider.ANTHROPIC.stub.on("/v1/messages", anthropic);
		ChatCompletionCreateParams.Builder ask = ChatCompletionCreateParams.builder()
			.model("r-anthropic")
			.reasoningEffort(ReasoningEffort.HIGH)
			.addUserMessage("What's the weather in Paris and in Lyon?")
			.addTool(weatherTool());
		for (String city : List.of("Paris", "Lyon")) {
			ChatCompletion turn = client().chat().completions().create(ask.build());
			ChatCompletionMessage message = turn.choices().get(0).message();
			ChatCompletionMessageFunctionToolCall call = message.toolCalls().orElseThrow().get(0).asFunction();
			assertThat(call.function().arguments()).contains(city);
			// toParam() leaves out what the SDK does not model; the thinking is handed back as received.
			ask.addMessage(message.toParam().toBuilder().additionalProperties(message._additionalProperties()).build())
				.addMessage(ChatCompletionToolMessageParam.builder().toolCallId(call.id()).content("sunny").build());
		}
		ChatCompletion last = client().chat().completions().create(ask.build());

		assertThat(last.choices().get(0).message().content()).contains("Both are sunny.");
		List<StubUpstream.Received> received = E2eProvider.ANTHROPIC.stub.received();
		assertThat(received).hasSize(3);
		JsonNode first = Json.MAPPER.readTree(received.get(0).body());
		assertThat(first.path("thinking")).isEqualTo(Json.object().put("type", "enabled").put("budget_tokens", 24576));
		assertThat(first.path("max_tokens").asInt()).as("the budget plus the provider's default answer room")
			.isEqualTo(24576 + 4096);
		JsonNode third = Json.MAPPER.readTree(received.get(2).body()).path("messages");
		assertThat(third.get(1).path("content").get(0).path("signature").asString()).isEqualTo(anthropic.signature(0));
		assertThat(third.get(3).path("content").get(0).path("signature").asString()).isEqualTo(anthropic.signature(1));

		// The same history without the thinking the SDK handed back is what Anthropic refuses.
		ChatCompletionCreateParams lost = ChatCompletionCreateParams.builder()
			.model("r-anthropic")
			.reasoningEffort(ReasoningEffort.HIGH)
			.addUserMessage("What's the weather in Paris and in Lyon?")
			.addTool(weatherTool())
			.addMessage(ChatCompletionAssistantMessageParam.builder()
				.addToolCall(ChatCompletionMessageFunctionToolCall.builder()
					.id("toolu_0")
					.function(ChatCompletionMessageFunctionToolCall.Function.builder()
						.name("get_weather")
						.arguments("{\"city\":\"Paris\"}")
						.build())
					.build())
				.build())
			.addMessage(ChatCompletionToolMessageParam.builder().toolCallId("toolu_0").content("sunny").build())
			.build();
		assertThatExceptionOfType(BadRequestException.class).isThrownBy(() -> client().chat().completions().create(lost))
			.withMessageContaining("Expected `thinking` or `redacted_thinking`, but found `tool_use`");
	}

	/**
	 * Anthropic's Messages API as it treats thinking in a tool loop: each answer thinks, signed,
	 * then calls {@code get_weather} for Paris, then for Lyon, then answers; a thinking block whose
	 * signature it did not issue for that very text, or a final assistant turn with tool calls that
	 * does not start with its thinking, is a 400 in Anthropic's words.
	 */
	static final class ThinkingAnthropic implements StubUpstream.Handler {

		private final Map<String, String> issued = new ConcurrentHashMap<>();

		/** Opaque, with the characters of base64 a careless copy mangles. */
		String signature(int turn) {
			return Base64.getEncoder().encodeToString(new byte[] { (byte) 0xfb, (byte) 0xff, (byte) 0xbf, (byte) turn })
					+ "EqQBCkgI+/==";
		}

		@Override
		public Publisher<Void> apply(StubUpstream.Received request, HttpServerResponse response) {
			JsonNode body = Json.MAPPER.readTree(request.body());
			String error = refusal(body.path("messages"), body.path("thinking").path("type").asString("").equals("enabled"));
			String answer;
			int status = 200;
			if (error != null) {
				status = 400;
				answer = Json.object().put("type", "error").set("error",
						Json.object().put("type", "invalid_request_error").put("message", error)).toString();
			}
			else {
				int turn = (int) body.path("messages").valueStream()
					.filter(m -> m.path("role").asString().equals("assistant"))
					.count();
				String thought = "Turn " + turn + ": I need the weather.";
				this.issued.put(signature(turn), thought);
				String action = (turn < 2)
						? "{\"type\":\"tool_use\",\"id\":\"toolu_" + turn + "\",\"name\":\"get_weather\",\"input\":{\"city\":\""
								+ ((turn == 0) ? "Paris" : "Lyon") + "\"}}"
						: "{\"type\":\"text\",\"text\":\"Both are sunny.\"}";
				answer = "{\"id\":\"msg_" + turn + "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-think\","
						+ "\"content\":[{\"type\":\"thinking\",\"thinking\":\"" + thought + "\",\"signature\":\""
						+ signature(turn) + "\"}," + action + "],\"stop_reason\":\"" + ((turn < 2) ? "tool_use" : "end_turn")
						+ "\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":20,\"output_tokens\":30}}";
			}
			return response.status(status).header("content-type", "application/json").sendString(Mono.just(answer)).then();
		}

		private String refusal(JsonNode messages, boolean thinking) {
			int lastAssistant = -1;
			for (int i = 0; i < messages.size(); i++) {
				JsonNode content = messages.get(i).path("content");
				if (!messages.get(i).path("role").asString().equals("assistant")) {
					continue;
				}
				lastAssistant = i;
				for (int j = 0; j < content.size(); j++) {
					JsonNode block = content.get(j);
					if (block.path("type").asString().equals("thinking")
							&& !block.path("thinking").asString().equals(this.issued.get(block.path("signature").asString()))) {
						return "messages." + i + ".content." + j + ": Invalid `signature` in `thinking` block";
					}
				}
			}
			if (thinking && lastAssistant >= 0) {
				JsonNode content = messages.get(lastAssistant).path("content");
				boolean calls = content.valueStream().anyMatch(b -> b.path("type").asString().equals("tool_use"));
				String type = content.path(0).path("type").asString();
				if (calls && !type.equals("thinking") && !type.equals("redacted_thinking")) {
					return "messages." + lastAssistant + ".content.0.type: Expected `thinking` or `redacted_thinking`, but "
							+ "found `" + type + "`. When `thinking` is enabled, a final `assistant` message must start "
							+ "with a thinking block (preceeding the lastmost set of `tool_use` and `tool_result` blocks).";
				}
			}
			return null;
		}

	}

	private static ChatCompletionFunctionTool weatherTool() {
		return ChatCompletionFunctionTool.builder()
			.function(FunctionDefinition.builder()
				.name("get_weather")
				.description("Current weather for a city")
				.parameters(FunctionParameters.builder()
					.putAdditionalProperty("type", JsonValue.from("object"))
					.putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
					.putAdditionalProperty("required", JsonValue.from(List.of("city")))
					.build())
				.build())
			.build();
	}

}
