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

	/** Bytes of the unfinished line, kept across chunks; only new bytes are scanned for line ends. */
	private byte[] pending = new byte[256];

	private int pendingLength;

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
		List<SseEvent> events = new ArrayList<>(2);
		int lineStart = 0;
		for (int i = 0; i < chunk.length; i++) {
			if (chunk[i] != '\n') {
				continue;
			}
			if (this.pendingLength == 0) {
				int lineEnd = (i > lineStart && chunk[i - 1] == '\r') ? i - 1 : i;
				line(chunk, lineStart, lineEnd, events);
			}
			else {
				append(chunk, lineStart, i - lineStart);
				int lineEnd = (this.pendingLength > 0 && this.pending[this.pendingLength - 1] == '\r')
						? this.pendingLength - 1 : this.pendingLength;
				line(this.pending, 0, lineEnd, events);
				this.pendingLength = 0;
			}
			lineStart = i + 1;
		}
		append(chunk, lineStart, chunk.length - lineStart);
		if (this.pendingLength + this.data.size() > this.maxEventBytes) {
			throw new IllegalStateException("server-sent event larger than " + this.maxEventBytes + " bytes");
		}
		return events;
	}

	/** Ends the input; a last event without its blank line is still delivered. */
	public List<SseEvent> finish() {
		List<SseEvent> events = new ArrayList<>(1);
		if (this.pendingLength > 0) {
			line(this.pending, 0, this.pendingLength, events);
			this.pendingLength = 0;
		}
		dispatch(events);
		return events;
	}

	private void append(byte[] bytes, int from, int length) {
		if (length <= 0) {
			return;
		}
		if (this.pendingLength + length > this.pending.length) {
			this.pending = Arrays.copyOf(this.pending, Math.max(this.pending.length * 2, this.pendingLength + length));
		}
		System.arraycopy(bytes, from, this.pending, this.pendingLength, length);
		this.pendingLength += length;
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

}
