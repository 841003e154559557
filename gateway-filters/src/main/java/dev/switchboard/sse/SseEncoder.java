package dev.switchboard.sse;

import java.nio.charset.StandardCharsets;

/** Writes events in the {@code text/event-stream} framing OpenAI clients parse. */
public final class SseEncoder {

	private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);

	private SseEncoder() {
	}

	public static byte[] encode(SseEvent event) {
		byte[] data = event.data();
		byte[] name = (event.event() != null) ? ("event: " + event.event() + "\n").getBytes(StandardCharsets.UTF_8)
				: new byte[0];
		int newlines = 0;
		for (byte b : data) {
			if (b == '\n') {
				newlines++;
			}
		}
		byte[] out = new byte[name.length + DATA.length * (newlines + 1) + data.length + 2];
		System.arraycopy(name, 0, out, 0, name.length);
		int pos = name.length;
		System.arraycopy(DATA, 0, out, pos, DATA.length);
		pos += DATA.length;
		for (byte b : data) {
			out[pos++] = b;
			if (b == '\n') {
				System.arraycopy(DATA, 0, out, pos, DATA.length);
				pos += DATA.length;
			}
		}
		out[pos++] = '\n';
		out[pos] = '\n';
		return out;
	}

}
