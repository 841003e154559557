package dev.switchboard.autoconfigure;

import java.util.Locale;
import java.util.TreeSet;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.switchboard.cache.semantic.InMemoryVectorStore;
import dev.switchboard.core.Embedder;
import dev.switchboard.core.Json;
import dev.switchboard.dispatch.GatewayEmbedder;
import dev.switchboard.testing.StubUpstream;

import static dev.switchboard.autoconfigure.SemanticCacheGatewayIntegrationTest.TEAM_A;
import static dev.switchboard.autoconfigure.SemanticCacheGatewayIntegrationTest.ask;
import static dev.switchboard.autoconfigure.SemanticCacheGatewayIntegrationTest.post;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code semantic.embedding-model}: prompts are embedded by an embeddings model of the catalog,
 * called through the gateway's dispatcher with the provider's key. The stub provider answers
 * {@code /v1/embeddings} in OpenAI's format with a bag-of-words vector, so prompts with the same words
 * in another order (and only those) are near.
 */
@SpringBootTest(classes = GatewayTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		// The whole models list: properties replace a YAML list, they do not add to it.
		properties = { "switchboard.cache.semantic.embedding-model=embed-test", "switchboard.models[0].id=gpt-test",
				"switchboard.models[0].provider=openai", "switchboard.models[0].upstream-model=gpt-4o-mini",
				"switchboard.models[0].aliases=fast", "switchboard.models[1].id=embed-test", "switchboard.models[1].provider=openai",
				"switchboard.models[1].upstream-model=text-embedding-3-small",
				"switchboard.models[1].capabilities=embeddings" })
@ActiveProfiles("semantic-it")
class SemanticCacheGatewayEmbedderIntegrationTest {

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
	void answer() {
		SemanticCacheGatewayIntegrationTest.answerEveryQuestionOn(stub);
		stub.on("/v1/embeddings", (request, response) -> {
			JsonNode body = Json.MAPPER.readTree(request.body());
			ObjectNode answer = Json.object().put("object", "list").put("model", body.path("model").asString());
			ArrayNode data = answer.putArray("data");
			JsonNode input = body.path("input");
			java.util.List<String> texts = new java.util.ArrayList<>();
			if (input.isArray()) {
				input.forEach(text -> texts.add(text.asString()));
			}
			else {
				texts.add(input.asString());
			}
			for (int i = 0; i < texts.size(); i++) {
				ArrayNode vector = data.addObject().put("object", "embedding").put("index", i).putArray("embedding");
				for (double value : bagOfWords(texts.get(i))) {
					vector.add(value);
				}
			}
			answer.putObject("usage").put("prompt_tokens", 5).put("total_tokens", 5);
			return response.status(200).header("content-type", "application/json")
				.sendString(Mono.just(Json.MAPPER.writeValueAsString(answer))).then();
		});
	}

	@Test
	void promptsAreEmbeddedByTheCatalogModelThroughTheGateway(@Autowired Embedder embedder,
			@Autowired InMemoryVectorStore vectors) {
		assertThat(embedder).isInstanceOf(GatewayEmbedder.class);
		assertThat(embedder.id()).isEqualTo("gateway:embed-test");

		assertThat(post(this.port, TEAM_A, ask("reset my password how do I", false)).cache()).isEqualTo("miss");
		SemanticCacheGatewayIntegrationTest.awaitIndexed(vectors, 1);
		var hit = post(this.port, TEAM_A, ask("how do I reset my password", false));
		assertThat(hit.cache()).isEqualTo("semantic-hit");
		assertThat(hit.content()).isEqualTo("Answer to reset my password how do I");
		assertThat(post(this.port, TEAM_A, ask("how do I delete my account", false)).cache()).isEqualTo("miss");

		var embeddingCalls = stub.received().stream().filter(r -> r.path().endsWith("/embeddings")).toList();
		assertThat(embeddingCalls).hasSizeGreaterThanOrEqualTo(3);
		assertThat(embeddingCalls.get(0).headers().get("authorization"))
			.isEqualTo("Bearer provider-secret-key-0123456789");
		assertThat(Json.MAPPER.readTree(embeddingCalls.get(0).body()).path("model").asString())
			.isEqualTo("text-embedding-3-small");
	}

	@Test
	void embeddingsRequestsAreCachedExactlyPerTeam() {
		String body = "{\"model\":\"embed-test\",\"input\":[\"what is my password\",\"delete my account\"]}";
		var miss = embed(TEAM_A, body);
		assertThat(miss.cache()).isEqualTo("miss");
		var hit = embed(TEAM_A, body);
		assertThat(hit.cache()).isEqualTo("hit");
		assertThat(Json.MAPPER.readTree(hit.body())).isEqualTo(Json.MAPPER.readTree(miss.body()));
		assertThat(embed(SemanticCacheGatewayIntegrationTest.TEAM_B, body).cache()).isEqualTo("miss");
		assertThat(stub.received().stream().filter(r -> r.body().contains("delete my account")).count())
			.as("one provider call per team").isEqualTo(2);
	}

	private GatewayHttp.Answer embed(String key, String body) {
		return GatewayHttp.post(this.port, "/v1/embeddings", key, body, java.util.Map.of());
	}

	/** One dimension per word of a small vocabulary, 1 when the prompt has it. */
	static double[] bagOfWords(String text) {
		String[] vocabulary = { "how", "do", "i", "reset", "my", "password", "delete", "account", "what", "is" };
		TreeSet<String> words = new TreeSet<>();
		for (String word : text.toLowerCase(Locale.ROOT).split("[^a-z]+")) {
			words.add(word);
		}
		double[] vector = new double[vocabulary.length];
		for (int i = 0; i < vocabulary.length; i++) {
			vector[i] = words.contains(vocabulary[i]) ? 1 : 0;
		}
		return vector;
	}

}
