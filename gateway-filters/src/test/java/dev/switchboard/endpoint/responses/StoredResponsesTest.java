package dev.switchboard.endpoint.responses;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;

import dev.switchboard.core.Json;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.LlmResponse;
import dev.switchboard.core.NativeRequest;
import dev.switchboard.core.Operation;
import dev.switchboard.core.Team;
import dev.switchboard.endpoint.door.InboundDoor.Inbound;
import dev.switchboard.endpoint.responses.store.InMemoryResponseStore;
import dev.switchboard.endpoint.responses.store.ResponseStore;
import dev.switchboard.sse.SseEvent;
import dev.switchboard.testing.TestCatalogs;

import static dev.switchboard.testing.CanonicalChunks.chunk;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The Responses door with a store: what it keeps, for whom, how a request continues a kept
 * conversation, and the read, list and delete calls on kept responses.
 */
class StoredResponsesTest {

	private static final Team TEAM_A = Team.unrestricted("team-a");

	private static final Team TEAM_B = Team.unrestricted("team-b");

	private static final byte[] PARIS = """
			{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,
			 "message":{"role":"assistant","content":null,
			   "tool_calls":[{"id":"call_1","type":"function","function":{"name":"weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]},
			 "finish_reason":"tool_calls"}],"usage":{"prompt_tokens":12,"completion_tokens":5,"total_tokens":17}}""".getBytes();

	private final InMemoryResponseStore store = new InMemoryResponseStore(1 << 20, Duration.ofHours(1));

	private final ResponsesDoor door = new ResponsesDoor(this.store);

	@Test
	void aWholeAnswerIsKeptForItsTeamBeforeItIsWritten() {
		LlmResponse rendered = render("{\"model\":\"gpt-test\",\"input\":\"Weather in Paris?\"}", PARIS);
		JsonNode answer = Json.MAPPER.readTree(rendered.json());
		String id = answer.path("id").asString();
		assertThat(answer.path("store").asBoolean()).isTrue();
		assertThat(this.store.size()).as("nothing kept until the writer runs the work before writing").isZero();

		rendered.beforeWrite().block();

		assertThat(Json.MAPPER.readTree(get("/v1/responses/" + id, TEAM_A))).isEqualTo(answer);
		assertThat(error(() -> get("/v1/responses/" + id, TEAM_B)).status()).as("another team's: not found").isEqualTo(404);
	}

	@Test
	void storeFalseKeepsNothing() {
		LlmResponse rendered = render("{\"model\":\"gpt-test\",\"input\":\"hi\",\"store\":false}", PARIS);
		assertThat(Json.MAPPER.readTree(rendered.json()).path("store").asBoolean(true)).isFalse();
		assertThat(rendered.beforeWrite()).isNull();
		assertThat(this.store.size()).isZero();
	}

	@Test
	void aRequestContinuesTheConversationItNames() {
		LlmResponse first = render("{\"model\":\"gpt-test\",\"instructions\":\"Old rules.\",\"input\":\"Weather in Paris?\"}",
				PARIS);
		first.beforeWrite().block();
		String id = Json.MAPPER.readTree(first.json()).path("id").asString();

		Inbound next = read("""
				{"model":"gpt-test","instructions":"Be brief.","previous_response_id":"%s",
				 "input":[{"type":"function_call_output","call_id":"call_1","output":"18C, sunny"}]}""".formatted(id), TEAM_A);

		assertThat(next.canonical().path("messages")).as("its own instructions, the turns so far, then its input")
			.isEqualTo(Json.MAPPER.readTree("""
					[{"role":"system","content":"Be brief."},
					 {"role":"user","content":[{"type":"text","text":"Weather in Paris?"}]},
					 {"role":"assistant","tool_calls":[{"id":"call_1","type":"function",
					   "function":{"name":"weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]},
					 {"role":"tool","tool_call_id":"call_1","content":"18C, sunny"}]"""));
		JsonNode input = next.nativeRequest().body().path("input");
		assertThat(input).as("the kept request holds the whole conversation").hasSize(3);
		assertThat(input.get(1).path("type").asString()).isEqualTo("function_call");
		assertThat(next.nativeRequest().unexpressedNames()).doesNotContain("previous_response_id");

		LlmExchange exchange = exchange(next);
		JsonNode answer = Json.MAPPER.readTree(this.door.render(exchange, LlmResponse.json(200, """
				{"choices":[{"message":{"content":"Sunny, 18C."},"finish_reason":"stop"}]}""".getBytes(), null)).json());
		assertThat(answer.path("previous_response_id").asString()).isEqualTo(id);
	}

	@Test
	void anUnknownOrAnotherTeamsPreviousResponseIsA400() {
		LlmResponse first = render("{\"model\":\"gpt-test\",\"input\":\"hi\"}", PARIS);
		first.beforeWrite().block();
		String id = Json.MAPPER.readTree(first.json()).path("id").asString();
		for (String[] attempt : new String[][] { { "resp_unknown", "team-a" }, { id, "team-b" } }) {
			LlmApiException error = error(() -> read("{\"model\":\"gpt-test\",\"input\":\"more\",\"previous_response_id\":\""
					+ attempt[0] + "\"}", Team.unrestricted(attempt[1])));
			assertThat(error.status()).isEqualTo(400);
			assertThat(error.code()).isEqualTo("previous_response_not_found");
			assertThat(error.param()).isEqualTo("previous_response_id");
			assertThat(error.getMessage()).isEqualTo("Previous response with id '" + attempt[0] + "' not found.");
		}
	}

	@Test
	void aStreamedAnswerIsKeptBeforeItsCompletedEventLeaves() {
		AtomicBoolean kept = new AtomicBoolean();
		ResponseStore slow = new ResponseStore() {
			@Override
			public Mono<byte[]> read(String team, String id) {
				return StoredResponsesTest.this.store.read(team, id);
			}

			@Override
			public Mono<Void> write(String team, String id, byte[] record) {
				return Mono.delay(Duration.ofMillis(50))
					.then(StoredResponsesTest.this.store.write(team, id, record))
					.doOnSuccess(done -> kept.set(true));
			}

			@Override
			public Mono<Boolean> delete(String team, String id) {
				return StoredResponsesTest.this.store.delete(team, id);
			}
		};
		ResponsesDoor door = new ResponsesDoor(slow);
		LlmExchange exchange = exchange(read("{\"model\":\"gpt-test\",\"input\":\"hi\",\"stream\":true}", TEAM_A));
		List<Boolean> keptWhenSeen = new ArrayList<>();
		List<SseEvent> events = door
			.render(exchange, LlmResponse.stream(Flux.fromIterable(List.of(chunk("{\"content\":\"Hel\"}", null),
					chunk("{\"content\":\"lo\"}", null), chunk("{}", "stop"))).map(SseEvent::data).concatWithValues(SseEvent.DONE_EVENT),
					null))
			.events()
			.doOnNext(event -> keptWhenSeen.add(kept.get()))
			.collectList()
			.block();

		assertThat(events.get(events.size() - 1).event()).isEqualTo("response.completed");
		assertThat(keptWhenSeen.get(keptWhenSeen.size() - 1)).as("kept before response.completed").isTrue();
		int lastDelta = events.stream().map(SseEvent::event).toList().lastIndexOf("response.output_text.delta");
		assertThat(keptWhenSeen.subList(0, lastDelta + 1)).as("the text went out without waiting").containsOnly(false);
		JsonNode completed = Json.MAPPER.readTree(events.get(events.size() - 1).data()).path("response");
		assertThat(Json.MAPPER.readTree(get("/v1/responses/" + completed.path("id").asString(), TEAM_A)))
			.isEqualTo(completed);
		assertThat(completed.path("output").get(0).path("content").get(0).path("text").asString()).isEqualTo("Hello");
	}

	@Test
	void aDeletedResponseIsGone() {
		LlmResponse first = render("{\"model\":\"gpt-test\",\"input\":\"hi\"}", PARIS);
		first.beforeWrite().block();
		String id = Json.MAPPER.readTree(first.json()).path("id").asString();

		assertThat(error(() -> delete(id, TEAM_B)).status()).as("not another team's to delete").isEqualTo(404);
		assertThat(Json.MAPPER.readTree(delete(id, TEAM_A)))
			.isEqualTo(Json.object().put("id", id).put("object", "response").put("deleted", true));
		assertThat(error(() -> get("/v1/responses/" + id, TEAM_A)).status()).isEqualTo(404);
		assertThat(error(() -> delete(id, TEAM_A)).getMessage()).isEqualTo("Response with id '" + id + "' not found.");
	}

	@Test
	void listsTheInputItemsNewestFirstWithOpenAisPaging() {
		LlmResponse first = render("""
				{"model":"gpt-test","input":[{"role":"user","content":"one"},{"role":"assistant","content":"two"},
				 {"type":"message","id":"msg_mine","role":"user","content":"three"}]}""", PARIS);
		first.beforeWrite().block();
		String id = Json.MAPPER.readTree(first.json()).path("id").asString();
		String path = "/v1/responses/" + id + "/input_items";

		JsonNode all = Json.MAPPER.readTree(get(path, TEAM_A));
		assertThat(all.path("object").asString()).isEqualTo("list");
		assertThat(all.path("data")).extracting(StoredResponsesTest::text).containsExactly("three", "two", "one");
		assertThat(all.path("data").get(2)).as("listed in full, as OpenAI lists it").isEqualTo(Json.MAPPER.readTree("""
				{"role":"user","content":[{"type":"input_text","text":"one"}],"type":"message","status":"completed",
				 "id":"msg_%s_0"}""".formatted(id.substring("resp_".length()))));
		assertThat(all.path("first_id").asString()).isEqualTo("msg_mine");
		assertThat(all.path("has_more").asBoolean()).isFalse();

		JsonNode page = Json.MAPPER.readTree(get(path, TEAM_A, "order", "asc", "limit", "1"));
		assertThat(page.path("data")).extracting(StoredResponsesTest::text).containsExactly("one");
		assertThat(page.path("has_more").asBoolean()).isTrue();
		JsonNode next = Json.MAPPER.readTree(get(path, TEAM_A, "order", "asc", "after", page.path("last_id").asString()));
		assertThat(next.path("data")).extracting(StoredResponsesTest::text).containsExactly("two", "three");

		assertThat(error(() -> get(path, TEAM_A, "limit", "101")).param()).isEqualTo("limit");
		assertThat(error(() -> get(path, TEAM_A, "order", "sideways")).param()).isEqualTo("order");
		assertThat(error(() -> get("/v1/responses/" + id + "/other", TEAM_A)).status()).isEqualTo(404);
		assertThat(error(() -> this.door.stored(HttpMethod.POST, "/v1/responses/" + id, new LinkedMultiValueMap<>(), TEAM_A)
			.block()).status()).isEqualTo(405);
	}

	// ---- helpers

	private Inbound read(String json, Team team) {
		return this.door.read(Operation.CHAT, (ObjectNode) Json.MAPPER.readTree(json), new HttpHeaders(), team).block();
	}

	private LlmResponse render(String request, byte[] completion) {
		return this.door.render(exchange(read(request, TEAM_A)), LlmResponse.json(200, completion, null));
	}

	private static LlmExchange exchange(Inbound inbound) {
		LlmExchange exchange = TestCatalogs.exchange(TestCatalogs.catalog(URI.create("http://127.0.0.1:1")),
				Operation.CHAT, inbound.canonical().toString());
		exchange.put(NativeRequest.class, inbound.nativeRequest());
		return exchange;
	}

	private byte[] get(String path, Team team, String... query) {
		MultiValueMap<String, String> params = new LinkedMultiValueMap<>();
		for (int i = 0; i < query.length; i += 2) {
			params.add(query[i], query[i + 1]);
		}
		return this.door.stored(HttpMethod.GET, path, params, team).block();
	}

	private byte[] delete(String id, Team team) {
		return this.door.stored(HttpMethod.DELETE, "/v1/responses/" + id, new LinkedMultiValueMap<>(), team).block();
	}

	private static String text(JsonNode item) {
		return item.path("content").path(0).path("text").asString();
	}

	private static LlmApiException error(Runnable call) {
		return catchThrowableOfType(LlmApiException.class, call::run);
	}

}
