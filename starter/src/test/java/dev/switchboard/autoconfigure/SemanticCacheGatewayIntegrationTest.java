package dev.switchboard.autoconfigure;

import java.time.Duration;
import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.switchboard.autoconfigure.GatewayHttp.Answer;
import dev.switchboard.cache.filter.LlmCacheGatewayFilterFactory;
import dev.switchboard.cache.semantic.InMemoryVectorStore;
import dev.switchboard.core.Json;
import dev.switchboard.testing.StubUpstream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The semantic tier end to end over real HTTP, with the real in-process embedder: a paraphrase is
 * served the stored answer (as JSON or as a replayed stream) with no provider call, another team's
 * paraphrase and a near miss go to the provider, and the hit is counted as saved tokens and money.
 * Each test asks its own question, as answers outlive a test.
 */
@SpringBootTest(classes = GatewayTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("semantic-it")
class SemanticCacheGatewayIntegrationTest {

	static final String TEAM_A = "team-a-key";

	static final String TEAM_B = "team-b-key";

	@RegisterExtension
	static final StubProvider openai = new StubProvider();

	static final StubUpstream stub = openai.upstream();

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void providers(DynamicPropertyRegistry registry) {
		openai.serve(registry, "openai");
	}

	@BeforeEach
	void answerEveryQuestion() {
		answerEveryQuestionOn(stub);
	}

	/** Answers "Answer to <question>" as JSON, with usage 10 in and 3 out. */
	static void answerEveryQuestionOn(StubUpstream upstream) {
		upstream.on("/v1/chat/completions", (request, response) -> {
			JsonNode body = Json.MAPPER.readTree(request.body());
			String question = body.path("messages").get(0).path("content").asString();
			return response.status(200).header("content-type", "application/json").sendString(Mono.just("""
					{"id":"chatcmpl-j","object":"chat.completion","created":1,"model":"gpt-4o-mini",
					 "choices":[{"index":0,"message":{"role":"assistant","content":"Answer to %s"},"finish_reason":"stop"}],
					 "usage":{"prompt_tokens":10,"completion_tokens":3,"total_tokens":13}}""".formatted(question)))
				.then();
		});
	}

	@Test
	void aParaphraseIsServedTheStoredAnswerAsJsonOrStreamWithoutAProviderCall(@Autowired MeterRegistry meters,
			@Autowired InMemoryVectorStore vectors) {
		Answer miss = post(this.port, TEAM_A, ask("How do I reset my password?", false));
		assertThat(miss.cache()).isEqualTo("miss");
		assertThat(stub.received()).hasSize(1);
		awaitIndexed(vectors, 1);

		Answer hit = post(this.port, TEAM_A, ask("How can I reset my password?", false));
		assertThat(hit.status()).isEqualTo(200);
		assertThat(hit.cache()).isEqualTo("semantic-hit");
		assertThat(Double.parseDouble(hit.headers().get(LlmCacheGatewayFilterFactory.SIMILARITY_HEADER)))
			.isBetween(0.94, 1.0);
		assertThat(Json.MAPPER.readTree(hit.body()).path("choices").get(0).path("message").path("content").asString())
			.isEqualTo("Answer to How do I reset my password?");

		Answer streamed = post(this.port, TEAM_A, ask("How can I reset my password?", true));
		assertThat(streamed.cache()).isEqualTo("semantic-hit");
		assertThat(streamed.headers().get("content-type")).startsWith("text/event-stream");
		List<String> events = streamed.events();
		assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
		assertThat(streamed.content()).isEqualTo("Answer to How do I reset my password?");
		assertThat(stub.received()).as("both paraphrases answered by the gateway").hasSize(1);

		assertThat(meters.get("switchboard.cache.lookups").tag("team", "team-a").tag("outcome", "semantic-hit")
			.counter().count()).isEqualTo(2);
		assertThat(meters.get("switchboard.cache.saved.tokens").tag("team", "team-a").tag("gen_ai.token.type", "input")
			.counter().count()).isEqualTo(20);
		assertThat(meters.get("switchboard.cache.saved.cost").tag("team", "team-a").counter().count())
			.as("2 x (10 input at $1/M + 3 output at $4/M)")
			.isCloseTo(2 * (10 * 1.0 + 3 * 4.0) / 1_000_000, org.assertj.core.data.Offset.offset(1e-9));
	}

	@Test
	void anotherTeamsParaphraseAndANearMissGoToTheProvider() {
		assertThat(post(this.port, TEAM_A, ask("How do I cancel my subscription?", false)).cache()).isEqualTo("miss");
		Answer otherTeam = post(this.port, TEAM_B, ask("How can I cancel my subscription?", false));
		assertThat(otherTeam.cache()).isEqualTo("miss");
		assertThat(otherTeam.content()).isEqualTo("Answer to How can I cancel my subscription?");
		Answer nearMiss = post(this.port, TEAM_A, ask("How do I renew my subscription?", false));
		assertThat(nearMiss.cache()).isEqualTo("miss");
		assertThat(nearMiss.content()).isEqualTo("Answer to How do I renew my subscription?");
		assertThat(stub.received()).hasSize(3);
	}

	/** Answers are indexed just after they are sent: wait for it rather than race the next request. */
	static void awaitIndexed(InMemoryVectorStore vectors, int size) {
		long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
		while (vectors.size() < size && System.nanoTime() < deadline) {
			Thread.onSpinWait();
		}
		assertThat(vectors.size()).isGreaterThanOrEqualTo(size);
	}

	static String ask(String question, boolean stream) {
		return "{\"model\":\"fast\",\"temperature\":0," + (stream ? "\"stream\":true," : "")
				+ "\"messages\":[{\"role\":\"user\",\"content\":\"" + question + "\"}]}";
	}

	static Answer post(int port, String key, String body) {
		return GatewayHttp.chat(port, key, body);
	}

}
