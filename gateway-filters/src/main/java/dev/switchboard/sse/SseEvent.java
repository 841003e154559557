package dev.switchboard.sse;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * One server-sent event: its optional {@code event:} name and its {@code data:} payload as bytes.
 *
 * <p>Payloads stay bytes so an OpenAI-compatible stream can be passed through without decoding and
 * re-encoding each chunk; only adapters that change a chunk parse it.
 *
 * <p>A translated event may carry the provider's own events it was read from ({@link #origin()}):
 * when the provider speaks the client's protocol, the client's door writes those as they came,
 * while everything between adapter and door reads the translated event.
 *
 * @param origin the provider's events this one was read from, when they are to be handed over
 */
public record SseEvent(@Nullable String event, byte[] data, @Nullable List<SseEvent> origin) {

	public SseEvent(@Nullable String event, byte[] data) {
		this(event, data, null);
	}

	private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);

	public static final SseEvent DONE_EVENT = new SseEvent(null, DONE);

	public static SseEvent data(byte[] data) {
		return new SseEvent(null, data);
	}

	public static SseEvent data(String data) {
		return new SseEvent(null, data.getBytes(StandardCharsets.UTF_8));
	}

	/** This event, carrying the provider's own events it was read from. */
	public SseEvent from(List<SseEvent> provider) {
		return new SseEvent(this.event, this.data, List.copyOf(provider));
	}

	/** Whether this is OpenAI's end-of-stream sentinel {@code data: [DONE]}. */
	public boolean isDone() {
		return Arrays.equals(this.data, DONE);
	}

	public String dataAsString() {
		return new String(this.data, StandardCharsets.UTF_8);
	}

	@Override
	public String toString() {
		return "SseEvent{" + (this.event != null ? this.event + ": " : "") + dataAsString() + "}";
	}

}
