package dev.switchboard.cache.semantic;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.switchboard.cache.CacheKey;
import dev.switchboard.core.Json;

import static org.assertj.core.api.Assertions.assertThat;

class SemanticScopeTest {

	private static final String BASE = """
			{"model":"fast","temperature":0,"messages":[
			 {"role":"system","content":"You are a support bot."},
			 {"role":"user","content":"QUESTION"}]}""";

	@Test
	void onlyTheLastUserTurnIsLeftToMeaning() {
		SemanticScope a = scope("team-a", BASE.replace("QUESTION", "How do I reset my password?"));
		SemanticScope b = scope("team-a", BASE.replace("QUESTION", "How can I reset my password?"));
		assertThat(a.scope()).isEqualTo(b.scope());
		assertThat(a.text()).isEqualTo("How do I reset my password?");
		assertThat(a.namespace()).isEqualTo("team-a");
	}

	@Test
	void everythingElseMustMatchExactly() {
		String base = scope("team-a", BASE).scope();
		assertThat(scope("team-b", BASE).scope()).as("namespace").isNotEqualTo(base);
		assertThat(scope("team-a", BASE.replace("fast", "smart")).scope()).as("model").isNotEqualTo(base);
		assertThat(scope("team-a", BASE.replace("support bot", "pirate")).scope()).as("system prompt")
			.isNotEqualTo(base);
		assertThat(scope("team-a", BASE.replace("\"temperature\":0", "\"temperature\":0.3")).scope())
			.as("parameters")
			.isNotEqualTo(base);
		assertThat(scope("team-a", BASE.replace("\"temperature\":0,", "\"tools\":[{\"type\":\"function\","
				+ "\"function\":{\"name\":\"lookup\"}}],")).scope())
			.as("tools")
			.isNotEqualTo(base);
		assertThat(scope("team-a", BASE.replace("{\"role\":\"user\"",
				"{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"assistant\",\"content\":\"Hello!\"},{\"role\":\"user\""))
			.scope()).as("earlier turns")
			.isNotEqualTo(base);
		assertThat(scope("team-a", BASE.replace("\"model\"", "\"stream\":true,\"user\":\"u-1\",\"model\"")).scope())
			.as("fields that never change the answer")
			.isEqualTo(base);
	}

	@Test
	void requestsWithoutAUserTextTurnHaveNoScope() {
		assertThat(scope("t", """
				{"model":"fast","messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello"}]}"""))
			.isNull();
		assertThat(scope("t", """
				{"model":"fast","messages":[{"role":"user","content":[{"type":"text","text":"What is this?"},
				 {"type":"image_url","image_url":{"url":"https://example.com/cat.png"}}]}]}""")).isNull();
		SemanticScope parts = scope("t", """
				{"model":"fast","messages":[{"role":"user","content":[{"type":"text","text":"one"},{"type":"text","text":"two"}]}]}""");
		assertThat(parts.text()).isEqualTo("one\ntwo");
	}

	private static SemanticScope scope(String team, String body) {
		JsonNode request = Json.MAPPER.readTree(body);
		return SemanticScope.of(CacheKey.of(team, request), request);
	}

}
