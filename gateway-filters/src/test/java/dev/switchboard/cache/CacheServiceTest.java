package dev.switchboard.cache;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;

import dev.switchboard.cache.store.InMemoryCacheStore;
import dev.switchboard.catalog.ProviderSpec;
import dev.switchboard.core.RouteTarget;
import dev.switchboard.core.StreamAssembler;
import dev.switchboard.sse.SseEvent;
import dev.switchboard.testing.TestCatalogs;

import static dev.switchboard.cache.CacheFixtures.COMPLETION;
import static dev.switchboard.cache.CacheFixtures.REQUEST;
import static dev.switchboard.cache.CacheFixtures.json;
import static org.assertj.core.api.Assertions.assertThat;

class CacheServiceTest {

	static final byte[] TOOL_CALL = """
			{"id":"chatcmpl-2","object":"chat.completion","created":1,"model":"gpt-4o-mini",
			 "choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1",
			 "type":"function","function":{"name":"weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]},
			 "finish_reason":"tool_calls"}]}""".getBytes(StandardCharsets.UTF_8);

	private final InMemoryCacheStore store = new InMemoryCacheStore(100);

	private final CacheService service = new CacheService(this.store, CachePolicy.defaults());

	@Test
	void missThenStoreThenHit() {
		JsonNode request = json(REQUEST);
		CacheLookup miss = this.service.lookup("team-a", request, null).block();
		assertThat(miss.outcome()).isEqualTo(CacheLookup.Outcome.MISS);
		StepVerifier.create(this.service.offer(miss.key(), request, COMPLETION, null))
			.expectNextMatches(what -> what.startsWith("stored"))
			.verifyComplete();
		CacheLookup hit = this.service.lookup("team-a", request, null).block();
		assertThat(hit.outcome()).isEqualTo(CacheLookup.Outcome.HIT);
		assertThat(hit.completion()).isEqualTo(COMPLETION);
		assertThat(this.service.lookup("team-b", request, null).block().outcome())
			.isEqualTo(CacheLookup.Outcome.MISS);
	}

	@Test
	void aMissKeepsTheStaleAnswerOnlyWhileStaleIfErrorIsOn() {
		AtomicLong now = new AtomicLong();
		InMemoryCacheStore clocked = new InMemoryCacheStore(10, now::get);
		JsonNode request = json(REQUEST);
		CachePolicy policy = new CachePolicy(Duration.ofMinutes(1), 0.5, false, CachePolicy.Isolation.TEAM,
				Duration.ofMinutes(5));
		CacheService stale = new CacheService(clocked, policy);
		CacheKey key = stale.lookup("team-a", request, null).block().key();
		assertThat(stale.offer(key, request, COMPLETION, null).block()).startsWith("stored");

		now.addAndGet(Duration.ofSeconds(61).toNanos());
		CacheLookup miss = stale.lookup("team-a", request, null).block();
		assertThat(miss.outcome()).isEqualTo(CacheLookup.Outcome.MISS);
		assertThat(miss.stale()).isEqualTo(COMPLETION);
		assertThat(stale.lookup("team-b", request, null).block().stale()).as("another team's answer").isNull();

		CacheService off = new CacheService(clocked, new CachePolicy(Duration.ofMinutes(1), 0.5, false));
		assertThat(off.lookup("team-a", request, null).block().stale())
			.as("stale-if-error switched off: what the store still holds is not offered")
			.isNull();

		now.addAndGet(Duration.ofMinutes(5).toNanos());
		assertThat(stale.lookup("team-a", request, null).block().stale()).as("past the stale window").isNull();
	}

	/**
	 * Keyed on the model a request resolved to: two names of one model share an answer, and one
	 * name served by another model (an alias moved, a rollout's canary side) never gets the first one's.
	 */
	@Test
	void theKeyFollowsTheModelTheRequestResolvedToNotTheNameAsked() {
		RouteTarget old = target("gpt-4o-mini");
		RouteTarget canary = target("gpt-5-mini");
		JsonNode byAlias = CacheService.resolvedAs(json(REQUEST), old);
		JsonNode byId = CacheService.resolvedAs(json(REQUEST.replace("\"fast\"", "\"gpt-4o-mini\"")), old);
		assertThat(CacheKey.of("team-a", json(REQUEST)))
			.as("by name, the two would differ")
			.isNotEqualTo(CacheKey.of("team-a", json(REQUEST.replace("\"fast\"", "\"gpt-4o-mini\""))));
		assertThat(CacheKey.of("team-a", byAlias)).isEqualTo(CacheKey.of("team-a", byId));
		assertThat(CacheKey.of("team-a", CacheService.resolvedAs(json(REQUEST), canary)))
			.isNotEqualTo(CacheKey.of("team-a", byId));
		assertThat(byId.path("messages")).isEqualTo(json(REQUEST).path("messages"));
	}

	private static RouteTarget target(String upstream) {
		ProviderSpec provider = TestCatalogs.openAi("openai", URI.create("http://127.0.0.1:9/v1"));
		return new RouteTarget(TestCatalogs.chatModel(upstream, "openai", upstream), provider);
	}

	@Test
	void bypasses() {
		assertThat(this.service.lookup("team-a", json(REQUEST), "no-store").block().outcome())
			.isEqualTo(CacheLookup.Outcome.BYPASS);
		assertThat(this.service.lookup("team-a", json(REQUEST), "max-age=0, No-Cache").block().outcome())
			.isEqualTo(CacheLookup.Outcome.BYPASS);
		assertThat(this.service.lookup("team-a", json(REQUEST.replace("\"model\"", "\"n\":2,\"model\"")), null)
			.block()
			.outcome()).isEqualTo(CacheLookup.Outcome.BYPASS);
		assertThat(this.service.lookup("team-a", json(REQUEST.replace("\"temperature\":0", "\"temperature\":0.9")), null)
			.block()
			.reason()).isEqualTo("temperature 0.9 above 0.5");
		assertThat(this.service.lookup("team-a", json(REQUEST.replace("\"temperature\":0", "\"temperature\":0.5")), null)
			.block()
			.outcome()).isEqualTo(CacheLookup.Outcome.MISS);
		assertThat(this.service.lookup("team-a", json(REQUEST.replace("\"temperature\":0,", "")), null).block().outcome())
			.as("no temperature: the caller asked for no variety")
			.isEqualTo(CacheLookup.Outcome.MISS);
	}

	@Test
	void storesOnlyCompleteAnswersAndToolCallsWhenConfigured() {
		CacheKey key = new CacheKey("team-a", "k");
		byte[] filtered = new String(COMPLETION, StandardCharsets.UTF_8).replace("\"stop\"", "\"content_filter\"")
			.getBytes(StandardCharsets.UTF_8);
		assertThat(this.service.offer(key, json(REQUEST), filtered, null).block()).isEqualTo("not stored: finish_reason 'content_filter'");
		assertThat(this.service.offer(key, json(REQUEST), TOOL_CALL, null).block()).isEqualTo("not stored: tool calls");
		assertThat(this.service.offer(key, json(REQUEST), "{\"error\":{}}".getBytes(), null).block()).isEqualTo("not stored: no choices");
		assertThat(this.store.size()).isZero();

		CacheService tools = new CacheService(this.store, new CachePolicy(Duration.ofMinutes(1), 0.5, true));
		assertThat(tools.offer(key, json(REQUEST), TOOL_CALL, null).block()).startsWith("stored");
	}

	@Test
	void aStreamIsAssembledAndReplayedAsTheSameAnswer() {
		List<SseEvent> original = Replay.events(TOOL_CALL, false);
		StreamAssembler assembler = new StreamAssembler();
		original.forEach(assembler::accept);
		assertThat(assembler.completion()).isEqualTo(json(new String(TOOL_CALL, StandardCharsets.UTF_8)));

		List<SseEvent> replayed = Replay.events(COMPLETION, true);
		assertThat(replayed.get(replayed.size() - 1).isDone()).isTrue();
		assertThat(json(replayed.get(replayed.size() - 2).dataAsString()).path("usage").path("total_tokens").asInt())
			.isEqualTo(12);
		assertThat(Replay.events(COMPLETION, false)).hasSize(3);
		StreamAssembler again = new StreamAssembler();
		replayed.forEach(again::accept);
		assertThat(again.completion()).isEqualTo(json(new String(COMPLETION, StandardCharsets.UTF_8)));
	}

	@Test
	void aStreamInPiecesIsAssembled() {
		StreamAssembler assembler = new StreamAssembler();
		for (String data : List.of(
				"{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}",
				"{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Par\"},\"finish_reason\":null}]}",
				"{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"is.\"},\"finish_reason\":\"stop\"}]}")) {
			assembler.accept(SseEvent.data(data));
		}
		assertThat(assembler.completion()).as("not over before [DONE]").isNull();
		assembler.accept(SseEvent.DONE_EVENT);
		JsonNode completion = assembler.completion();
		assertThat(completion.path("object").asString()).isEqualTo("chat.completion");
		assertThat(completion.path("choices").get(0).path("message").path("content").asString()).isEqualTo("Paris.");
		assertThat(completion.path("choices").get(0).path("finish_reason").asString()).isEqualTo("stop");

		StreamAssembler failed = new StreamAssembler();
		failed.accept(SseEvent.data("{\"error\":{\"message\":\"boom\"}}"));
		failed.accept(SseEvent.DONE_EVENT);
		assertThat(failed.completion()).isNull();
	}

	@Test
	void theSemanticHookIsAskedAfterAnExactMissWithinTheTeamOnly() {
		List<CacheKey> indexed = new java.util.ArrayList<>();
		java.util.Map<String, CacheKey> byTeam = new java.util.HashMap<>();
		SemanticIndex index = new SemanticIndex() {
			@Override
			public reactor.core.publisher.Mono<Match> lookup(CacheKey exactKey, JsonNode request) {
				CacheKey stored = byTeam.get(request.path("team-of-match").asString(exactKey.team()));
				return reactor.core.publisher.Mono.justOrEmpty(stored).map(key -> new Match(key, 0.97, false));
			}

			@Override
			public reactor.core.publisher.Mono<Void> stored(CacheKey exactKey, JsonNode request,
					java.time.Duration ttl) {
				indexed.add(exactKey);
				byTeam.put(exactKey.team(), exactKey);
				return reactor.core.publisher.Mono.empty();
			}
		};
		CacheService semantic = new CacheService(this.store, CachePolicy.defaults(), index);
		JsonNode request = json(REQUEST);
		CacheKey key = semantic.lookup("team-a", request, null).block().key();
		semantic.offer(key, request, COMPLETION, null).block();
		assertThat(indexed).containsExactly(key);

		JsonNode paraphrase = json(REQUEST.replace("What is the capital of France?", "France's capital?"));
		CacheLookup hit = semantic.lookup("team-a", paraphrase, null).block();
		assertThat(hit.outcome()).isEqualTo(CacheLookup.Outcome.SEMANTIC_HIT);
		assertThat(hit.outcome().header()).isEqualTo("semantic-hit");
		assertThat(hit.completion()).isEqualTo(COMPLETION);
		assertThat(hit.reason()).contains("0.97");

		JsonNode fromTeamB = json(REQUEST.replace("\"model\"", "\"team-of-match\":\"team-a\",\"model\""));
		assertThat(semantic.lookup("team-b", fromTeamB, null).block().outcome())
			.as("a match in another team's namespace is never served")
			.isEqualTo(CacheLookup.Outcome.MISS);
	}

}
