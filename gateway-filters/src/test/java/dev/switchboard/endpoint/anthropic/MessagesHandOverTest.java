package dev.switchboard.endpoint.anthropic;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.HttpHeaders;

import dev.switchboard.catalog.ModelCatalog;
import dev.switchboard.catalog.ProviderSpec;
import dev.switchboard.catalog.ProviderType;
import dev.switchboard.catalog.Secret;
import dev.switchboard.core.Json;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.LlmResponse;
import dev.switchboard.core.NativeRequest;
import dev.switchboard.core.Operation;
import dev.switchboard.core.RouteTarget;
import dev.switchboard.endpoint.door.InboundDoor.Inbound;
import dev.switchboard.sse.SseDecoder;
import dev.switchboard.sse.SseEvent;
import dev.switchboard.testing.Fixtures;
import dev.switchboard.testing.TestCatalogs;
import dev.switchboard.translate.anthropic.AnthropicAdapter;
import dev.switchboard.translate.spi.StreamTranslator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An Anthropic provider's own answer through the Anthropic door: every event of a stream (server
 * tool use, web search results, citations, ping) reaches the client as Anthropic wrote it, while
 * the canonical events beside them carry only what the canonical shape holds; and a stream a
 * decorator ends early is still closed in Anthropic's terms.
 */
class MessagesHandOverTest {

	private final AnthropicAdapter adapter = new AnthropicAdapter();

	private final AnthropicDoor door = new AnthropicDoor();

	@Test
	void everyEventOfAnAnthropicStreamIsHandedOverAsItCame() {
		LlmExchange exchange = exchange();
		List<SseEvent> upstream = new SseDecoder().decode(Fixtures.bytes("anthropic-door/web-search.stream.sse"));
		List<SseEvent> canonical = translate(exchange, upstream);

		List<SseEvent> written = this.door.render(exchange, LlmResponse.stream(Flux.fromIterable(canonical), null))
			.events()
			.collectList()
			.block();

		assertThat(written).extracting(SseEvent::event).containsExactlyElementsOf(upstream.stream().map(SseEvent::event).toList());
		for (int i = 0; i < upstream.size(); i++) {
			assertThat(written.get(i).data()).as("event " + i + " byte for byte").isEqualTo(upstream.get(i).data());
		}
		// What the rest of the gateway read: the text, no client tool call for the server's search.
		String text = canonical.stream()
			.filter(event -> !event.isDone())
			.map(event -> Json.MAPPER.readTree(event.data()).path("choices").path(0).path("delta").path("content").asString(""))
			.reduce("", String::concat);
		assertThat(text).isEqualTo("Paris is the capital of France.");
		assertThat(canonical).noneMatch(event -> event.dataAsString().contains("\"tool_calls\""));
		assertThat(exchange.usage().completionTokens()).isEqualTo(25);
	}

	@Test
	void aStreamADecoratorEndsIsClosedInAnthropicsTerms() {
		LlmExchange exchange = exchange();
		List<SseEvent> upstream = new SseDecoder().decode(Fixtures.bytes("anthropic-door/web-search.stream.sse"));
		// The provider's events up to the text's first delta, then the quota's cut: finish, usage, [DONE].
		List<SseEvent> canonical = new ArrayList<>(translate(exchange, upstream.subList(0, 10)));
		canonical.removeIf(SseEvent::isDone);
		canonical.add(SseEvent.data("{\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
				+ "\"delta\":{},\"finish_reason\":\"length\"}]}"));
		canonical.add(SseEvent.data("{\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"choices\":[],"
				+ "\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":9,\"total_tokens\":29}}"));
		canonical.add(SseEvent.DONE_EVENT);

		List<SseEvent> written = this.door.render(exchange, LlmResponse.stream(Flux.fromIterable(canonical), null))
			.events()
			.collectList()
			.block();

		List<SseEvent> closing = written.subList(10, written.size());
		assertThat(closing).extracting(SseEvent::event).containsExactly("content_block_stop", "message_delta", "message_stop");
		assertThat(Json.MAPPER.readTree(closing.get(0).data()).path("index").asInt()).as("the text block left open").isEqualTo(2);
		JsonNode delta = Json.MAPPER.readTree(closing.get(1).data());
		assertThat(delta.path("delta").path("stop_reason").asString()).isEqualTo("max_tokens");
		assertThat(delta.path("usage").path("output_tokens").asLong()).isEqualTo(9);
	}

	@Test
	void aWholeAnthropicAnswerIsHandedOverAsItCame() {
		LlmExchange exchange = exchange();
		RouteTarget target = exchange.route().primary();
		byte[] message = """
				{"id":"msg_1","type":"message","role":"assistant","model":"claude-test","content":[
				 {"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{"query":"capital of France"}},
				 {"type":"web_search_tool_result","tool_use_id":"srvtoolu_1","content":[{"type":"web_search_result",
				  "title":"Paris","url":"https://en.wikipedia.org/wiki/Paris","encrypted_content":"Eqg"}]},
				 {"type":"text","text":"Paris is the capital of France.","citations":[{"type":"web_search_result_location",
				  "url":"https://en.wikipedia.org/wiki/Paris","title":"Paris","cited_text":"Paris is","encrypted_index":"Eo8"}]}],
				 "stop_reason":"pause_turn","stop_sequence":null,"usage":{"input_tokens":20,"output_tokens":25,
				 "server_tool_use":{"web_search_requests":1}}}""".getBytes();
		byte[] canonical = this.adapter.chatResponse(exchange, target, message);

		JsonNode written = Json.MAPPER.readTree(this.door.render(exchange, LlmResponse.json(200, canonical, target)).json());
		assertThat(written).isEqualTo(Json.MAPPER.readTree(message));

		JsonNode fromCache = Json.MAPPER.readTree(this.door.render(exchange, LlmResponse.json(200, canonical, null)).json());
		assertThat(fromCache.path("content")).as("a cached answer is written from the canonical one").hasSize(1);
	}

	// ---- helpers

	private List<SseEvent> translate(LlmExchange exchange, List<SseEvent> upstream) {
		StreamTranslator translator = this.adapter.streamTranslator(exchange, exchange.route().primary());
		List<SseEvent> canonical = new ArrayList<>();
		upstream.forEach(event -> canonical.addAll(translator.onEvent(event)));
		if (upstream.get(upstream.size() - 1).event().equals("message_stop")) {
			canonical.addAll(translator.onEnd());
		}
		return canonical;
	}

	private LlmExchange exchange() {
		Inbound inbound = this.door.read(Operation.CHAT, (ObjectNode) Json.MAPPER.readTree("""
				{"model":"claude","max_tokens":256,"stream":true,"tools":[{"type":"web_search_20250305","name":"web_search"}],
				 "messages":[{"role":"user","content":"What is the capital of France?"}]}"""), new HttpHeaders());
		ProviderSpec anthropic = new ProviderSpec("anthropic", ProviderType.ANTHROPIC, URI.create("http://127.0.0.1:1/v1"),
				Secret.of(TestCatalogs.PROVIDER_KEY), Map.of(), Duration.ofSeconds(2), Duration.ofSeconds(5), true);
		ModelCatalog catalog = new ModelCatalog(List.of(anthropic),
				List.of(TestCatalogs.chatModel("claude", "anthropic", "claude-test")));
		LlmExchange exchange = TestCatalogs.exchange(catalog, Operation.CHAT, inbound.canonical().toString());
		exchange.put(NativeRequest.class, inbound.nativeRequest());
		return exchange;
	}

}
