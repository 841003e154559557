package dev.switchboard.translate.openai;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.HttpHeaders;

import dev.switchboard.catalog.ModelCatalog;
import dev.switchboard.catalog.ProviderSpec;
import dev.switchboard.catalog.ProviderType;
import dev.switchboard.catalog.Secret;
import dev.switchboard.catalog.UnsupportedParameters;
import dev.switchboard.core.Json;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.NativeAnswer;
import dev.switchboard.core.NativeRequest;
import dev.switchboard.core.Operation;
import dev.switchboard.core.RouteTarget;
import dev.switchboard.core.Usage;
import dev.switchboard.endpoint.door.InboundDoor.Inbound;
import dev.switchboard.endpoint.responses.ResponsesDoor;
import dev.switchboard.sse.SseEvent;
import dev.switchboard.translate.spi.StreamTranslator;
import dev.switchboard.translate.spi.UpstreamRequest;
import dev.switchboard.testing.TestCatalogs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Requests of the Responses door to an OpenAI provider that has the Responses API: sent as the
 * client wrote them, and read back (whole and streamed) into the canonical answer.
 */
class ResponsesApiTest {

	private final OpenAiAdapter adapter = new OpenAiAdapter();

	@Test
	void theClientsRequestGoesToResponsesAsWrittenButForWhatTheGatewayAnswersFor() {
		LlmExchange exchange = exchange(true, """
				{"model":"gpt-test","instructions":"Be brief.","tools":[{"type":"web_search"}],"include":["reasoning.encrypted_content"],
				 "previous_response_id":"resp_earlier","store":true,"input":[
				  {"type":"message","id":"msg_1","role":"user","content":[{"type":"input_text","text":"Weather?"}]},
				  {"type":"reasoning","id":"rs_1","summary":[],"encrypted_content":"opaque"},
				  {"type":"reasoning","id":"rs_2","summary":[]},
				  {"type":"function_call","id":"fc_1","call_id":"call_1","name":"weather","arguments":"{}"},
				  {"type":"function_call_output","id":"fco_1","call_id":"call_1","output":"sunny"},
				  {"type":"web_search_call","id":"ws_1","status":"completed"}]}""");
		RouteTarget target = exchange.route().primary();
		assertThat(this.adapter.speaksNatively(NativeRequest.OPENAI_RESPONSES, target.provider())).isTrue();

		UpstreamRequest request = this.adapter.chatRequest(exchange, target);

		assertThat(request.path()).isEqualTo("/responses");
		assertThat(request.headers().getFirst(HttpHeaders.AUTHORIZATION)).isEqualTo("Bearer " + TestCatalogs.PROVIDER_KEY);
		JsonNode sent = Json.MAPPER.readTree(request.body());
		assertThat(sent.path("model").asString()).isEqualTo("gpt-test-2026-01");
		assertThat(sent.path("store").asBoolean(true)).as("the gateway keeps responses; OpenAI keeps none").isFalse();
		assertThat(sent.has("previous_response_id")).isFalse();
		assertThat(sent.path("tools").get(0).path("type").asString()).isEqualTo("web_search");
		assertThat(sent.path("include").get(0).asString()).isEqualTo("reasoning.encrypted_content");
		assertThat(sent.path("instructions").asString()).isEqualTo("Be brief.");
		assertThat(sent.path("input")).extracting(item -> item.path("type").asString() + ":" + item.path("id").asString(""))
			.containsExactly("message:", "reasoning:rs_1", "function_call:", "function_call_output:", "web_search_call:ws_1");
	}

	@Test
	void withoutTheResponsesApiTheCanonicalBodyGoesToChatCompletions() {
		LlmExchange exchange = exchange(false, "{\"model\":\"gpt-test\",\"input\":\"hi\"}");
		RouteTarget target = exchange.route().primary();
		assertThat(this.adapter.speaksNatively(NativeRequest.OPENAI_RESPONSES, target.provider())).isFalse();
		assertThat(this.adapter.chatRequest(exchange, target).path()).isEqualTo("/chat/completions");
		assertThat(new dev.switchboard.translate.azure.AzureOpenAiAdapter()
			.speaksNatively(NativeRequest.OPENAI_RESPONSES, provider(true))).as("not Azure's deployments API").isFalse();
	}

	@Test
	void aWholeAnswerIsReadIntoTheCanonicalShapeAndKeptAsItCame() {
		LlmExchange exchange = exchange(true, "{\"model\":\"gpt-test\",\"input\":\"hi\"}");
		RouteTarget target = exchange.route().primary();
		byte[] answer = """
				{"id":"resp_up","object":"response","created_at":1741476542,"status":"completed","model":"gpt-test-2026-01",
				 "output":[{"type":"web_search_call","id":"ws_1","status":"completed"},
				  {"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"Looked it up."}],"encrypted_content":"x"},
				  {"type":"message","id":"msg_1","status":"completed","role":"assistant",
				   "content":[{"type":"output_text","text":"Paris.","annotations":[{"type":"url_citation","url":"https://x"}]}]},
				  {"type":"function_call","id":"fc_1","call_id":"call_1","name":"weather","arguments":"{\\"city\\":\\"Paris\\"}"}],
				 "usage":{"input_tokens":40,"input_tokens_details":{"cached_tokens":32},"output_tokens":20,
				  "output_tokens_details":{"reasoning_tokens":12},"total_tokens":60}}""".getBytes();

		JsonNode completion = Json.MAPPER.readTree(this.adapter.chatResponse(exchange, target, answer));

		assertThat(completion.path("choices").get(0)).isEqualTo(Json.MAPPER.readTree("""
				{"index":0,"message":{"role":"assistant","content":"Paris.","reasoning_content":"Looked it up.",
				 "tool_calls":[{"id":"call_1","type":"function","function":{"name":"weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]},
				 "finish_reason":"tool_calls"}"""));
		assertThat(completion.path("usage").path("completion_tokens_details").path("reasoning_tokens").asLong()).isEqualTo(12);
		assertThat(exchange.usage()).isEqualTo(new Usage(40, 20, 32, 0, 0, 12, true));
		NativeAnswer kept = exchange.get(NativeAnswer.class);
		assertThat(kept.of(NativeRequest.OPENAI_RESPONSES, target)).isTrue();
		assertThat(kept.body()).isEqualTo(Json.MAPPER.readTree(answer));
	}

	@Test
	void anIncompleteAnswerWasCutAndAFailedOneIsAnError() {
		LlmExchange exchange = exchange(true, "{\"model\":\"gpt-test\",\"input\":\"hi\"}");
		RouteTarget target = exchange.route().primary();
		JsonNode cut = Json.MAPPER.readTree(this.adapter.chatResponse(exchange, target, """
				{"id":"r","status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},
				 "output":[{"type":"message","content":[{"type":"output_text","text":"Par"}]}]}""".getBytes()));
		assertThat(cut.path("choices").get(0).path("finish_reason").asString()).isEqualTo("length");

		assertThatThrownBy(() -> this.adapter.chatResponse(exchange, target, """
				{"id":"r","status":"failed","error":{"code":"rate_limit_exceeded","message":"Slow down."},"output":[]}"""
			.getBytes())).isInstanceOfSatisfying(LlmApiException.class, error -> assertThat(error.status()).isEqualTo(429));
		assertThatThrownBy(() -> this.adapter.chatResponse(exchange, target, """
				{"id":"r","status":"failed","error":{"code":"server_error","message":"Oops."},"output":[]}""".getBytes()))
			.isInstanceOfSatisfying(LlmApiException.class, error -> assertThat(error.status()).isGreaterThanOrEqualTo(500));
	}

	@Test
	void aStreamIsReadEventByEventIntoChunks() {
		LlmExchange exchange = exchange(true, "{\"model\":\"gpt-test\",\"input\":\"hi\",\"stream\":true}");
		StreamTranslator stream = this.adapter.streamTranslator(exchange, exchange.route().primary());
		List<SseEvent> out = new ArrayList<>();
		for (String event : List.of(
				"{\"type\":\"response.created\",\"response\":{\"id\":\"resp_up\",\"model\":\"gpt-test-2026-01\",\"created_at\":7}}",
				"{\"type\":\"response.in_progress\",\"response\":{}}",
				"{\"type\":\"response.output_item.added\",\"output_index\":0,\"item\":{\"type\":\"web_search_call\",\"id\":\"ws_1\"}}",
				"{\"type\":\"response.web_search_call.completed\",\"output_index\":0}",
				"{\"type\":\"response.reasoning_summary_text.delta\",\"output_index\":1,\"delta\":\"Hm.\"}",
				"{\"type\":\"response.output_text.delta\",\"output_index\":2,\"delta\":\"Par\"}",
				"{\"type\":\"response.output_text.delta\",\"output_index\":2,\"delta\":\"is.\"}",
				"{\"type\":\"response.output_item.added\",\"output_index\":3,\"item\":{\"type\":\"function_call\",\"call_id\":\"call_1\",\"name\":\"f\"}}",
				"{\"type\":\"response.function_call_arguments.delta\",\"output_index\":3,\"delta\":\"{}\"}",
				"{\"type\":\"response.completed\",\"response\":{\"status\":\"completed\",\"usage\":{\"input_tokens\":5,\"output_tokens\":3,\"total_tokens\":8}}}")) {
			out.addAll(stream.onEvent(SseEvent.data(event)));
		}
		out.addAll(stream.onEnd());

		List<JsonNode> chunks = out.stream().filter(event -> !event.isDone()).map(event -> Json.MAPPER.readTree(event.data())).toList();
		assertThat(chunks).extracting(chunk -> chunk.path("choices").path(0).path("delta").toString()).containsExactly(
				"{\"role\":\"assistant\",\"content\":\"\"}", "{\"reasoning_content\":\"Hm.\"}", "{\"content\":\"Par\"}",
				"{\"content\":\"is.\"}",
				"{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"\"}}]}",
				"{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{}\"}}]}", "{}", "");
		assertThat(chunks.get(6).path("choices").path(0).path("finish_reason").asString()).isEqualTo("tool_calls");
		assertThat(chunks.get(7).path("usage").path("total_tokens").asLong()).isEqualTo(8);
		assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.path("id").asString()).isEqualTo("resp_up"));
		assertThat(out.get(out.size() - 1).isDone()).isTrue();
		assertThat(exchange.usage()).isEqualTo(new Usage(5, 3, 0, true));
		assertThat(exchange.timing().timeToFirstTokenNanos()).isPositive();
	}

	@Test
	void aStreamThatFailsOrStopsShortIsAnError() {
		LlmExchange exchange = exchange(true, "{\"model\":\"gpt-test\",\"input\":\"hi\",\"stream\":true}");
		StreamTranslator failing = this.adapter.streamTranslator(exchange, exchange.route().primary());
		assertThatThrownBy(() -> failing.onEvent(SseEvent.data(
				"{\"type\":\"response.failed\",\"response\":{\"status\":\"failed\",\"error\":{\"code\":\"server_error\",\"message\":\"x\"}}}")))
			.isInstanceOf(LlmApiException.class);
		StreamTranslator cut = this.adapter.streamTranslator(exchange, exchange.route().primary());
		cut.onEvent(SseEvent.data("{\"type\":\"response.output_text.delta\",\"delta\":\"Par\"}"));
		assertThatThrownBy(cut::onEnd).isInstanceOfSatisfying(LlmApiException.class,
				error -> assertThat(error.code()).isEqualTo("upstream_stream_truncated"));
	}

	// ---- helpers

	private static ProviderSpec provider(boolean responsesApi) {
		return new ProviderSpec("openai", ProviderType.OPENAI, URI.create("http://127.0.0.1:1/v1"),
				Secret.of(TestCatalogs.PROVIDER_KEY), Map.of(), Duration.ofSeconds(2), Duration.ofSeconds(5), true, null,
				ProviderSpec.DEFAULT_MAX_TOKENS, UnsupportedParameters.REJECT, responsesApi);
	}

	private static LlmExchange exchange(boolean responsesApi, String responsesRequest) {
		Inbound inbound = new ResponsesDoor().read(Operation.CHAT, (ObjectNode) Json.MAPPER.readTree(responsesRequest),
				new HttpHeaders());
		ModelCatalog catalog = new ModelCatalog(List.of(provider(responsesApi)),
				List.of(TestCatalogs.chatModel("gpt-test", "openai", "gpt-test-2026-01")));
		LlmExchange exchange = TestCatalogs.exchange(catalog, Operation.CHAT, inbound.canonical().toString());
		exchange.put(NativeRequest.class, inbound.nativeRequest());
		return exchange;
	}

}
