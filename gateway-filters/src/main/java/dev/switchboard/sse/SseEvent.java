package dev.switchboard.sse;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.jspecify.annotations.Nullable;

/**
 * One server-sent event: its optional {@code event:} name and its {@code data:} payload as bytes.
 *
 * <p>Payloads stay bytes so an OpenAI-compatible stream can be passed through without decoding and
 * re-encoding each chunk; only adapters that change a chunk parse it.
 */
public record SseEvent(@Nullable String event, byte[] data) {

	private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);

	public static final SseEvent DONE_EVENT = new SseEvent(null, DONE);

	public static SseEvent data(byte[] data) {
		return new SseEvent(null, data);
	}

	public static SseEvent data(String data) {
		return new SseEvent(null, data.getBytes(StandardCharsets.UTF_8));
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
