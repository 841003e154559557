package dev.switchboard.endpoint.anthropic;

import java.net.URI;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.HttpHeaders;

import dev.switchboard.core.Json;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.LlmResponse;
import dev.switchboard.core.NativeRequest;
import dev.switchboard.core.Operation;
import dev.switchboard.endpoint.door.InboundDoor.Inbound;
import dev.switchboard.sse.SseEvent;
import dev.switchboard.testing.Fixtures;
import dev.switchboard.testing.CanonicalChunks;
import dev.switchboard.testing.TestCatalogs;

import static dev.switchboard.testing.CanonicalChunks.chunk;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Anthropic door on its own: what it reads into the canonical request, what it refuses, and how
 * it writes canonical answers, whole and streamed, as Anthropic's API does.
 */
class AnthropicDoorTest {

	private final AnthropicDoor door = new AnthropicDoor();

	// ---- reading

	@ParameterizedTest
	@ValueSource(strings = { "agent-turn", "images-and-documents" })
	void readsTheCanonicalRequestOfFixture(String name) {
		ObjectNode body = (ObjectNode) Json.MAPPER.readTree(Fixtures.bytes("anthropic-door/" + name + ".request.json"));
		Inbound inbound = this.door.read(Operation.CHAT, body, new HttpHeaders());

		assertThat(inbound.canonical())
			.isEqualTo(Json.MAPPER.readTree(Fixtures.bytes("anthropic-door/" + name + ".canonical.json")));
		assertThat(inbound.model()).isEqualTo(body.path("model").asString());
		assertThat(inbound.nativeRequest().body()).as("kept as sent, for Anthropic providers").isSameAs(body);
	}

	@Test
	void keepsWhatOnlyAnthropicExpressesAndItsHeadersButNoCredentials() {
		ObjectNode body = (ObjectNode) Json.MAPPER.readTree(Fixtures.bytes("anthropic-door/agent-turn.request.json"));
		HttpHeaders headers = new HttpHeaders();
		headers.set("anthropic-version", "2023-06-01");
		headers.set("anthropic-beta", "interleaved-thinking-2025-05-14,context-management-2025-06-27");
		headers.set("x-api-key", "team-key");
		headers.set("authorization", "Bearer team-key");
		headers.set("x-claude-code-session-id", "5c3c");

		NativeRequest client = this.door.read(Operation.CHAT, body, headers).nativeRequest();

		assertThat(client.protocol()).isEqualTo(NativeRequest.ANTHROPIC_MESSAGES);
		assertThat(client.unexpressedNames()).containsExactlyInAnyOrder("top_k", "thinking.budget_tokens", "context_management",
				"server_tools");
		assertThat(client.unexpressed().path("server_tools").get(0).path("type").asString())
			.isEqualTo("web_search_20250305");
		assertThat(client.headers().headerNames()).containsExactlyInAnyOrder("anthropic-version", "anthropic-beta");
		assertThat(client.headers().getFirst("anthropic-beta"))
			.isEqualTo("interleaved-thinking-2025-05-14,context-management-2025-06-27");
	}

	/**
	 * Thinking settings said as {@code reasoning_effort} for providers of other protocols, with what
	 * an effort cannot say kept unexpressed (so the cache and the dropped-parameters header know).
	 */
	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', nullValues = "-", textBlock = """
			"thinking":{"type":"enabled","budget_tokens":1024}                                | low    | thinking.budget_tokens
			"thinking":{"type":"enabled","budget_tokens":10000}                               | medium | thinking.budget_tokens
			"thinking":{"type":"enabled","budget_tokens":16384}                               | high   | thinking.budget_tokens
			"thinking":{"type":"adaptive"},"output_config":{"effort":"max"}                   | xhigh  | thinking
			"thinking":{"type":"adaptive"}                                                    | -      | thinking
			"output_config":{"effort":"low","format":{"type":"json_schema","schema":{}}}      | low    | output_config
			"thinking":{"type":"enabled","budget_tokens":2000},"output_config":{"effort":"high"} | high | thinking.budget_tokens
			"thinking":{"type":"disabled"},"output_config":{"effort":"high"}                  | -      | thinking
			"thinking":{"type":"enabled","budget_tokens":2000,"display":"omitted"}            | low    | thinking.budget_tokens;thinking.display
			""")
	void thinkingSettingsAreSaidAsAnEffort(String fields, String effort, String unexpressed) {
		ObjectNode body = object("{\"model\":\"m\",\"max_tokens\":32000,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
				+ fields + "}");
		Inbound inbound = this.door.read(Operation.CHAT, body, new HttpHeaders());

		assertThat(inbound.canonical().path("reasoning_effort").asString(null)).isEqualTo(effort);
		assertThat(inbound.nativeRequest().unexpressedNames()).containsExactlyInAnyOrder(unexpressed.split(";"));
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			"thinking":{"type":"enabled","budget_tokens":512}   | thinking.enabled.budget_tokens: Input should be an integer greater than or equal to 1024
			"thinking":{"type":"enabled"}                       | thinking.enabled.budget_tokens: Field required
			"thinking":{"type":"sometimes"}                     | thinking: Input tag 'sometimes' found using 'type' does not match
			"thinking":true                                     | thinking: Input should be a valid dictionary
			"output_config":{"effort":"extreme"}                | output_config.effort: Input should be 'low', 'medium', 'high' or 'max'
			""")
	void wrongThinkingSettingsAreRefusedAsAnthropicWould(String fields, String message) {
		ObjectNode body = object("{\"model\":\"m\",\"max_tokens\":32000,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
				+ fields + "}");
		assertThatThrownBy(() -> this.door.read(Operation.CHAT, body, new HttpHeaders()))
			.isInstanceOf(LlmApiException.class)
			.hasMessageContaining(message);
	}

	@Test
	void aRequestWithNothingOnlyAnthropicHasExpressesEverything() {
		ObjectNode body = object("""
				{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"hi"}],
				 "metadata":{"user_id":"u"},"service_tier":"auto","stream":false}""");
		assertThat(this.door.read(Operation.CHAT, body, new HttpHeaders()).nativeRequest().unexpressed().isEmpty())
			.as("the cache keys it as the same question at the OpenAI door")
			.isTrue();
	}

	@Test
	void blocksTheCanonicalShapeLeavesOutAreNamedAndKeyTheRequestApart() {
		String template = """
				{"model":"m","max_tokens":10,"messages":[{"role":"user","content":[
				 {"type":"document","source":{"type":"url","url":"https://example.com/%s.pdf"}},
				 {"type":"image","source":{"type":"file","file_id":"file_1"}},
				 {"type":"text","text":"Summarise it."}]}]}""";
		NativeRequest a = this.door.read(Operation.CHAT, object(template.formatted("a")), new HttpHeaders()).nativeRequest();
		NativeRequest b = this.door.read(Operation.CHAT, object(template.formatted("b")), new HttpHeaders()).nativeRequest();
		assertThat(a.unexpressedNames()).containsExactly("untranslated_blocks");
		assertThat(a.unexpressed().path("untranslated_blocks")).hasSize(2);
		assertThat(a.unexpressed().path("untranslated_blocks").get(0).path("at").asString()).isEqualTo("messages.0.content.0");
		assertThat(a.unexpressed()).as("one PDF's question is not another's").isNotEqualTo(b.unexpressed());
	}

	@Test
	void aToolChoiceWithoutCustomToolsIsLeftOutOfTheCanonicalBody() {
		Inbound inbound = this.door.read(Operation.CHAT, object("""
				{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"hi"}],
				 "tools":[{"type":"web_search_20250305","name":"web_search"}],
				 "tool_choice":{"type":"any","disable_parallel_tool_use":true}}"""), new HttpHeaders());
		assertThat(inbound.canonical().has("tool_choice")).isFalse();
		assertThat(inbound.canonical().has("parallel_tool_calls")).isFalse();
		assertThat(inbound.nativeRequest().body().has("tool_choice")).as("Anthropic still gets it").isTrue();
	}

	@Test
	void countTokensNeedsNoMaxTokens() {
		ObjectNode body = object("""
				{"model":"m","messages":[{"role":"user","content":"hi"}],"system":"s"}""");
		Inbound inbound = this.door.read(Operation.COUNT_TOKENS, body, new HttpHeaders());
		assertThat(inbound.canonical().path("messages")).hasSize(2);
		assertThat(inbound.canonical().has("max_completion_tokens")).isFalse();
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			no model          | {"max_tokens":1,"messages":[]}                                                         | model: Field required
			model a number    | {"model":7,"max_tokens":1,"messages":[]}                                               | model: Input should be a valid, non-empty string
			no max_tokens     | {"model":"m","messages":[{"role":"user","content":"hi"}]}                              | max_tokens: Field required
			max_tokens text   | {"model":"m","max_tokens":"9","messages":[]}                                           | max_tokens: Input should be a valid integer
			max_tokens zero   | {"model":"m","max_tokens":0,"messages":[]}                                             | max_tokens: Input should be a valid integer
			max_tokens 2^64+5 | {"model":"m","max_tokens":18446744073709551621,"messages":[]}                          | max_tokens: Input should be a valid integer
			max_tokens 2^63   | {"model":"m","max_tokens":9223372036854775808,"messages":[]}                           | max_tokens: Input should be a valid integer
			max_tokens 2^40   | {"model":"m","max_tokens":1099511627776,"messages":[]}                                 | max_tokens: Input should be a valid integer
			no messages       | {"model":"m","max_tokens":1}                                                           | messages: Field required
			messages object   | {"model":"m","max_tokens":1,"messages":{}}                                             | messages: Input should be a valid list
			system role       | {"model":"m","max_tokens":1,"messages":[{"role":"system","content":"x"}]}              | messages.0.role: Input should be 'user' or 'assistant'
			content number    | {"model":"m","max_tokens":1,"messages":[{"role":"user","content":5}]}                  | messages.0.content: Input should be a valid string or a list
			unknown block     | {"model":"m","max_tokens":1,"messages":[{"role":"user","content":[{"type":"video"}]}]} | messages.0.content.0.type: Input tag 'video'
			text not string   | {"model":"m","max_tokens":1,"messages":[{"role":"user","content":[{"type":"text","text":1}]}]} | messages.0.content.0.text: Input should be a valid string
			orphan result     | {"model":"m","max_tokens":1,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_x","content":"4"}]}]} | unexpected `tool_use_id` found in `tool_result` blocks: toolu_x
			result of a turn before | {"model":"m","max_tokens":1,"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"f","input":{}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1"}]},{"role":"assistant","content":"ok"},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1"}]}]} | messages.3.content.0: unexpected `tool_use_id`
			tool_use no id    | {"model":"m","max_tokens":1,"messages":[{"role":"assistant","content":[{"type":"tool_use","name":"f","input":{}}]}]} | tool_use blocks need a string 'id' and 'name'
			temperature high  | {"model":"m","max_tokens":1,"temperature":1.5,"messages":[]}                          | temperature: Input should be a number between 0 and 1
			temperature 10^400 | {"model":"m","max_tokens":1,"temperature":10000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000,"messages":[]} | temperature: Input should be a number between 0 and 1
			top_p -10^400     | {"model":"m","max_tokens":1,"top_p":-10000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000,"messages":[]} | top_p: Input should be a number between 0 and 1
			stream text       | {"model":"m","max_tokens":1,"stream":"yes","messages":[]}                              | stream: Input should be a valid boolean
			stop not strings  | {"model":"m","max_tokens":1,"stop_sequences":[1],"messages":[]}                        | stop_sequences: Input should be a valid list of strings
			tool no schema    | {"model":"m","max_tokens":1,"tools":[{"name":"f"}],"messages":[]}                      | tools.0.input_schema: Input should be a valid dictionary
			tool no name      | {"model":"m","max_tokens":1,"tools":[{"input_schema":{}}],"messages":[]}               | tools.0.name: Field required
			tool_choice odd   | {"model":"m","max_tokens":1,"tool_choice":{"type":"some"},"messages":[]}               | tool_choice.type: Input should be
			tool_choice name  | {"model":"m","max_tokens":1,"tool_choice":{"type":"tool"},"messages":[]}               | tool_choice.name: Field required
			system number     | {"model":"m","max_tokens":1,"system":3,"messages":[]}                                  | system: Input should be a valid string or a list of text blocks
			""")
	void refusesMalformedRequestsInAnthropicWords(String what, String json, String message) {
		assertThatThrownBy(() -> this.door.read(Operation.CHAT, object(json), new HttpHeaders()))
			.isInstanceOfSatisfying(LlmApiException.class, error -> {
				assertThat(error.status()).isEqualTo(400);
				assertThat(error.getMessage()).contains(message);
				assertThat(Json.MAPPER.readTree(this.door.errorBody(error)).path("error").path("type").asString())
					.isEqualTo("invalid_request_error");
			});
	}

	// ---- writing

	@Test
	void writesAWholeAnswerAsAMessage() {
		byte[] completion = """
				{"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o-mini","choices":[{"index":0,
				 "message":{"role":"assistant","content":"Paris, then Rome.","reasoning_content":"two cities",
				   "thinking_blocks":[{"type":"thinking","thinking":"two cities","signature":"sig"}],
				   "tool_calls":[{"id":"call_1","type":"function","function":{"name":"weather","arguments":"{\\"city\\":\\"Paris\\"}"}},
				                 {"id":"call_2","type":"function","function":{"name":"weather","arguments":"not json"}}]},
				 "finish_reason":"tool_calls"}],
				 "usage":{"prompt_tokens":120,"completion_tokens":30,"total_tokens":150,
				   "prompt_tokens_details":{"cached_tokens":80,"cache_write_tokens":10}}}""".getBytes();

		JsonNode message = Json.MAPPER.readTree(this.door.render(exchange("{}"), LlmResponse.json(200, completion, null)).json());

		assertThat(message).isEqualTo(Json.MAPPER.readTree("""
				{"id":"msg_chatcmpl-1","type":"message","role":"assistant","model":"gpt-4o-mini",
				 "content":[{"type":"thinking","thinking":"two cities","signature":"sig"},
				            {"type":"text","text":"Paris, then Rome."},
				            {"type":"tool_use","id":"call_1","name":"weather","input":{"city":"Paris"}},
				            {"type":"tool_use","id":"call_2","name":"weather","input":{"_raw":"not json"}}],
				 "stop_reason":"tool_use","stop_sequence":null,
				 "usage":{"input_tokens":30,"cache_creation_input_tokens":10,"cache_read_input_tokens":80,"output_tokens":30,
				          "cache_creation":{"ephemeral_5m_input_tokens":10,"ephemeral_1h_input_tokens":0}}}"""));
	}

	@Test
	void unsignedThinkingOfAWholeAnswerIsAThinkingBlockAsInAStream() {
		byte[] completion = """
				{"id":"c","object":"chat.completion","model":"deepseek-reasoner","choices":[{"index":0,
				 "message":{"role":"assistant","content":"42","reasoning_content":"six times seven"},"finish_reason":"stop"}],
				 "usage":{"prompt_tokens":5,"completion_tokens":9,"total_tokens":14}}""".getBytes();
		JsonNode message = Json.MAPPER.readTree(this.door.render(exchange("{}"), LlmResponse.json(200, completion, null)).json());
		assertThat(message.path("content")).isEqualTo(Json.MAPPER.readTree("""
				[{"type":"thinking","thinking":"six times seven","signature":""},{"type":"text","text":"42"}]"""));
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			stop           |     | end_turn      |
			stop           | ### | stop_sequence | ###
			length         |     | max_tokens    |
			tool_calls     |     | tool_use      |
			content_filter |     | refusal       |
			""")
	void mapsFinishReasons(String finish, String sequence, String stopReason, String stopSequence) {
		assertThat(MessagesResponses.stopReason(finish, sequence)).isEqualTo(stopReason);
	}

	@Test
	void writesAStreamAsAnthropicsEventSequence() {
		List<String> chunks = List.of(
				chunk("{\"role\":\"assistant\",\"content\":\"\"}", null),
				chunk("{\"reasoning_content\":\"Think\"}", null),
				chunk("{\"reasoning_content\":\"ing.\"}", null),
				chunk("{\"thinking_blocks\":[{\"type\":\"thinking\",\"signature\":\"sig-1\"}]}", null),
				chunk("{\"content\":\"Hel\"}", null),
				chunk("{\"content\":\"lo\"}", null),
				chunk("{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"\"}}]}", null),
				chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"a\\\":\"}}]}", null),
				chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"1}\"}}]}", null),
				chunk("{}", "tool_calls"),
				"{\"id\":\"chatcmpl-9\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\",\"choices\":[],"
						+ "\"usage\":{\"prompt_tokens\":50,\"completion_tokens\":12,\"prompt_tokens_details\":{\"cached_tokens\":20}}}");

		List<SseEvent> events = render(chunks);

		assertThat(events).extracting(SseEvent::event).containsExactly("message_start", "ping",
				"content_block_start", "content_block_delta", "content_block_delta", "content_block_delta",
				"content_block_stop", "content_block_start", "content_block_delta", "content_block_delta",
				"content_block_stop", "content_block_start", "content_block_delta", "content_block_delta",
				"content_block_stop", "message_delta", "message_stop");
		assertThat(data(events.get(0)).path("message").path("id").asString()).isEqualTo("msg_chatcmpl-9");
		assertThat(data(events.get(2)).path("content_block").path("type").asString()).isEqualTo("thinking");
		assertThat(data(events.get(3)).path("delta").toString()).isEqualTo("{\"type\":\"thinking_delta\",\"thinking\":\"Think\"}");
		assertThat(data(events.get(5)).path("delta").toString()).isEqualTo("{\"type\":\"signature_delta\",\"signature\":\"sig-1\"}");
		assertThat(data(events.get(7)).path("index").asInt()).isEqualTo(1);
		assertThat(data(events.get(8)).path("delta").path("text").asString()).isEqualTo("Hel");
		assertThat(data(events.get(11)).path("content_block").toString())
			.isEqualTo("{\"type\":\"tool_use\",\"id\":\"call_1\",\"name\":\"f\",\"input\":{}}");
		assertThat(data(events.get(12)).path("delta").path("partial_json").asString()).isEqualTo("{\"a\":");
		assertThat(data(events.get(12)).path("index").asInt()).isEqualTo(2);
		JsonNode delta = data(events.get(15));
		assertThat(delta.path("delta").path("stop_reason").asString()).isEqualTo("tool_use");
		assertThat(delta.path("usage").toString()).isEqualTo(
				"{\"input_tokens\":30,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":20,\"output_tokens\":12}");
		assertThat(events).allSatisfy(event -> assertThat(data(event).path("type").asString()).isEqualTo(event.event()));
	}

	@Test
	void aStreamWithoutAUsageChunkStillEndsWithMessageDeltaAndStop() {
		List<SseEvent> events = render(List.of(chunk("{\"content\":\"x\"}", null), chunk("{}", "length")));
		assertThat(events).extracting(SseEvent::event).containsExactly("message_start", "ping", "content_block_start",
				"content_block_delta", "content_block_stop", "message_delta", "message_stop");
		assertThat(data(events.get(5)).path("delta").path("stop_reason").asString()).isEqualTo("max_tokens");
	}

	@Test
	void aStreamedRefusalIsTheAnswersText() {
		List<SseEvent> events = render(List.of(chunk("{\"refusal\":\"I can't help.\"}", null), chunk("{}", "content_filter")));
		assertThat(events).extracting(SseEvent::event).containsExactly("message_start", "ping", "content_block_start",
				"content_block_delta", "content_block_stop", "message_delta", "message_stop");
		assertThat(data(events.get(3)).path("delta").path("text").asString()).isEqualTo("I can't help.");
		assertThat(data(events.get(5)).path("delta").path("stop_reason").asString()).isEqualTo("refusal");
	}

	@Test
	void aRedactedBlockAndUnsignedThinkingAreBlocksOfTheirOwn() {
		List<SseEvent> events = render(List.of(
				chunk("{\"thinking_blocks\":[{\"type\":\"redacted_thinking\",\"data\":\"opaque\"}]}", null),
				chunk("{\"reasoning_content\":\"unsigned\"}", null), chunk("{\"content\":\"a\"}", null),
				chunk("{}", "stop")));
		assertThat(events).extracting(SseEvent::event).containsExactly("message_start", "ping", "content_block_start",
				"content_block_stop", "content_block_start", "content_block_delta", "content_block_stop",
				"content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop");
		assertThat(data(events.get(2)).path("content_block").toString())
			.isEqualTo("{\"type\":\"redacted_thinking\",\"data\":\"opaque\"}");
		assertThat(data(events.get(7)).path("index").asInt()).isEqualTo(2);
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			400 | invalid_request_error
			401 | authentication_error
			403 | permission_error
			404 | not_found_error
			413 | request_too_large
			415 | invalid_request_error
			429 | rate_limit_error
			500 | api_error
			502 | api_error
			503 | overloaded_error
			529 | overloaded_error
			504 | timeout_error
			""")
	void errorsHaveAnthropicsShapeAndType(int status, String type) {
		LlmApiException error = new LlmApiException(status, LlmApiException.API_ERROR, "code", null, "It broke.",
				null, null);
		assertThat(Json.MAPPER.readTree(this.door.errorBody(error))).isEqualTo(Json.MAPPER
			.readTree("{\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",\"message\":\"It broke.\"}}"));
		SseEvent event = this.door.errorEvent(exchange("{}"), error);
		assertThat(event.event()).isEqualTo("error");
		assertThat(data(event).path("error").path("type").asString()).isEqualTo(type);
	}

	@Test
	void tokenCountsPassAsTheyAre() {
		byte[] count = "{\"input_tokens\":42}".getBytes();
		LlmExchange exchange = TestCatalogs.exchange(TestCatalogs.catalog(URI.create("http://127.0.0.1:1")),
				Operation.COUNT_TOKENS, "{\"model\":\"gpt-test\"}");
		assertThat(this.door.render(exchange, LlmResponse.json(200, count, null)).json()).isEqualTo(count);
	}

	private List<SseEvent> render(List<String> chunks) {
		return CanonicalChunks.render(this.door, exchange("{\"stream\":true}"), chunks);
	}

	@Test
	void aToolResultsImagesFollowItsToolMessageForChatCompletionsTakesOnlyTextThere() {
		Inbound inbound = this.door.read(Operation.CHAT, object("""
				{"model":"m","max_tokens":64,"messages":[
				 {"role":"user","content":"Take a screenshot."},
				 {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"screenshot","input":{}}]},
				 {"role":"user","content":[
				  {"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"text","text":"Taken."},
				   {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}]},
				  {"type":"text","text":"What do you see?"}]}]}"""), new HttpHeaders());

		JsonNode messages = inbound.canonical().path("messages");
		assertThat(messages.get(2)).isEqualTo(object("""
				{"role":"tool","tool_call_id":"toolu_1","content":[{"type":"text","text":"Taken."}]}"""));
		assertThat(messages.get(3).path("role").asString()).isEqualTo("user");
		assertThat(messages.get(3).path("content")).extracting(part -> part.path("type").asString())
			.containsExactly("text", "image_url", "text");
		assertThat(messages.get(3).path("content").get(0).path("text").asString()).contains("toolu_1");
		assertThat(messages.get(3).path("content").get(1).path("image_url").path("url").asString())
			.isEqualTo("data:image/png;base64,iVBORw0KGgo=");
		assertThat(messages.get(3).path("content").get(2).path("text").asString()).isEqualTo("What do you see?");
	}

	private static JsonNode data(SseEvent event) {
		return Json.MAPPER.readTree(event.data());
	}

	private static ObjectNode object(String json) {
		return (ObjectNode) Json.MAPPER.readTree(json);
	}

	private static LlmExchange exchange(String body) {
		ObjectNode request = object(body);
		request.put("model", "gpt-test");
		return TestCatalogs.exchange(TestCatalogs.catalog(URI.create("http://127.0.0.1:1")), Operation.CHAT,
				request.toString());
	}

}
