package dev.switchboard.cache.semantic;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.cache.CacheKey;
import dev.switchboard.cache.CacheLookup;
import dev.switchboard.cache.CachePolicy;
import dev.switchboard.cache.CacheService;
import dev.switchboard.cache.SemanticIndex;
import dev.switchboard.cache.store.InMemoryCacheStore;
import dev.switchboard.core.Embedder;
import dev.switchboard.core.Json;

import static org.assertj.core.api.Assertions.assertThat;

/** The semantic tier with the real in-process embedder, alone and behind the cache service. */
class EmbeddingSemanticIndexTest {

	private static final byte[] ANSWER = """
			{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"fast","choices":[{"index":0,
			"message":{"role":"assistant","content":"Use the 'Forgot password' link."},"finish_reason":"stop"}],
			"usage":{"prompt_tokens":12,"completion_tokens":7,"total_tokens":19}}""".getBytes(StandardCharsets.UTF_8);

	@Test
	void aParaphraseInTheSameTeamIsASemanticHitAndAnotherTeamNeverIs() {
		CacheService cache = new CacheService(new InMemoryCacheStore(100), CachePolicy.defaults(),
				new EmbeddingSemanticIndex(MiniLm.embedder(), new InMemoryVectorStore(100), SemanticPolicy.defaults()));
		JsonNode question = request("How do I reset my password?");
		CacheLookup first = cache.lookup("team-a", question, null).block();
		assertThat(first.outcome()).isEqualTo(CacheLookup.Outcome.MISS);
		cache.offer(first.key(), question, ANSWER, null).block();

		CacheLookup paraphrase = cache.lookup("team-a", request("How can I reset my password?"), null).block();
		assertThat(paraphrase.outcome()).isEqualTo(CacheLookup.Outcome.SEMANTIC_HIT);
		assertThat(paraphrase.completion()).isEqualTo(ANSWER);
		assertThat(paraphrase.similarity()).isBetween(SemanticPolicy.DEFAULT_THRESHOLD, 1.0);

		assertThat(cache.lookup("team-b", question, null).block().outcome()).as("the same words, another team")
			.isEqualTo(CacheLookup.Outcome.MISS);
		assertThat(cache.lookup("team-a", request("How do I delete my account?"), null).block().outcome())
			.isEqualTo(CacheLookup.Outcome.MISS);
		JsonNode otherSystemPrompt = request("How can I reset my password?");
		((ObjectNode) otherSystemPrompt).withArray("messages")
			.insertObject(0)
			.put("role", "system")
			.put("content", "Answer in French.");
		assertThat(cache.lookup("team-a", otherSystemPrompt, null).block().outcome()).as("another system prompt")
			.isEqualTo(CacheLookup.Outcome.MISS);
	}

	@Test
	void shadowModeReportsTheWouldBeHitWithoutServingIt() {
		CacheService cache = new CacheService(new InMemoryCacheStore(100), CachePolicy.defaults(),
				new EmbeddingSemanticIndex(MiniLm.embedder(), new InMemoryVectorStore(100),
						new SemanticPolicy(0.94, true, true, Duration.ofSeconds(5))));
		JsonNode question = request("Who painted the Mona Lisa?");
		CacheLookup first = cache.lookup("team-a", question, null).block();
		cache.offer(first.key(), question, ANSWER, null).block();

		CacheLookup shadowed = cache.lookup("team-a", request("Which artist painted the Mona Lisa?"), null).block();
		assertThat(shadowed.outcome()).isEqualTo(CacheLookup.Outcome.MISS);
		assertThat(shadowed.completion()).isNull();
		assertThat(shadowed.reason()).contains("shadow: would serve " + first.key()).contains("at similarity 0.9");
	}

	@Test
	void anEntryKeepsTheThresholdAndTheEmbedderItWasStoredUnder() {
		InMemoryVectorStore vectors = new InMemoryVectorStore(100);
		JsonNode stored = request("What is the speed of light?");
		CacheKey storedKey = CacheKey.of("t", stored);
		new EmbeddingSemanticIndex(MiniLm.embedder(), vectors, new SemanticPolicy(0.995, false, true, Duration.ofSeconds(5)))
			.stored(storedKey, stored, Duration.ofMinutes(1))
			.block();
		JsonNode asked = request("What's the speed of light?");
		SemanticIndex loose = new EmbeddingSemanticIndex(MiniLm.embedder(), vectors, SemanticPolicy.defaults());
		assertThat(loose.lookup(CacheKey.of("t", asked), asked).blockOptional())
			.as("similarity 0.98 is above today's 0.94 but below the 0.995 it was stored under")
			.isEmpty();

		new EmbeddingSemanticIndex(MiniLm.embedder(), vectors, SemanticPolicy.defaults())
			.stored(storedKey, stored, Duration.ofMinutes(1))
			.block();
		assertThat(loose.lookup(CacheKey.of("t", asked), asked).block().key()).isEqualTo(storedKey);

		Embedder renamed = new Embedder() {
			@Override
			public String id() {
				return "another-model/384";
			}

			@Override
			public Mono<float[]> embed(String text) {
				return MiniLm.embedder().embed(text);
			}
		};
		assertThat(new EmbeddingSemanticIndex(renamed, vectors, SemanticPolicy.defaults())
			.lookup(CacheKey.of("t", asked), asked)
			.blockOptional()).as("vectors of another model are not comparable").isEmpty();
	}

	@Test
	void aSlowOrFailingEmbedderIsAMissWithinTheTimeout() {
		Embedder slow = new Embedder() {
			@Override
			public String id() {
				return "slow/384";
			}

			@Override
			public Mono<float[]> embed(String text) {
				return Mono.delay(Duration.ofSeconds(10)).map(tick -> new float[384]);
			}
		};
		JsonNode asked = request("anything");
		long start = System.nanoTime();
		assertThat(new EmbeddingSemanticIndex(slow, new InMemoryVectorStore(10),
				new SemanticPolicy(0.94, false, true, Duration.ofMillis(100)))
			.lookup(CacheKey.of("t", asked), asked)
			.blockOptional()).isEmpty();
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));

		Embedder failing = new Embedder() {
			@Override
			public String id() {
				return "failing/384";
			}

			@Override
			public Mono<float[]> embed(String text) {
				return Mono.error(new IllegalStateException("queue full"));
			}
		};
		SemanticIndex index = new EmbeddingSemanticIndex(failing, new InMemoryVectorStore(10), SemanticPolicy.defaults());
		assertThat(index.lookup(CacheKey.of("t", asked), asked).blockOptional()).isEmpty();
		assertThat(index.stored(CacheKey.of("t", asked), asked, Duration.ofMinutes(1)).blockOptional()).isEmpty();
	}

	static JsonNode request(String question) {
		ObjectNode request = Json.object().put("model", "fast");
		request.putArray("messages").addObject().put("role", "user").put("content", question);
		return request;
	}

}
