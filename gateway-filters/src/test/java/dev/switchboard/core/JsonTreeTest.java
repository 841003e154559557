package dev.switchboard.core;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.sse.SseEvent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A stream chunk is parsed once, however many stages read it. */
class JsonTreeTest {

	@Test
	void everyReaderOfAnEventSharesOneParse() {
		SseEvent event = SseEvent.data("{\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}");
		AtomicInteger parses = new AtomicInteger();
		JsonNode first = event.parsed(JsonNode.class, bytes -> {
			parses.incrementAndGet();
			return Json.MAPPER.readTree(bytes);
		});
		JsonNode again = Json.tree(event);
		assertThat(again).isSameAs(first);
		assertThat(parses).hasValue(1);
		assertThat(again.path("choices").path(0).path("delta").path("content").asString()).isEqualTo("hi");
	}

	@Test
	void anEventWrittenFromATreeIsReadWithoutParsingAndCarriesItIntoItsHandOver() {
		ObjectNode chunk = Json.object().put("id", "c1");
		SseEvent event = Json.event(chunk);
		assertThat(event.dataAsString()).isEqualTo("{\"id\":\"c1\"}");
		assertThat(Json.tree(event)).isSameAs(chunk);
		SseEvent handedOver = event.from(List.of(SseEvent.data("{}")));
		assertThat(Json.tree(handedOver)).isSameAs(chunk);
		assertThat(Json.event("message_start", chunk).event()).isEqualTo("message_start");
	}

	@Test
	void aPayloadThatIsNotJsonFailsEveryReaderAlike() {
		SseEvent event = SseEvent.data("not json");
		assertThatThrownBy(() -> Json.tree(event)).isInstanceOf(JacksonException.class);
		assertThatThrownBy(() -> Json.tree(event)).isInstanceOf(JacksonException.class);
	}

	@Test
	void theDoneSentinelIsRecognisedWhetherSharedOrReadFromTheWire() {
		assertThat(SseEvent.DONE_EVENT.isDone()).isTrue();
		assertThat(SseEvent.data("[DONE]").isDone()).isTrue();
		assertThat(SseEvent.data("[DONE] ").isDone()).isFalse();
	}

}
