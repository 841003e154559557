package dev.switchboard.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.switchboard.core.Json;
import dev.switchboard.mock.MockBehavior;
import dev.switchboard.mock.MockLlmServer;
import dev.switchboard.sse.SseDecoder;
import dev.switchboard.sse.SseEvent;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The simulated provider speaking Anthropic's Messages format, behind a provider of type
 * {@code anthropic}: the gateway translates the client's OpenAI request to {@code /v1/messages} and
 * the answer back, and the client gets the same OpenAI completion (JSON and stream) as from the
 * pass-through provider on the same mock. What the translation benchmark relies on.
 */
@SpringBootTest(classes = GatewayTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("anthropic-mock")
class MockAnthropicTranslationTest {

	private static final MockLlmServer mock = MockLlmServer.start(MockBehavior.instant().withStreaming(0, 50));

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void providers(DynamicPropertyRegistry registry) {
		registry.add("switchboard.providers.openai.base-url", () -> mock.baseUrl().toString());
		registry.add("switchboard.providers.anthropic.base-url", () -> mock.baseUrl().toString());
	}

	@AfterAll
	static void stop() {
		mock.close();
	}

	@Test
	void translatedJsonEqualsThePassThroughAnswer() {
		long messagesBefore = mock.messagesRequests();
		JsonNode passThrough = Json.MAPPER.readTree(post("story-openai", false, ""));
		JsonNode translated = Json.MAPPER.readTree(post("story-anthropic", false, ""));
		assertThat(mock.messagesRequests()).as("went to /v1/messages").isEqualTo(messagesBefore + 1);

		assertThat(translated.path("object").asString()).isEqualTo("chat.completion");
		assertThat(translated.path("id").asString()).startsWith("msg_mock");
		assertThat(translated.path("model").asString()).isEqualTo("story-large");
		JsonNode choice = translated.path("choices").get(0);
		assertThat(choice.path("message").path("role").asString()).isEqualTo("assistant");
		assertThat(choice.path("message").path("content").asString())
			.isEqualTo(passThrough.path("choices").get(0).path("message").path("content").asString())
			.isNotBlank();
		assertThat(choice.path("finish_reason").asString()).isEqualTo("stop");
		assertThat(translated.path("usage").path("prompt_tokens").asLong())
			.isEqualTo(passThrough.path("usage").path("prompt_tokens").asLong());
		assertThat(translated.path("usage").path("completion_tokens").asLong()).isEqualTo(50);
		assertThat(translated.path("usage").path("total_tokens").asLong())
			.isEqualTo(passThrough.path("usage").path("total_tokens").asLong());

		JsonNode cut = Json.MAPPER.readTree(post("story-anthropic", false, ",\"max_tokens\":5"));
		assertThat(cut.path("choices").get(0).path("finish_reason").asString()).isEqualTo("length");
		assertThat(cut.path("usage").path("completion_tokens").asLong()).isEqualTo(5);
	}

	@Test
	void translatedStreamCarriesEveryTokenAsAnOpenAiChunk() {
		String options = ",\"stream\":true,\"stream_options\":{\"include_usage\":true}";
		List<JsonNode> passThrough = chunks(post("story-openai", true, options));
		List<JsonNode> translated = chunks(post("story-anthropic", true, options));

		assertThat(text(translated)).isEqualTo(text(passThrough)).isNotBlank();
		// one chunk per token, as the provider sent them, plus role, finish and usage chunks
		long contentChunks = translated.stream()
			.filter(c -> !c.path("choices").path(0).path("delta").path("content").asString("").isEmpty())
			.count();
		assertThat(contentChunks).isEqualTo(50);
		assertThat(translated.get(0).path("choices").get(0).path("delta").path("role").asString()).isEqualTo("assistant");
		assertThat(translated).allSatisfy(c -> {
			assertThat(c.path("object").asString()).isEqualTo("chat.completion.chunk");
			assertThat(c.path("id").asString()).startsWith("msg_mock");
		});
		assertThat(translated.stream().map(c -> c.path("choices").path(0).path("finish_reason").asString(""))
			.filter(r -> !r.isEmpty())).containsExactly("stop");
		JsonNode usage = translated.get(translated.size() - 1).path("usage");
		assertThat(usage.path("completion_tokens").asLong()).isEqualTo(50);
		assertThat(usage.path("prompt_tokens").asLong())
			.isEqualTo(passThrough.get(passThrough.size() - 1).path("usage").path("prompt_tokens").asLong());
	}

	private static String text(List<JsonNode> chunks) {
		StringBuilder text = new StringBuilder();
		chunks.forEach(c -> text.append(c.path("choices").path(0).path("delta").path("content").asString("")));
		return text.toString();
	}

	/** The chunks of an OpenAI stream, which must end with {@code [DONE]}. */
	private static List<JsonNode> chunks(String body) {
		List<SseEvent> events = new SseDecoder().decode(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
		assertThat(events).isNotEmpty();
		assertThat(events.get(events.size() - 1).isDone()).as("ends with [DONE]: " + body).isTrue();
		List<JsonNode> chunks = new ArrayList<>();
		events.subList(0, events.size() - 1).forEach(e -> chunks.add(Json.MAPPER.readTree(e.data())));
		return chunks;
	}

	private String post(String model, boolean stream, String extra) {
		String body = "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Tell me\"}]" + extra + "}";
		return HttpClient.create()
			.headers(h -> h.set("content-type", "application/json").set("authorization", "Bearer team-a-key"))
			.post()
			.uri("http://127.0.0.1:" + this.port + "/v1/chat/completions")
			.send((request, out) -> out.sendString(Mono.just(body)))
			.responseSingle((response, content) -> content.asString().defaultIfEmpty("").map(text -> {
				assertThat(response.status().code()).as(model + ": " + text).isEqualTo(200);
				return text;
			}))
			.block(Duration.ofSeconds(10));
	}

}
