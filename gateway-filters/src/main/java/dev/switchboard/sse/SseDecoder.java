package dev.switchboard.sse;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Cuts a byte stream into server-sent events as the bytes arrive.
 *
 * <p>Network buffers split events anywhere, even inside a UTF-8 sequence or between the two
 * newlines that end an event; this decoder keeps the unfinished tail and emits only whole events,
 * so a stream is translated chunk by chunk and never buffered whole. Lines end with LF or CRLF;
 * comments ({@code : ping}), {@code id:} and {@code retry:} are dropped. Not thread-safe: one per
 * response.
 */
public final class SseDecoder {

	private final int maxEventBytes;

	private byte[] pending = new byte[0];

	private @Nullable String eventName;

	private final ByteArrayOutputStream data = new ByteArrayOutputStream(256);

	private boolean hasData;

	/** @param maxEventBytes largest event accepted; a longer one fails the stream instead of eating memory */
	public SseDecoder(int maxEventBytes) {
		this.maxEventBytes = maxEventBytes;
	}

	public SseDecoder() {
		this(8 * 1024 * 1024);
	}

	/** Feeds the next bytes; returns the events they complete (often none or one). */
	public List<SseEvent> decode(byte[] chunk) {
		byte[] buffer = this.pending.length == 0 ? chunk : concat(this.pending, chunk);
		List<SseEvent> events = new ArrayList<>(2);
		int lineStart = 0;
		for (int i = 0; i < buffer.length; i++) {
			if (buffer[i] == '\n') {
				int lineEnd = (i > lineStart && buffer[i - 1] == '\r') ? i - 1 : i;
				line(buffer, lineStart, lineEnd, events);
				lineStart = i + 1;
			}
		}
		int rest = buffer.length - lineStart;
		if (rest + this.data.size() > this.maxEventBytes) {
			throw new IllegalStateException("server-sent event larger than " + this.maxEventBytes + " bytes");
		}
		this.pending = (rest == 0) ? new byte[0] : Arrays.copyOfRange(buffer, lineStart, buffer.length);
		return events;
	}

	/** Ends the input; a last event without its blank line is still delivered. */
	public List<SseEvent> finish() {
		List<SseEvent> events = new ArrayList<>(1);
		if (this.pending.length > 0) {
			line(this.pending, 0, this.pending.length, events);
			this.pending = new byte[0];
		}
		dispatch(events);
		return events;
	}

	private void line(byte[] buffer, int start, int end, List<SseEvent> events) {
		if (start == end) {
			dispatch(events);
			return;
		}
		if (buffer[start] == ':') {
			return;
		}
		int colon = -1;
		for (int i = start; i < end; i++) {
			if (buffer[i] == ':') {
				colon = i;
				break;
			}
		}
		int fieldEnd = (colon < 0) ? end : colon;
		int valueStart = (colon < 0) ? end : colon + 1;
		if (valueStart < end && buffer[valueStart] == ' ') {
			valueStart++;
		}
		if (is(buffer, start, fieldEnd, "data")) {
			if (this.hasData) {
				this.data.write('\n');
			}
			this.data.write(buffer, valueStart, end - valueStart);
			this.hasData = true;
		}
		else if (is(buffer, start, fieldEnd, "event")) {
			this.eventName = new String(buffer, valueStart, end - valueStart, StandardCharsets.UTF_8);
		}
	}

	private void dispatch(List<SseEvent> events) {
		if (this.hasData) {
			events.add(new SseEvent(this.eventName, this.data.toByteArray()));
		}
		this.data.reset();
		this.hasData = false;
		this.eventName = null;
	}

	private static boolean is(byte[] buffer, int start, int end, String field) {
		if (end - start != field.length()) {
			return false;
		}
		for (int i = 0; i < field.length(); i++) {
			if (buffer[start + i] != field.charAt(i)) {
				return false;
			}
		}
		return true;
	}

	private static byte[] concat(byte[] a, byte[] b) {
		byte[] joined = new byte[a.length + b.length];
		System.arraycopy(a, 0, joined, 0, a.length);
		System.arraycopy(b, 0, joined, a.length, b.length);
		return joined;
	}

}
