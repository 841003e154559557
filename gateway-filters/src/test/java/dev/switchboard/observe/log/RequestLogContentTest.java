package dev.switchboard.observe.log;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.catalog.ModelCatalog;
import dev.switchboard.core.Checks;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.LlmExchangeListener;
import dev.switchboard.core.LlmResponse;
import dev.switchboard.core.Operation;
import dev.switchboard.sse.SseEvent;
import dev.switchboard.testing.TestCatalogs;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Prompt and completion text in the request log: absent unless switched on, then bounded, with
 * non-text parts as placeholders, read from a stream's chunks without changing them.
 */
class RequestLogContentTest {

	private static final ModelCatalog CATALOG = TestCatalogs.catalog(URI.create("http://127.0.0.1:1/v1"));

	private static final String CHAT = """
			{"model":"fast","messages":[
			  {"role":"system","content":"Be brief."},
			  {"role":"user","content":[{"type":"text","text":"What is in this picture?"},
			    {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgoAAAANSUhEUg"}}]},
			  {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
			    "function":{"name":"lookup","arguments":"{\\"q\\":\\"cat\\"}"}}]},
			  {"role":"tool","tool_call_id":"call_1","content":"a cat"}]}
			""";

	private static final String ANSWER = """
			{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"finish_reason":"stop",
			  "message":{"role":"assistant","content":"A cat on a mat."}}],
			 "usage":{"prompt_tokens":30,"completion_tokens":6,"total_tokens":36}}
			""";

	@Test
	void noTextUnlessSwitchedOn() {
		RequestLog log = new RequestLog(10);
		ObjectNode record = complete(log, Operation.CHAT, CHAT, LlmResponse.json(200, ANSWER.getBytes(), null));
		assertThat(record.has("prompt")).isFalse();
		assertThat(record.has("completion")).isFalse();
		assertThat(record.toString()).doesNotContain("picture").doesNotContain("cat");
	}

	@Test
	void keepsMessagesToolCallsAndTheAnswerWithPlaceholdersForImages() {
		RequestLog log = new RequestLog(10, 1000);
		ObjectNode record = complete(log, Operation.CHAT, CHAT, LlmResponse.json(200, ANSWER.getBytes(), null));
		assertThat(record.path("prompt").asString()).isEqualTo("""
				system: Be brief.
				user: What is in this picture?[image_url]
				assistant: [tool call lookup] {"q":"cat"}
				tool: a cat""");
		assertThat(record.path("prompt").asString()).doesNotContain("base64");
		assertThat(record.path("completion").asString()).isEqualTo("A cat on a mat.");
	}

	@Test
	void readsAStreamAsItPassesAndLeavesItUnchanged() {
		RequestLog log = new RequestLog(10, 1000);
		LlmExchange exchange = started(log, Operation.CHAT, CHAT);
		List<SseEvent> events = List.of(chunk("{\"role\":\"assistant\",\"content\":\"\"}"), chunk("{\"content\":\"A cat \"}"),
				chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"name\":\"draw\",\"arguments\":\"\"}}]}"),
				chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{}\"}}]}"), SseEvent.DONE_EVENT);
		List<SseEvent> written = exchange.response().prepare(LlmResponse.stream(Flux.fromIterable(events), null)).block()
			.events()
			.collectList()
			.block(Duration.ofSeconds(5));
		assertThat(written).containsExactlyElementsOf(events);
		assertThat(finish(log, exchange).path("completion").asString()).isEqualTo("A cat [tool call draw] {}");
	}

	@Test
	void cutsEachTextAtTheLimitAndMarksTheCut() {
		RequestLog log = new RequestLog(10, 12);
		LlmExchange exchange = started(log, Operation.CHAT,
				"{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"a long question indeed\"}]}");
		Flux<SseEvent> words = Flux.range(0, 100).map(i -> chunk("{\"content\":\"word" + i + " \"}"));
		exchange.response().prepare(LlmResponse.stream(words, null)).block().events().blockLast(Duration.ofSeconds(5));
		ObjectNode record = finish(log, exchange);
		assertThat(record.path("prompt").asString()).isEqualTo("user: a long...");
		assertThat(record.path("completion").asString()).as("cut at 12 characters, and marked")
			.isEqualTo("word0 word1 ...");
	}

	@Test
	void embeddingsKeepTheirInputAndNoCompletion() {
		RequestLog log = new RequestLog(10, 100);
		ObjectNode record = complete(log, Operation.EMBEDDINGS,
				"{\"model\":\"embed-test\",\"input\":[\"first text\",\"second text\",[1,2,3]]}",
				LlmResponse.json(200, "{\"object\":\"list\",\"data\":[]}".getBytes(), null));
		assertThat(record.path("prompt").asString()).isEqualTo("first text\nsecond text\n[tokens]");
		assertThat(record.path("completion").asString()).isEmpty();
	}

	@Test
	void aMalformedToolCallNameDoesNotFailTheRequest() {
		RequestLog log = new RequestLog(10, 100);
		ObjectNode record = complete(log, Operation.CHAT, """
				{"model":"fast","messages":[{"role":"assistant","content":null,"tool_calls":[
				  {"id":"c","type":"function","function":{"name":{"not":"a string"},"arguments":"{}"}}]}]}
				""", LlmResponse.json(200, ANSWER.getBytes(), null));
		assertThat(record.path("prompt").asString()).isEqualTo("assistant: [tool call ?] {}");
	}

	@Test
	void aListenerThatFailsAtTheStartDoesNotFailTheRequest() {
		RequestLog log = new RequestLog(10, 100);
		LlmExchange exchange = TestCatalogs.exchange(CATALOG, Operation.CHAT, CHAT);
		exchange.addStartListener(new LlmExchangeListener() {
			@Override
			public void onStart(LlmExchange started) {
				throw new IllegalStateException("broken listener");
			}
		});
		exchange.addStartListener(log);
		exchange.response().prepare(LlmResponse.json(200, ANSWER.getBytes(), null)).block();
		assertThat(finish(log, exchange).path("completion").asString()).isEqualTo("A cat on a mat.");
	}

	@Test
	void theGuardrailsChecksAreInTheLineWithoutTheirText() {
		RequestLog log = new RequestLog(10, 0);
		LlmExchange exchange = started(log, Operation.CHAT, CHAT);
		Checks checks = new Checks();
		checks.add(new Checks.Check("pii", "pre", "masked", 41_000));
		checks.add(new Checks.Check("answers", "post", "denied", 2_500_000));
		exchange.put(Checks.class, checks);

		ObjectNode record = finish(log, exchange);

		assertThat(record.path("guard").toString()).isEqualTo("[{\"guardrail\":\"pii\",\"stage\":\"pre\",\"outcome\":"
				+ "\"masked\",\"ms\":0.041},{\"guardrail\":\"answers\",\"stage\":\"post\",\"outcome\":\"denied\","
				+ "\"ms\":2.5}]");
		assertThat(record.has("prompt")).as("content logging is off").isFalse();
	}

	@Test
	void embeddingsAnswersAreNotParsed() {
		RequestLog log = new RequestLog(10, 100);
		LlmExchange exchange = started(log, Operation.EMBEDDINGS, "{\"model\":\"embed-test\",\"input\":\"x\"}");
		// a body with choices, read if embeddings answers were parsed: they are vectors, never read
		exchange.response()
			.prepare(LlmResponse.json(200, "{\"choices\":[{\"message\":{\"content\":\"no\"}}]}".getBytes(), null))
			.block();
		assertThat(finish(log, exchange).path("completion").asString()).isEmpty();
	}

	@Test
	void anErrorAnswerIsNotACompletion() {
		RequestLog log = new RequestLog(10, 100);
		ObjectNode record = complete(log, Operation.CHAT, CHAT, LlmResponse.json(429,
				"{\"error\":{\"message\":\"slow down\",\"type\":\"rate_limit_exceeded\"}}".getBytes(), null));
		assertThat(record.path("completion").asString()).isEmpty();
	}

	private static ObjectNode complete(RequestLog log, Operation operation, String body, LlmResponse response) {
		LlmExchange exchange = started(log, operation, body);
		exchange.response().prepare(response).block();
		return finish(log, exchange);
	}

	private static LlmExchange started(RequestLog log, Operation operation, String body) {
		LlmExchange exchange = TestCatalogs.exchange(CATALOG, operation, body);
		exchange.addStartListener(log);
		return exchange;
	}

	private static ObjectNode finish(RequestLog log, LlmExchange exchange) {
		exchange.complete(LlmExchange.Completion.SUCCESS, null);
		ObjectNode record = log.find(exchange.requestId());
		assertThat(record).isNotNull();
		return record;
	}

	private static SseEvent chunk(String delta) {
		return SseEvent.data("{\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":" + delta + "}]}");
	}

}
