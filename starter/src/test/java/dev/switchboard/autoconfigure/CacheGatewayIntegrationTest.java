package dev.switchboard.autoconfigure;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.switchboard.autoconfigure.GatewayHttp.Answer;
import dev.switchboard.core.Json;
import dev.switchboard.quota.admission.RateLimitHeaders;
import dev.switchboard.testing.StubUpstream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The exact cache end to end over real HTTP: a real gateway in front of a loopback stub provider
 * that counts what it is asked. Each test asks its own question, as answers outlive a test.
 */
@SpringBootTest(classes = GatewayTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("cache-it")
class CacheGatewayIntegrationTest {

	private static final String TEAM_A = "team-a-key";

	private static final String TEAM_B = "team-b-key";

	@RegisterExtension
	static final StubProvider openai = new StubProvider();

	private static final StubUpstream stub = openai.upstream();

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void providers(DynamicPropertyRegistry registry) {
		openai.serve(registry, "openai");
	}

	/** Answers "Answer to <question>" as JSON, or in three chunks plus usage when asked to stream. */
	@BeforeEach
	void answerEveryQuestion() {
		stub.on("/v1/chat/completions", (request, response) -> {
			JsonNode body = Json.MAPPER.readTree(request.body());
			String question = body.path("messages").get(0).path("content").asString();
			if (question.startsWith("tool")) {
				return response.status(200).header("content-type", "application/json").sendString(Mono.just("""
						{"id":"chatcmpl-t","object":"chat.completion","created":1,"model":"gpt-4o-mini",
						 "choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[
						 {"id":"call_1","type":"function","function":{"name":"f","arguments":"{}"}}]},
						 "finish_reason":"tool_calls"}],
						 "usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15}}""")).then();
			}
			if (question.startsWith("crash")) {
				return response.status(200).header("content-type", "text/event-stream").sendString(Flux.just(
						"data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
								+ "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"half\"},"
								+ "\"finish_reason\":null}]}\n\n")
					.concatWith(Flux.error(new IllegalStateException("provider crashed")))).then();
			}
			String answer = "Answer to " + question;
			if (body.path("stream").asBoolean(false)) {
				String head = "data: {\"id\":\"chatcmpl-s\",\"object\":\"chat.completion.chunk\",\"created\":1,"
						+ "\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,";
				return response.status(200).header("content-type", "text/event-stream").sendString(Flux.just(
						head + "\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n",
						head + "\"delta\":{\"content\":\"Answer to \"},\"finish_reason\":null}]}\n\n",
						head + "\"delta\":{\"content\":\"" + question + "\"},\"finish_reason\":\"stop\"}]}\n\n",
						"data: {\"id\":\"chatcmpl-s\",\"object\":\"chat.completion.chunk\",\"created\":1,"
								+ "\"model\":\"gpt-4o-mini\",\"choices\":[],\"usage\":{\"prompt_tokens\":10,"
								+ "\"completion_tokens\":3,\"total_tokens\":13}}\n\n",
						"data: [DONE]\n\n")).then();
			}
			return response.status(200).header("content-type", "application/json").sendString(Mono.just("""
					{"id":"chatcmpl-j","object":"chat.completion","created":1,"model":"gpt-4o-mini",
					 "choices":[{"index":0,"message":{"role":"assistant","content":"%s"},"finish_reason":"stop"}],
					 "usage":{"prompt_tokens":10,"completion_tokens":3,"total_tokens":13}}""".formatted(answer)))
				.then();
		});
	}

	Answer post(String key, String body, Map<String, String> headers) {
		return GatewayHttp.post(this.port, "/v1/chat/completions", key, body, headers);
	}

	Answer post(String key, String body) {
		return post(key, body, Map.of());
	}

	static String ask(String question, String extra) {
		return "{\"model\":\"fast\",\"temperature\":0," + extra + "\"messages\":[{\"role\":\"user\",\"content\":\""
				+ question + "\"}]}";
	}

	@Test
	void aRepeatedQuestionIsAnsweredFromTheCacheWithoutAProviderCallOrQuota() {
		Answer miss = post(TEAM_A, ask("capital of France", ""));
		assertThat(miss.status()).isEqualTo(200);
		assertThat(miss.cache()).isEqualTo("miss");
		assertThat(miss.headers().get(RateLimitHeaders.REMAINING_REQUESTS)).isNotNull();

		Answer hit = post(TEAM_A, ask("capital of France", ""));
		assertThat(hit.status()).isEqualTo(200);
		assertThat(hit.cache()).isEqualTo("hit");
		assertThat(Json.MAPPER.readTree(hit.body())).isEqualTo(Json.MAPPER.readTree(miss.body()));
		assertThat(hit.headers().get(RateLimitHeaders.REMAINING_REQUESTS)).as("no quota on a hit").isNull();
		assertThat(stub.received()).hasSize(1);
	}

	@Test
	void anotherTeamAskingTheSameMisses() {
		assertThat(post(TEAM_A, ask("capital of Spain", "")).cache()).isEqualTo("miss");
		assertThat(post(TEAM_B, ask("capital of Spain", "")).cache()).isEqualTo("miss");
		assertThat(post(TEAM_B, ask("capital of Spain", "")).cache()).isEqualTo("hit");
		assertThat(stub.received()).hasSize(2);
	}

	@Test
	void aStreamedMissIsStoredAndReplayedAsAStreamOrAsJson() {
		Answer miss = post(TEAM_A, ask("capital of Italy", "\"stream\":true,"));
		assertThat(miss.cache()).isEqualTo("miss");
		assertThat(miss.content()).isEqualTo("Answer to capital of Italy");

		Answer streamHit = post(TEAM_A, ask("capital of Italy", "\"stream\":true,"));
		assertThat(streamHit.cache()).isEqualTo("hit");
		assertThat(streamHit.headers().get("content-type")).startsWith("text/event-stream");
		assertThat(streamHit.content()).isEqualTo(miss.content());
		assertThat(streamHit.events()).last().isEqualTo("[DONE]");
		assertThat(streamHit.events()).noneMatch(data -> data.contains("\"usage\""));

		Answer withUsage = post(TEAM_A,
				ask("capital of Italy", "\"stream\":true,\"stream_options\":{\"include_usage\":true},"));
		assertThat(withUsage.cache()).isEqualTo("hit");
		List<String> events = withUsage.events();
		assertThat(Json.MAPPER.readTree(events.get(events.size() - 2)).path("usage").path("total_tokens").asInt())
			.isEqualTo(13);

		Answer jsonHit = post(TEAM_A, ask("capital of Italy", ""));
		assertThat(jsonHit.cache()).isEqualTo("hit");
		assertThat(jsonHit.content()).isEqualTo(miss.content());
		assertThat(stub.received()).hasSize(1);
	}

	@Test
	void aJsonMissIsReplayedAsAStream() {
		Answer miss = post(TEAM_A, ask("capital of Peru", ""));
		Answer streamHit = post(TEAM_A, ask("capital of Peru", "\"stream\":true,"));
		assertThat(streamHit.cache()).isEqualTo("hit");
		assertThat(streamHit.content()).isEqualTo(miss.content()).isEqualTo("Answer to capital of Peru");
		assertThat(streamHit.events()).last().isEqualTo("[DONE]");
		assertThat(stub.received()).hasSize(1);
	}

	@Test
	void bypassesNeitherReadNorWrite() {
		String hot = "{\"model\":\"fast\",\"temperature\":0.9,\"messages\":[{\"role\":\"user\",\"content\":\"poem\"}]}";
		assertThat(post(TEAM_A, hot).cache()).isEqualTo("bypass");
		assertThat(post(TEAM_A, hot).cache()).isEqualTo("bypass");

		assertThat(post(TEAM_A, ask("capital of Chile", "\"n\":2,")).cache()).isEqualTo("bypass");
		assertThat(post(TEAM_A, ask("capital of Chile", ""), Map.of("cache-control", "no-store")).cache())
			.isEqualTo("bypass");
		assertThat(post(TEAM_A, ask("capital of Chile", ""), Map.of("cache-control", "no-cache")).cache())
			.isEqualTo("bypass");
		assertThat(post(TEAM_A, ask("capital of Chile", "")).cache()).as("bypasses stored nothing").isEqualTo("miss");
		assertThat(stub.received()).hasSize(6);
	}

	@Test
	void aStreamCutBeforeDoneIsNotStored() {
		Answer cut = post(TEAM_A, ask("crash now", "\"stream\":true,"));
		assertThat(cut.cache()).isEqualTo("miss");
		assertThat(cut.events()).doesNotContain("[DONE]");
		assertThat(post(TEAM_A, ask("crash now", "\"stream\":true,")).cache()).isEqualTo("miss");
		assertThat(stub.received()).hasSize(2);
	}

	@Test
	void theShortcutSetsTheRouteTtl(@Autowired RouteLocator routes) {
		Route route = routes.getRoutes().filter(r -> r.getId().equals("llm")).blockFirst();
		assertThat(route.getFilters()).anySatisfy(filter -> assertThat(filter.toString()).contains("LlmCache")
			.contains("PT10M"));
	}

	@Test
	void toolCallsAreNotStoredByDefault() {
		assertThat(post(TEAM_A, ask("tool please", "")).cache()).isEqualTo("miss");
		assertThat(post(TEAM_A, ask("tool please", "")).cache()).isEqualTo("miss");
		assertThat(stub.received()).hasSize(2);
	}

}
