package dev.switchboard.autoconfigure;

import java.time.Duration;
import java.util.List;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseItem;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseStreamEvent;
import com.openai.models.responses.inputitems.InputItemListParams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;

import org.springframework.context.ConfigurableApplicationContext;

import dev.switchboard.core.Json;
import dev.switchboard.endpoint.responses.store.RedisResponseStore;
import dev.switchboard.endpoint.responses.store.ResponseStore;
import dev.switchboard.testing.Fixtures;
import dev.switchboard.testing.RedisTestServer;
import dev.switchboard.testing.StubUpstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Stored responses over real HTTP with the official openai-java client: two gateways whose quotas
 * are on one real Redis keep their responses there too, so a conversation begun on one continues
 * on the other ({@code previous_response_id}), tool turns included, whole answers and streams; a
 * team reads, lists and deletes only its own; {@code store: false} keeps nothing.
 */
class StoredResponsesIntegrationTest {

	static RedisTestServer redis;

	static StubUpstream openai;

	static StubUpstream anthropic;

	static ConfigurableApplicationContext first;

	static ConfigurableApplicationContext second;

	@BeforeAll
	static void start() {
		redis = RedisTestServer.startOnFreePort();
		openai = new StubUpstream();
		anthropic = new StubUpstream();
		first = gateway();
		second = gateway();
	}

	private static ConfigurableApplicationContext gateway() {
		return GatewayTestApplication.start("responses-store-it", "switchboard.quota.backend=redis",
				"switchboard.redis.address=" + redis.address(),
				"switchboard.providers.openai.base-url=http://127.0.0.1:" + openai.port() + "/v1",
				"switchboard.providers.openai-native.base-url=http://127.0.0.1:" + openai.port() + "/v1",
				"switchboard.providers.anthropic.base-url=http://127.0.0.1:" + anthropic.port() + "/v1");
	}

	@AfterAll
	static void stop() throws Exception {
		first.close();
		second.close();
		openai.close();
		anthropic.close();
		redis.close();
	}

	private static OpenAIClient client(ConfigurableApplicationContext gateway, String key) {
		return OpenAIOkHttpClient.builder()
			.baseUrl("http://127.0.0.1:" + GatewayTestApplication.port(gateway) + "/v1")
			.apiKey(key)
			.maxRetries(0)
			.timeout(Duration.ofSeconds(10))
			.build();
	}

	private static void answer(StubUpstream stub, String path, String fixture) {
		stub.reset();
		stub.json(path, 200, Fixtures.text("e2e/" + fixture));
	}

	@Test
	void theStoreIsOnTheRedisTheQuotasUse() {
		assertThat(first.getBean(ResponseStore.class)).isInstanceOf(RedisResponseStore.class);
	}

	@Test
	void aConversationBegunOnOneGatewayContinuesOnTheOther() {
		answer(openai, "/v1/chat/completions", "openai/chat.json");
		Response asked = client(first, "store-a-key").responses().create(ResponseCreateParams.builder()
			.model("m-openai")
			.instructions("Answer in one sentence.")
			.input("What is the capital of France?")
			.build());
		assertThat(asked._additionalProperties().get("store")).isEqualTo(JsonValue.from(true));

		Response followUp = client(second, "store-a-key").responses().create(ResponseCreateParams.builder()
			.model("m-openai")
			.previousResponseId(asked.id())
			.input("And of Germany?")
			.build());

		assertThat(followUp.previousResponseId()).contains(asked.id());
		assertThat(followUp.id()).isNotEqualTo(asked.id());
		JsonNode messages = Json.MAPPER.readTree(openai.lastRequest().body()).path("messages");
		assertThat(messages).extracting(message -> message.path("role").asString())
			.containsExactly("user", "assistant", "user");
		assertThat(messages.toString()).contains("What is the capital of France?")
			.contains("Paris is the capital of France.")
			.contains("And of Germany?")
			.as("instructions are the request's own, never carried over")
			.doesNotContain("Answer in one sentence.");
	}

	@Test
	void aToolTurnContinuesWithTheFunctionOutputAlone() {
		answer(anthropic, "/v1/messages", "anthropic/tool-call.json");
		Response call = client(first, "store-a-key").responses().create(ResponseCreateParams.builder()
			.model("m-anthropic")
			.maxOutputTokens(256)
			.input("What is the weather in Paris?")
			.build());
		ResponseFunctionToolCall toolCall = call.output()
			.stream()
			.filter(ResponseOutputItem::isFunctionCall)
			.findFirst()
			.orElseThrow()
			.asFunctionCall();

		answer(anthropic, "/v1/messages", "anthropic/chat.json");
		Response answer = client(second, "store-a-key").responses().create(ResponseCreateParams.builder()
			.model("m-anthropic")
			.maxOutputTokens(256)
			.previousResponseId(call.id())
			.inputOfResponse(List.of(ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder()
				.callId(toolCall.callId())
				.output("18 degrees, sunny")
				.build())))
			.build());

		assertThat(answer.status()).isPresent();
		JsonNode messages = Json.MAPPER.readTree(anthropic.lastRequest().body()).path("messages");
		assertThat(messages).hasSize(3);
		assertThat(messages.get(1).path("content").get(0).path("type").asString()).isEqualTo("tool_use");
		JsonNode result = messages.get(2).path("content").get(0);
		assertThat(result.path("type").asString()).isEqualTo("tool_result");
		assertThat(result.path("tool_use_id").asString()).isEqualTo(toolCall.callId())
			.isEqualTo(messages.get(1).path("content").get(0).path("id").asString());
	}

	@Test
	void aConversationContinuedOnOpenAisOwnApiIsSentWholeAndStoredNowhereElse() {
		answer(openai, "/v1/responses", "openai-responses/response.json");
		Response asked = client(first, "store-a-key").responses().create(ResponseCreateParams.builder()
			.model("m-openai-native")
			.input("What is the capital of France?")
			.build());
		assertThat(asked.output().get(0).isWebSearchCall()).as("handed over as OpenAI wrote it").isTrue();

		client(second, "store-a-key").responses().create(ResponseCreateParams.builder()
			.model("m-openai-native")
			.previousResponseId(asked.id())
			.input("And its population?")
			.build());

		JsonNode sent = Json.MAPPER.readTree(openai.lastRequest().body());
		assertThat(openai.lastRequest().path()).isEqualTo("/v1/responses");
		assertThat(sent.has("previous_response_id")).as("OpenAI never saw the first; it gets the whole conversation")
			.isFalse();
		assertThat(sent.path("store").asBoolean(true)).isFalse();
		assertThat(sent.path("input")).extracting(item -> item.path("type").asString())
			.containsExactly("message", "web_search_call", "message", "message");
		assertThat(sent.path("input").get(2).has("id")).isFalse();
		assertThat(sent.path("input").get(3).toString()).contains("And its population?");
	}

	@Test
	void aStreamedResponseIsThereTheMomentItsStreamEnds() {
		openai.reset();
		openai.sse("/v1/chat/completions", Flux.just(Fixtures.text("e2e/openai/stream.sse")));
		ResponseAccumulator accumulator = ResponseAccumulator.create();
		try (StreamResponse<ResponseStreamEvent> stream = client(first, "store-a-key").responses()
			.createStreaming(ResponseCreateParams.builder().model("m-openai").input("What is the capital of France?").build())) {
			stream.stream().forEach(accumulator::accumulate);
		}
		String id = accumulator.response().id();

		Response kept = client(second, "store-a-key").responses().retrieve(id);
		assertThat(kept.output()).hasSize(1);
		assertThat(kept.output().get(0).asMessage().content().get(0).asOutputText().text())
			.isEqualTo("Paris is the capital of France.");

		answer(openai, "/v1/chat/completions", "openai/chat.json");
		client(second, "store-a-key").responses().create(ResponseCreateParams.builder()
			.model("m-openai")
			.previousResponseId(id)
			.input("Why?")
			.build());
		assertThat(openai.lastRequest().body()).contains("Paris is the capital of France.").contains("Why?");
	}

	@Test
	void aTeamReadsListsAndDeletesItsOwnResponsesAndNoOneElses() {
		answer(openai, "/v1/chat/completions", "openai/chat.json");
		OpenAIClient teamA = client(first, "store-a-key");
		OpenAIClient teamB = client(second, "store-b-key");
		Response asked = teamA.responses().create(ResponseCreateParams.builder()
			.model("m-openai")
			.input("What is the capital of France?")
			.build());

		assertThat(teamA.responses().retrieve(asked.id()).id()).isEqualTo(asked.id());
		List<ResponseItem> items = teamA.responses().inputItems().list(asked.id()).data();
		assertThat(items).singleElement()
			.satisfies(item -> assertThat(item.responseInputMessageItem().orElseThrow().content().get(0).asInputText().text())
				.isEqualTo("What is the capital of France?"));
		assertThat(teamA.responses().inputItems()
			.list(InputItemListParams.builder().responseId(asked.id()).order(InputItemListParams.Order.ASC).build())
			.data()).hasSize(1);

		assertThatExceptionOfType(NotFoundException.class).isThrownBy(() -> teamB.responses().retrieve(asked.id()));
		assertThatExceptionOfType(NotFoundException.class).isThrownBy(() -> teamB.responses().delete(asked.id()));
		assertThatExceptionOfType(BadRequestException.class)
			.isThrownBy(() -> teamB.responses().create(ResponseCreateParams.builder()
				.model("m-openai")
				.previousResponseId(asked.id())
				.input("Go on.")
				.build()))
			.satisfies(error -> assertThat(error.getMessage()).contains("not found"));
		int calls = openai.received().size();

		teamA.responses().delete(asked.id());
		assertThatExceptionOfType(NotFoundException.class).isThrownBy(() -> teamA.responses().retrieve(asked.id()));
		assertThatExceptionOfType(BadRequestException.class)
			.isThrownBy(() -> teamA.responses().create(ResponseCreateParams.builder()
				.model("m-openai")
				.previousResponseId(asked.id())
				.input("Go on.")
				.build()));
		assertThat(openai.received()).as("no continuation of a missing response reached the provider").hasSize(calls);
	}

	@Test
	void storeFalseKeepsNothing() {
		answer(openai, "/v1/chat/completions", "openai/chat.json");
		OpenAIClient teamA = client(first, "store-a-key");
		Response unkept = teamA.responses().create(ResponseCreateParams.builder()
			.model("m-openai")
			.store(false)
			.input("What is the capital of France?")
			.build());
		assertThat(unkept._additionalProperties().get("store")).isEqualTo(JsonValue.from(false));
		assertThatExceptionOfType(NotFoundException.class).isThrownBy(() -> teamA.responses().retrieve(unkept.id()));
	}

}
