package dev.switchboard.sample;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.InternalServerException;
import com.openai.errors.NotFoundException;
import com.openai.errors.PermissionDeniedException;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessage;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.models.chat.completions.StructuredChatCompletion;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The sample gateway, on its embedded default, driven by the unmodified official OpenAI Java SDK.
 * Two simulated providers that always fail are added so the SDK's own error mapping is checked.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("faults")
class OpenAiSdkAgainstSampleTest {

	@LocalServerPort
	int port;

	private OpenAIClient client(String key) {
		return OpenAIOkHttpClient.builder()
			.baseUrl("http://127.0.0.1:" + this.port + "/v1")
			.apiKey(key)
			.maxRetries(0)
			.timeout(Duration.ofSeconds(10))
			.build();
	}

	@Test
	void chatCompletion() {
		ChatCompletion completion = client("sb-demo-key").chat()
			.completions()
			.create(ChatCompletionCreateParams.builder().model("fast").addUserMessage("hello from the SDK").build());
		assertThat(completion.choices().get(0).message().content()).contains("hello from the SDK");
		assertThat(completion.usage()).isPresent();
		assertThat(completion.usage().get().completionTokens()).isEqualTo(4);
	}

	@Test
	void streamingChatWithUsage() {
		ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
			.model("smart")
			.addUserMessage("tell me a story")
			.streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
			.build();
		try (StreamResponse<ChatCompletionChunk> stream = client("sb-demo-key").chat()
			.completions()
			.createStreaming(params)) {
			List<ChatCompletionChunk> chunks = stream.stream().toList();
			String text = chunks.stream()
				.flatMap(chunk -> chunk.choices().stream())
				.map(choice -> choice.delta().content().orElse(""))
				.collect(Collectors.joining());
			assertThat(text.split(" ")).hasSize(24);
			assertThat(chunks.size()).isGreaterThan(24);
			assertThat(chunks.get(chunks.size() - 1).usage()).get()
				.satisfies(usage -> assertThat(usage.completionTokens()).isEqualTo(24));
		}
	}

	@Test
	void modelsAreFilteredByTeam() {
		List<String> demo = client("sb-demo-key").models().list().autoPager().stream().map(Model::id).toList();
		assertThat(demo).contains("echo-small", "fast", "story-large", "smart", "embed-small");
		List<String> interns = client("sb-other-team-key").models().list().autoPager().stream().map(Model::id).toList();
		assertThat(interns).containsExactly("fast");
	}

	@Test
	void embeddings() {
		CreateEmbeddingResponse response = client("sb-demo-key").embeddings()
			.create(EmbeddingCreateParams.builder().model("embed-small").input("vector me").build());
		assertThat(response.data().get(0).embedding()).hasSize(16);
		assertThat(response.usage().promptTokens()).isPositive();
	}

	@Test
	void gatewayErrorsBecomeTheSdksOwnExceptions() {
		ChatCompletionCreateParams smart = ChatCompletionCreateParams.builder().model("smart").addUserMessage("hi").build();
		assertThatExceptionOfType(PermissionDeniedException.class)
			.isThrownBy(() -> client("sb-other-team-key").chat().completions().create(smart))
			.satisfies(ex -> assertThat(ex.code()).contains("model_not_allowed"));
		assertThatExceptionOfType(UnauthorizedException.class)
			.isThrownBy(() -> client("not-a-key").chat().completions().create(smart));
		assertThatExceptionOfType(NotFoundException.class).isThrownBy(() -> client("sb-demo-key").chat()
			.completions()
			.create(ChatCompletionCreateParams.builder().model("gpt-404").addUserMessage("hi").build()));
		assertThatExceptionOfType(BadRequestException.class).isThrownBy(() -> client("sb-demo-key").chat()
			.completions()
			.create(ChatCompletionCreateParams.builder().model("embed-small").addUserMessage("hi").build()));
	}

	@Test
	void providerFailuresReachTheSdkWithTheRightStatus() {
		assertThatExceptionOfType(RateLimitException.class).isThrownBy(() -> client("sb-demo-key").chat()
			.completions()
			.create(ChatCompletionCreateParams.builder().model("limited-model").addUserMessage("hi").build()))
			.satisfies(ex -> assertThat(ex.headers().values("retry-after")).containsExactly("1"));
		assertThatExceptionOfType(InternalServerException.class).isThrownBy(() -> client("sb-demo-key").chat()
			.completions()
			.create(ChatCompletionCreateParams.builder().model("broken-model").addUserMessage("hi").build()))
			.satisfies(ex -> assertThat(ex.statusCode()).isEqualTo(500));
	}

	/** A function tool as the SDK defines one: from a class, its name the class's. */
	public static class GetWeather {

		public String location;

	}

	/** A structured answer as the SDK defines one: its JSON Schema generated from the class. */
	public static class City {

		public String name;

		public long population;

	}

	@Test
	void toolCallingRoundTripsOnTheSimulator() {
		OpenAIClient client = client("sb-other-team-key");
		ChatCompletionCreateParams.Builder ask = ChatCompletionCreateParams.builder()
			.model("fast")
			.addUserMessage("What is the weather in Paris?")
			.addTool(GetWeather.class);
		ChatCompletion first = client.chat().completions().create(ask.build());
		assertThat(first.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
		ChatCompletionMessage message = first.choices().get(0).message();
		ChatCompletionMessageFunctionToolCall call = message.toolCalls().orElseThrow().get(0).asFunction();
		assertThat(call.function().name()).isEqualTo("GetWeather");
		assertThat(call.function().arguments(GetWeather.class).location).isEqualTo("Paris");

		ChatCompletion answer = client.chat().completions().create(ask.addMessage(message)
			.addMessage(ChatCompletionToolMessageParam.builder().toolCallId(call.id()).content("18 degrees and sunny").build())
			.build());
		assertThat(answer.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
		assertThat(answer.choices().get(0).message().content()).hasValueSatisfying(
				text -> assertThat(text).contains("18 degrees and sunny"));
	}

	@Test
	void structuredOutputsParseIntoTheSdksClass() {
		StructuredChatCompletion<City> completion = client("sb-other-team-key").chat()
			.completions()
			.create(ChatCompletionCreateParams.builder()
				.model("fast")
				.addUserMessage("Tell me about Paris")
				.responseFormat(City.class)
				.build());
		City city = completion.choices().get(0).message().content().orElseThrow();
		assertThat(city.name).isEqualTo("Paris");
		assertThat(city.population).isPositive();
	}

}
