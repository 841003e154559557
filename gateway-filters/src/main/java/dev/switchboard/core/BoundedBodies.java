package dev.switchboard.core;

import java.io.ByteArrayOutputStream;
import java.util.function.Supplier;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;

/**
 * Collects a body whose size the gateway does not control (a provider response, a fetched image)
 * into one array, never more than a limit, so a misbehaving peer cannot make it buffer without
 * bound. Linear in the body size, whatever the chunking.
 */
public final class BoundedBodies {

	private BoundedBodies() {
	}

	/** At most {@code max} bytes; longer bodies are cut there. */
	public static Mono<byte[]> truncated(Flux<byte[]> chunks, int max) {
		return collect(chunks, max, null);
	}

	/** At most {@code max} bytes; a longer body fails with {@code tooLarge}. */
	public static Mono<byte[]> limited(Flux<byte[]> chunks, long max, Supplier<? extends RuntimeException> tooLarge) {
		return collect(chunks, max, tooLarge);
	}

	/** The bytes of one buffer, which is released: what a joined body becomes once read. */
	public static byte[] bytes(DataBuffer buffer) {
		try {
			byte[] bytes = new byte[buffer.readableByteCount()];
			buffer.read(bytes);
			return bytes;
		}
		finally {
			DataBufferUtils.release(buffer);
		}
	}

	private static Mono<byte[]> collect(Flux<byte[]> chunks, long max, Supplier<? extends RuntimeException> tooLarge) {
		return chunks.collect(ByteArrayOutputStream::new, (out, chunk) -> {
			long room = max - out.size();
			if (chunk.length > room && tooLarge != null) {
				throw tooLarge.get();
			}
			out.write(chunk, 0, (int) Math.min(room, chunk.length));
		}).map(ByteArrayOutputStream::toByteArray);
	}

}
