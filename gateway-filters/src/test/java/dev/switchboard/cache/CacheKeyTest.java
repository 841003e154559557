package dev.switchboard.cache;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import static dev.switchboard.cache.CacheFixtures.REQUEST;
import static dev.switchboard.cache.CacheFixtures.json;

class CacheKeyTest {

	@Test
	void sameRequestSameKeyWhateverTheFieldOrder() {
		JsonNode reordered = json("""
				{"messages":[{"content":"What is the capital of France?","role":"user"}],
				 "max_tokens":50,"temperature":0,"model":"fast"}""");
		assertThat(CacheKey.of("team-a", reordered)).isEqualTo(CacheKey.of("team-a", json(REQUEST)));
	}

	@Test
	void anotherTeamAnotherKey() {
		assertThat(CacheKey.of("team-b", json(REQUEST)).hash()).isNotEqualTo(CacheKey.of("team-a", json(REQUEST)).hash());
	}

	@Test
	void streamUserAndMetadataDoNotMatter() {
		JsonNode streamed = json("""
				{"model":"fast","temperature":0,"max_tokens":50,"stream":true,
				 "stream_options":{"include_usage":true},"user":"u-1","metadata":{"a":"b"},
				 "messages":[{"role":"user","content":"What is the capital of France?"}]}""");
		assertThat(CacheKey.of("team-a", streamed)).isEqualTo(CacheKey.of("team-a", json(REQUEST)));
	}

	@Test
	void promptCachingHintsDoNotMakeAnotherQuestion() {
		JsonNode plain = json("""
				{"model":"fast","messages":[{"role":"system","content":[{"type":"text","text":"You are terse."}]},
				 {"role":"user","content":"Hi"}],
				 "tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]}""");
		JsonNode hinted = json("""
				{"model":"fast","cache_control":{"type":"ephemeral"},
				 "messages":[{"role":"system","content":[{"type":"text","text":"You are terse.",
				   "cache_control":{"type":"ephemeral","ttl":"1h"}}]},
				 {"role":"user","content":"Hi","cache_control":{"type":"ephemeral"}}],
				 "tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}},
				   "cache_control":{"type":"ephemeral","ttl":"5m"}}]}""");
		assertThat(CacheKey.of("team-a", hinted)).isEqualTo(CacheKey.of("team-a", plain));
	}

	@Test
	void promptCachingHintsOnAFrontDoorsOwnFieldsDoNotMakeAnotherQuestion() {
		JsonNode plain = json("""
				{"model":"fast","messages":[{"role":"user","content":"Hi"}],
				 "$native":{"server_tools":[{"type":"web_search_20250305","name":"web_search"}]}}""");
		JsonNode hinted = json("""
				{"model":"fast","messages":[{"role":"user","content":"Hi"}],
				 "$native":{"cache_control":{"type":"ephemeral"},
				   "server_tools":[{"type":"web_search_20250305","name":"web_search","cache_control":{"type":"ephemeral"}}]}}""");
		assertThat(CacheKey.of("team-a", hinted)).isEqualTo(CacheKey.of("team-a", plain));
	}

	@Test
	void aToolParameterNamedCacheControlIsStillPartOfTheQuestion() {
		JsonNode without = json("""
				{"model":"fast","messages":[{"role":"user","content":"Hi"}],
				 "tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{}}}}]}""");
		JsonNode with = json("""
				{"model":"fast","messages":[{"role":"user","content":"Hi"}],
				 "tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object",
				   "properties":{"cache_control":{"type":"string"}}}}}]}""");
		assertThat(CacheKey.of("team-a", with)).isNotEqualTo(CacheKey.of("team-a", without));
	}

	@Test
	void maxTokensAndMaxCompletionTokensAreTheSame() {
		JsonNode renamed = json(REQUEST.replace("max_tokens", "max_completion_tokens"));
		assertThat(CacheKey.of("team-a", renamed)).isEqualTo(CacheKey.of("team-a", json(REQUEST)));
	}

	@Test
	void whatChangesTheAnswerChangesTheKey() {
		CacheKey base = CacheKey.of("team-a", json(REQUEST));
		assertThat(CacheKey.of("team-a", json(REQUEST.replace("\"temperature\":0", "\"temperature\":0.2"))))
			.isNotEqualTo(base);
		assertThat(CacheKey.of("team-a", json(REQUEST.replace("France", "Germany")))).isNotEqualTo(base);
		assertThat(CacheKey.of("team-a", json(REQUEST.replace("fast", "smart")))).isNotEqualTo(base);
		assertThat(CacheKey.of("team-a", json(REQUEST.replace("\"max_tokens\":50", "\"max_tokens\":51"))))
			.isNotEqualTo(base);
		assertThat(CacheKey.of("team-a", json(REQUEST.replace("\"model\"", "\"seed\":7,\"model\"")))).isNotEqualTo(base);
		assertThat(CacheKey.of("team-a", json(REQUEST.replace("\"model\"",
				"\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],\"model\"")))).isNotEqualTo(base);
		assertThat(CacheKey.of("team-a", json(REQUEST.replace("\"model\"",
				"\"response_format\":{\"type\":\"json_object\"},\"model\"")))).isNotEqualTo(base);
	}

	@Test
	void redisKeyIsNamespacedByTeam() {
		CacheKey key = CacheKey.of("team-a", json(REQUEST));
		assertThat(key.redisKey("sb:cache")).isEqualTo("sb:cache:{team-a}:" + key.hash());
		assertThat(key.hash()).hasSize(64);
	}

	@Test
	void teamIsMandatory() {
		assertThatIllegalArgumentException().isThrownBy(() -> CacheKey.of(" ", json(REQUEST)));
	}

}
