package dev.switchboard.endpoint.responses;

import java.net.URI;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.util.LinkedMultiValueMap;

import dev.switchboard.core.Json;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.LlmResponse;
import dev.switchboard.core.NativeAnswer;
import dev.switchboard.core.NativeRequest;
import dev.switchboard.core.Operation;
import dev.switchboard.core.RouteTarget;
import dev.switchboard.core.Team;
import dev.switchboard.endpoint.door.InboundDoor.Inbound;
import dev.switchboard.sse.SseEvent;
import dev.switchboard.testing.CanonicalChunks;
import dev.switchboard.testing.TestCatalogs;

import static dev.switchboard.testing.CanonicalChunks.chunk;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Responses door on its own: what it reads into the canonical request, what it refuses, and
 * how it writes canonical answers, whole and streamed, as OpenAI's Responses API does.
 */
class ResponsesDoorTest {

	private final ResponsesDoor door = new ResponsesDoor();

	// ---- reading

	@Test
	void aStringInputIsOneUserTurnAfterTheInstructions() {
		Inbound inbound = read("""
				{"model":"gpt-test","instructions":"Be brief.","input":"Hello","max_output_tokens":64,"stream":true}""");
		assertThat(inbound.canonical()).isEqualTo(object("""
				{"model":"gpt-test","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hello"}],
				 "max_completion_tokens":64,"stream":true,"stream_options":{"include_usage":true}}"""));
		assertThat(inbound.model()).isEqualTo("gpt-test");
		assertThat(inbound.nativeRequest().protocol()).isEqualTo(NativeRequest.OPENAI_RESPONSES);
	}

	@Test
	void itemsBecomeTurnsWithToolCallsAndTheirResults() {
		Inbound inbound = read("""
				{"model":"gpt-test","input":[
				  {"role":"developer","content":"Use tools."},
				  {"type":"message","role":"user","content":[{"type":"input_text","text":"Weather in Paris?"},
				    {"type":"input_image","image_url":"https://example.com/sky.png","detail":"low"}]},
				  {"type":"reasoning","id":"rs_1","summary":[],"encrypted_content":"opaque"},
				  {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Checking."}]},
				  {"type":"function_call","call_id":"call_1","name":"weather","arguments":"{\\"city\\":\\"Paris\\"}"},
				  {"type":"function_call","call_id":"call_2","name":"time","arguments":"{}"},
				  {"type":"function_call_output","call_id":"call_1","output":"18C"},
				  {"type":"function_call_output","call_id":"call_2","output":[{"type":"input_text","text":"noon"}]}],
				 "tools":[{"type":"function","name":"weather","description":"d","parameters":{"type":"object"},"strict":true},
				          {"type":"web_search"}],
				 "tool_choice":{"type":"function","name":"weather"},"parallel_tool_calls":false,
				 "text":{"format":{"type":"json_schema","name":"w","schema":{"type":"object"},"strict":true},"verbosity":"low"},
				 "reasoning":{"effort":"high","summary":"auto"},"temperature":0.5,"store":false,"include":["x"]}""");

		assertThat(inbound.canonical()).isEqualTo(object("""
				{"model":"gpt-test","messages":[
				  {"role":"system","content":"Use tools."},
				  {"role":"user","content":[{"type":"text","text":"Weather in Paris?"},
				    {"type":"image_url","image_url":{"url":"https://example.com/sky.png","detail":"low"}}]},
				  {"role":"assistant","content":"Checking.","tool_calls":[
				    {"id":"call_1","type":"function","function":{"name":"weather","arguments":"{\\"city\\":\\"Paris\\"}"}},
				    {"id":"call_2","type":"function","function":{"name":"time","arguments":"{}"}}]},
				  {"role":"tool","tool_call_id":"call_1","content":"18C"},
				  {"role":"tool","tool_call_id":"call_2","content":"noon"}],
				 "temperature":0.5,"parallel_tool_calls":false,"reasoning_effort":"high",
				 "response_format":{"type":"json_schema","json_schema":{"name":"w","schema":{"type":"object"},"strict":true}},
				 "tools":[{"type":"function","function":{"name":"weather","description":"d","parameters":{"type":"object"},"strict":true}}],
				 "tool_choice":{"type":"function","function":{"name":"weather"}}}"""));
		assertThat(inbound.nativeRequest().unexpressedNames()).containsExactlyInAnyOrder("reasoning.summary",
				"text.verbosity", "built_in_tools", "include");
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			no model           | {"input":"hi"}                                                       | model      | Missing required parameter: 'model'.
			no input           | {"model":"m"}                                                        | input      | Missing required parameter: 'input'.
			input a number     | {"model":"m","input":3}                                              | input      | Invalid type for 'input'
			unknown item       | {"model":"m","input":[{"type":"teleport_call"}]}                     | input[0].type | Invalid value: 'teleport_call'
			unknown role       | {"model":"m","input":[{"role":"tool","content":"x"}]}                | input[0].role | Invalid value: 'tool'
			unknown part       | {"model":"m","input":[{"role":"user","content":[{"type":"input_audio"}]}]} | input[0].content[0].type | Invalid value: 'input_audio'
			image by file id   | {"model":"m","input":[{"role":"user","content":[{"type":"input_image","file_id":"f"}]}]} | input[0].content[0].image_url | by file id
			call without id    | {"model":"m","input":[{"type":"function_call","name":"f"}]}          | input[0].call_id | Missing required parameter
			earlier response 3 | {"model":"m","input":"hi","previous_response_id":3}                  | previous_response_id | Invalid type for 'previous_response_id'
			store not a bool   | {"model":"m","input":"hi","store":"yes"}                             | store      | Invalid type for 'store'
			conversation       | {"model":"m","input":"hi","conversation":"conv_1"}                   | conversation | Conversations API
			item reference     | {"model":"m","input":[{"type":"item_reference","id":"msg_1"}]}       | input[0]   | send the item itself
			background         | {"model":"m","input":"hi","background":true}                         | background | not supported
			max tokens small   | {"model":"m","input":"hi","max_output_tokens":3}                     | max_output_tokens | Expected a value >= 16
			max tokens 2^64+20 | {"model":"m","input":"hi","max_output_tokens":18446744073709551636} | max_output_tokens | Expected a value <= 2147483647
			max tokens 2^63    | {"model":"m","input":"hi","max_output_tokens":9223372036854775808}  | max_output_tokens | Expected a value <= 2147483647
			max tokens -2^63-1 | {"model":"m","input":"hi","max_output_tokens":-9223372036854775809} | max_output_tokens | Expected a value >= 16
			max tokens text    | {"model":"m","input":"hi","max_output_tokens":"20"}                 | max_output_tokens | Invalid type for 'max_output_tokens'
			temperature high   | {"model":"m","input":"hi","temperature":2.5}                         | temperature | between 0 and 2
			temperature 10^400 | {"model":"m","input":"hi","temperature":10000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000} | temperature | between 0 and 2
			top_p -10^400      | {"model":"m","input":"hi","top_p":-10000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000} | top_p | between 0 and 1
			format odd         | {"model":"m","input":"hi","text":{"format":{"type":"yaml"}}}         | text.format.type | Invalid value: 'yaml'
			schema missing     | {"model":"m","input":"hi","text":{"format":{"type":"json_schema","name":"x"}}} | text.format.schema | Missing required parameter
			tool choice odd    | {"model":"m","input":"hi","tool_choice":"sometimes"}                 | tool_choice | Invalid value: 'sometimes'
			""")
	void refusesMalformedRequestsInOpenAisWords(String what, String json, String param, String message) {
		assertThatThrownBy(() -> read(json)).isInstanceOfSatisfying(LlmApiException.class, error -> {
			assertThat(error.status()).isEqualTo(400);
			assertThat(error.type()).isEqualTo("invalid_request_error");
			assertThat(error.param()).isEqualTo(param);
			assertThat(error.getMessage()).contains(message);
		});
	}

	// ---- writing

	@Test
	void writesAWholeAnswerAsAResponseThatEchoesTheRequest() {
		byte[] completion = """
				{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,
				 "message":{"role":"assistant","content":"Paris.","reasoning_content":"easy",
				   "tool_calls":[{"id":"call_1","type":"function","function":{"name":"weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]},
				 "finish_reason":"tool_calls"}],
				 "usage":{"prompt_tokens":120,"completion_tokens":30,"total_tokens":150,
				   "prompt_tokens_details":{"cached_tokens":80},"completion_tokens_details":{"reasoning_tokens":7}}}""".getBytes();
		LlmExchange exchange = exchange("""
				{"model":"gpt-test","instructions":"Be brief.","input":"hi","tools":[{"type":"function","name":"weather"}],
				 "temperature":0.2}""");

		JsonNode response = Json.MAPPER.readTree(this.door.render(exchange, LlmResponse.json(200, completion, null)).json());

		String id = response.path("id").asString();
		assertThat(id).as("the gateway's own, random, never the provider's").matches("resp_[0-9a-f]{48}");
		String base = id.substring("resp_".length());
		assertThat(response.path("object").asString()).isEqualTo("response");
		assertThat(response.path("status").asString()).isEqualTo("completed");
		assertThat(response.path("created_at").asLong()).isEqualTo(1700000000);
		assertThat(response.path("instructions").asString()).isEqualTo("Be brief.");
		assertThat(response.path("temperature").asDouble()).isEqualTo(0.2);
		assertThat(response.path("tools").get(0).path("name").asString()).isEqualTo("weather");
		assertThat(response.path("store").asBoolean(true)).isFalse();
		assertThat(response.path("output")).isEqualTo(Json.MAPPER.readTree("""
				[{"id":"rs_%1$s","type":"reasoning","summary":[],"content":[{"type":"reasoning_text","text":"easy"}]},
				 {"id":"msg_%1$s","type":"message","status":"completed","role":"assistant",
				  "content":[{"type":"output_text","text":"Paris.","annotations":[],"logprobs":[]}]},
				 {"id":"fc_call_1","type":"function_call","status":"completed","arguments":"{\\"city\\":\\"Paris\\"}",
				  "call_id":"call_1","name":"weather"}]""".formatted(base)));
		assertThat(response.path("usage")).isEqualTo(Json.MAPPER.readTree("""
				{"input_tokens":120,"input_tokens_details":{"cached_tokens":80},"output_tokens":30,
				 "output_tokens_details":{"reasoning_tokens":7},"total_tokens":150}"""));
	}

	@Test
	void anAnswerCutByItsLimitIsIncomplete() {
		byte[] completion = """
				{"id":"c","object":"chat.completion","model":"m","choices":[{"index":0,
				 "message":{"role":"assistant","content":"Par"},"finish_reason":"length"}]}""".getBytes();
		JsonNode response = Json.MAPPER.readTree(
				this.door.render(exchange("{\"model\":\"gpt-test\",\"input\":\"hi\"}"), LlmResponse.json(200, completion, null))
					.json());
		assertThat(response.path("status").asString()).isEqualTo("incomplete");
		assertThat(response.path("incomplete_details").path("reason").asString()).isEqualTo("max_output_tokens");
	}

	@Test
	void writesAStreamAsTheResponsesEventSequence() {
		LlmExchange exchange = exchange("{\"model\":\"gpt-test\",\"input\":\"hi\",\"stream\":true}");
		List<SseEvent> events = render(exchange, List.of(
				chunk("{\"role\":\"assistant\",\"content\":\"\"}", null),
				chunk("{\"content\":\"Hel\"}", null),
				chunk("{\"content\":\"lo\"}", null),
				chunk("{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"\"}}]}", null),
				chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"a\\\":\"}}]}", null),
				chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"1}\"}}]}", null),
				chunk("{}", "tool_calls"),
				"{\"id\":\"chatcmpl-9\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\",\"choices\":[],"
						+ "\"usage\":{\"prompt_tokens\":50,\"completion_tokens\":12,\"total_tokens\":62}}"));

		assertThat(events).extracting(SseEvent::event).containsExactly("response.created", "response.in_progress",
				"response.output_item.added", "response.content_part.added", "response.output_text.delta",
				"response.output_text.delta", "response.output_text.done", "response.content_part.done",
				"response.output_item.done", "response.output_item.added", "response.function_call_arguments.delta",
				"response.function_call_arguments.delta", "response.function_call_arguments.done",
				"response.output_item.done", "response.completed");
		for (int i = 0; i < events.size(); i++) {
			assertThat(data(events.get(i)).path("sequence_number").asInt()).isEqualTo(i);
			assertThat(data(events.get(i)).path("type").asString()).isEqualTo(events.get(i).event());
		}
		assertThat(data(events.get(0)).path("response").path("status").asString()).isEqualTo("in_progress");
		String base = data(events.get(0)).path("response").path("id").asString().substring("resp_".length());
		assertThat(data(events.get(4)).path("item_id").asString()).isEqualTo("msg_" + base);
		assertThat(data(events.get(6)).path("text").asString()).isEqualTo("Hello");
		assertThat(data(events.get(9)).path("output_index").asInt()).isEqualTo(1);
		assertThat(data(events.get(12)).path("arguments").asString()).isEqualTo("{\"a\":1}");
		JsonNode completed = data(events.get(14)).path("response");
		assertThat(completed.path("status").asString()).isEqualTo("completed");
		assertThat(completed.path("output").get(0).path("content").get(0).path("text").asString()).isEqualTo("Hello");
		assertThat(completed.path("output").get(1).path("arguments").asString()).isEqualTo("{\"a\":1}");
		assertThat(completed.path("usage").path("output_tokens").asLong()).isEqualTo(12);

		SseEvent error = this.door.errorEvent(exchange, LlmApiException.upstreamTimeout("p", null));
		assertThat(error.event()).isEqualTo("error");
		assertThat(data(error).path("sequence_number").asInt()).as("numbered after the last event").isEqualTo(15);
		assertThat(data(error).path("code").asString()).isEqualTo("upstream_timeout");
	}

	@Test
	void builtInToolsAloneLeaveNoToolSettingsInTheCanonicalBody() {
		Inbound inbound = read("""
				{"model":"gpt-test","input":"hi","tools":[{"type":"web_search"}],"tool_choice":"required",
				 "parallel_tool_calls":false}""");
		assertThat(inbound.canonical().has("tool_choice")).isFalse();
		assertThat(inbound.canonical().has("parallel_tool_calls")).isFalse();
		assertThat(inbound.nativeRequest().unexpressedNames()).contains("built_in_tools");
	}

	@Test
	void aFunctionOutputsImagesFollowTheTurnsToolMessages() {
		Inbound inbound = read("""
				{"model":"gpt-test","input":[{"role":"user","content":"Screenshots of both tabs."},
				 {"type":"function_call","call_id":"call_1","name":"shot","arguments":"{}"},
				 {"type":"function_call","call_id":"call_2","name":"shot","arguments":"{}"},
				 {"type":"function_call_output","call_id":"call_1","output":[{"type":"input_text","text":"Tab 1."},
				  {"type":"input_image","image_url":"data:image/png;base64,iVBORw0KGgo="}]},
				 {"type":"function_call_output","call_id":"call_2","output":"Tab 2 is blank."},
				 {"role":"user","content":"Compare them."}]}""");
		JsonNode messages = inbound.canonical().path("messages");
		assertThat(messages).extracting(message -> message.path("role").asString())
			.containsExactly("user", "assistant", "tool", "tool", "user", "user");
		assertThat(messages.get(2)).isEqualTo(object("{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"Tab 1.\"}"));
		assertThat(messages.get(4).path("content")).extracting(part -> part.path("type").asString())
			.containsExactly("text", "image_url");
		assertThat(messages.get(4).path("content").get(0).path("text").asString()).contains("call_1");
		assertThat(inbound.canonical().toString()).doesNotContain("x-switchboard-attachments");
	}

	@Test
	void builtInToolItemsOfAnEarlierTurnAreNamedAndLeftOutOfTheCanonicalBody() {
		Inbound inbound = read("""
				{"model":"gpt-test","input":[{"role":"user","content":"Capital of France?"},
				 {"type":"web_search_call","id":"ws_1","status":"completed","action":{"type":"search","query":"capital"}},
				 {"role":"assistant","content":"Paris."},{"role":"user","content":"Sure?"}]}""");
		assertThat(inbound.canonical().path("messages")).hasSize(3);
		assertThat(inbound.nativeRequest().unexpressed().path("untranslated_items").get(0).path("at").asString())
			.isEqualTo("input[1]");
	}

	@Test
	void aProvidersOwnResponsesAnswerIsHandedOverWithTheGatewaysIdOnlyForItsTarget() {
		LlmExchange exchange = exchange("{\"model\":\"gpt-test\",\"input\":\"hi\"}");
		RouteTarget target = exchange.route().primary();
		ObjectNode provider = object("""
				{"id":"resp_upstream","object":"response","status":"completed","store":false,"model":"gpt-test-2026-01",
				 "output":[{"type":"web_search_call","id":"ws_1","status":"completed"},
				  {"type":"message","id":"msg_up","role":"assistant","content":[{"type":"output_text","text":"Paris.",
				   "annotations":[{"type":"url_citation","url":"https://example.com"}]}]}]}""");
		exchange.put(NativeAnswer.class, new NativeAnswer(NativeRequest.OPENAI_RESPONSES, target, provider));
		byte[] canonical = "{\"choices\":[{\"message\":{\"content\":\"Paris.\"},\"finish_reason\":\"stop\"}]}".getBytes();

		JsonNode handed = Json.MAPPER.readTree(this.door.render(exchange, LlmResponse.json(200, canonical, target)).json());
		assertThat(handed.path("id").asString()).startsWith("resp_").isNotEqualTo("resp_upstream");
		assertThat(handed.path("output")).isEqualTo(provider.path("output"));

		JsonNode cached = Json.MAPPER.readTree(this.door.render(exchange, LlmResponse.json(200, canonical, null)).json());
		assertThat(cached.path("output")).as("an answer another target (or the cache) served is written canonically")
			.hasSize(1);
	}

	@Test
	void eachItemOfAStreamHasItsOwnId() {
		LlmExchange exchange = exchange("{\"model\":\"gpt-test\",\"input\":\"hi\",\"stream\":true}");
		List<SseEvent> events = render(exchange, List.of(chunk("{\"content\":\"Checking.\"}", null),
				chunk("{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}", null),
				chunk("{\"content\":\"Done.\"}", null), chunk("{}", "stop")));
		JsonNode output = data(events.get(events.size() - 1)).path("response").path("output");
		assertThat(output).hasSize(3);
		assertThat(output.get(0).path("id").asString()).isNotEqualTo(output.get(2).path("id").asString());
		assertThat(output.get(2).path("content").get(0).path("text").asString()).isEqualTo("Done.");
	}

	@Test
	void aStreamedRefusalIsARefusalPart() {
		LlmExchange exchange = exchange("{\"model\":\"gpt-test\",\"input\":\"hi\",\"stream\":true}");
		List<SseEvent> events = render(exchange, List.of(chunk("{\"refusal\":\"I can't\"}", null),
				chunk("{\"refusal\":\" help.\"}", null), chunk("{}", "stop")));
		assertThat(events).extracting(SseEvent::event).containsExactly("response.created", "response.in_progress",
				"response.output_item.added", "response.content_part.added", "response.refusal.delta",
				"response.refusal.delta", "response.refusal.done", "response.content_part.done",
				"response.output_item.done", "response.completed");
		assertThat(data(events.get(9)).path("response").path("output").get(0).path("content").get(0))
			.isEqualTo(Json.MAPPER.readTree("{\"type\":\"refusal\",\"refusal\":\"I can't help.\"}"));
	}

	@Test
	void aStatelessDoorRefusesWhatNeedsAStoredResponseClearly() {
		assertThat(ResponsesDoor.isStoredResponse("/v1/responses/resp_1")).isTrue();
		assertThat(ResponsesDoor.isStoredResponse("/v1/responses")).isFalse();
		StepVerifier.create(this.door.read(Operation.CHAT,
				object("{\"model\":\"m\",\"input\":\"hi\",\"previous_response_id\":\"resp_1\"}"), new HttpHeaders(),
				Team.unrestricted("team-a")))
			.expectErrorSatisfies(error -> assertThat(error).isInstanceOfSatisfying(LlmApiException.class, api -> {
				assertThat(api.status()).isEqualTo(400);
				assertThat(api.param()).isEqualTo("previous_response_id");
				assertThat(api.getMessage()).contains("stores no responses");
			}))
			.verify();
		StepVerifier.create(this.door.stored(HttpMethod.GET, "/v1/responses/resp_1", new LinkedMultiValueMap<>(),
				Team.unrestricted("team-a")))
			.expectErrorSatisfies(error -> assertThat(((LlmApiException) error).status()).isEqualTo(400))
			.verify();
		JsonNode answer = Json.MAPPER.readTree(this.door.render(exchange("{\"model\":\"gpt-test\",\"input\":\"hi\"}"),
				LlmResponse.json(200, "{\"choices\":[{\"message\":{\"content\":\"x\"}}]}".getBytes(), null)).json());
		assertThat(answer.path("store").asBoolean(true)).as("says it was not stored").isFalse();
		assertThat(this.door.operation("/team/v1/responses")).isEqualTo(Operation.CHAT);
		assertThat(this.door.operation("/v1/chat/completions")).isNull();
	}

	// ---- helpers

	private Inbound read(String json) {
		return this.door.read(Operation.CHAT, object(json), new HttpHeaders());
	}

	private LlmExchange exchange(String responsesRequest) {
		Inbound inbound = read(responsesRequest);
		LlmExchange exchange = TestCatalogs.exchange(TestCatalogs.catalog(URI.create("http://127.0.0.1:1")),
				Operation.CHAT, inbound.canonical().toString());
		exchange.put(NativeRequest.class, inbound.nativeRequest());
		return exchange;
	}

	private List<SseEvent> render(LlmExchange exchange, List<String> chunks) {
		return CanonicalChunks.render(this.door, exchange, chunks);
	}

	private static JsonNode data(SseEvent event) {
		return Json.MAPPER.readTree(event.data());
	}

	private static ObjectNode object(String json) {
		return (ObjectNode) Json.MAPPER.readTree(json);
	}

}
