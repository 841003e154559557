package dev.switchboard.sse;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class SseDecoderTest {

	private static final String STREAM = "event: message_start\ndata: {\"a\":\"héllo\"}\n\n"
			+ ": keep-alive comment\n\n" + "data: {\"b\":1}\r\n\r\n" + "id: 7\nretry: 100\ndata: line one\ndata: line two\n\n"
			+ "data: [DONE]\n\n";

	@ParameterizedTest(name = "chunks of {0} bytes")
	@ValueSource(ints = { 1, 2, 3, 5, 7, 16, 1000 })
	void eventsAreTheSameWhereverTheNetworkSplitsTheBytes(int chunkSize) {
		byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
		SseDecoder decoder = new SseDecoder();
		List<SseEvent> events = new ArrayList<>();
		for (int i = 0; i < bytes.length; i += chunkSize) {
			events.addAll(decoder.decode(Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + chunkSize))));
		}
		events.addAll(decoder.finish());

		assertThat(events).extracting(SseEvent::dataAsString)
			.containsExactly("{\"a\":\"héllo\"}", "{\"b\":1}", "line one\nline two", "[DONE]");
		assertThat(events.get(0).event()).isEqualTo("message_start");
		assertThat(events.get(1).event()).isNull();
		assertThat(events.get(3).isDone()).isTrue();
	}

	@Test
	void anEventIsEmittedAsSoonAsItsBlankLineArrives() {
		SseDecoder decoder = new SseDecoder();
		assertThat(decoder.decode("data: {\"x\":1}\n".getBytes(StandardCharsets.UTF_8))).isEmpty();
		assertThat(decoder.decode("\n".getBytes(StandardCharsets.UTF_8))).extracting(SseEvent::dataAsString)
			.containsExactly("{\"x\":1}");
	}

	@Test
	void finishDeliversALastEventWithoutItsBlankLine() {
		SseDecoder decoder = new SseDecoder();
		assertThat(decoder.decode("data: tail".getBytes(StandardCharsets.UTF_8))).isEmpty();
		assertThat(decoder.finish()).extracting(SseEvent::dataAsString).containsExactly("tail");
	}

	@Test
	void anOversizedEventFailsInsteadOfGrowingWithoutBound() {
		SseDecoder decoder = new SseDecoder(64);
		byte[] big = ("data: " + "x".repeat(100)).getBytes(StandardCharsets.UTF_8);
		assertThatIllegalStateException().isThrownBy(() -> decoder.decode(big)).withMessageContaining("64 bytes");
	}

	@Test
	void encoderWritesOneDataLinePerLineAndRoundTrips() {
		SseEvent event = new SseEvent("ping", "a\nb".getBytes(StandardCharsets.UTF_8));
		byte[] encoded = SseEncoder.encode(event);
		assertThat(new String(encoded, StandardCharsets.UTF_8)).isEqualTo("event: ping\ndata: a\ndata: b\n\n");
		SseDecoder decoder = new SseDecoder();
		List<SseEvent> decoded = decoder.decode(encoded);
		assertThat(decoded).hasSize(1);
		assertThat(decoded.get(0).event()).isEqualTo("ping");
		assertThat(decoded.get(0).dataAsString()).isEqualTo("a\nb");
	}

}
