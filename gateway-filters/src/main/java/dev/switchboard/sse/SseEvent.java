package dev.switchboard.sse;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

/**
 * One server-sent event: its optional {@code event:} name and its {@code data:} payload as bytes.
 *
 * <p>Payloads stay bytes so an OpenAI-compatible stream can be passed through without decoding and
 * re-encoding each chunk. Several stages do read a chunk, though (the adapter that checks it for
 * usage and errors, the quota that counts its tokens, the cache that assembles the answer, the
 * door that reshapes it), so an event keeps what it was parsed into ({@link #parsed}): the first
 * stage that reads it parses, the others share that one parse. An event built from a tree carries
 * that tree from the start ({@link #of(String, byte[], Object)}), so nobody parses it at all.
 *
 * <p>A translated event may carry the provider's own events it was read from ({@link #origin()}):
 * when the provider speaks the client's protocol, the client's door writes those as they came,
 * while everything between adapter and door reads the translated event.
 *
 * <p>Not a record: the parse is remembered, not a component (two events with equal bytes are the
 * same event whether or not one was parsed). Events flow through one stream at a time, so the
 * remembered parse needs no synchronisation.
 */
public final class SseEvent {

	private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);

	public static final SseEvent DONE_EVENT = new SseEvent(null, DONE);

	private final @Nullable String event;

	private final byte[] data;

	private final @Nullable List<SseEvent> origin;

	/**
	 * The payload as the first reader parsed it, shared read-only by every later one: nobody may
	 * change it (a reader that needs a changed chunk copies it).
	 */
	private @Nullable Object parsed;

	public SseEvent(@Nullable String event, byte[] data) {
		this(event, data, null, null);
	}

	/** @param origin the provider's events this one was read from, when they are to be handed over */
	public SseEvent(@Nullable String event, byte[] data, @Nullable List<SseEvent> origin) {
		this(event, data, origin, null);
	}

	private SseEvent(@Nullable String event, byte[] data, @Nullable List<SseEvent> origin, @Nullable Object parsed) {
		this.event = event;
		this.data = data;
		this.origin = origin;
		this.parsed = parsed;
	}

	public static SseEvent data(byte[] data) {
		return new SseEvent(null, data);
	}

	public static SseEvent data(String data) {
		return new SseEvent(null, data.getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * An event whose payload {@code data} was written from {@code parsed}: readers get the tree
	 * without parsing the bytes. The caller hands the tree over and changes it no more.
	 */
	public static SseEvent of(@Nullable String event, byte[] data, Object parsed) {
		return new SseEvent(event, data, null, parsed);
	}

	/** This event, carrying the provider's own events it was read from. */
	public SseEvent from(List<SseEvent> provider) {
		return new SseEvent(this.event, this.data, List.copyOf(provider), this.parsed);
	}

	public @Nullable String event() {
		return this.event;
	}

	public byte[] data() {
		return this.data;
	}

	public @Nullable List<SseEvent> origin() {
		return this.origin;
	}

	/**
	 * The payload read by {@code parser}, parsed at most once per event: a later call gets the
	 * same instance, which must not be changed. A parser that throws leaves nothing remembered (the
	 * next reader sees the same failure).
	 */
	public <T> T parsed(Class<T> type, Function<byte[], ? extends T> parser) {
		Object remembered = this.parsed;
		if (type.isInstance(remembered)) {
			return type.cast(remembered);
		}
		T read = parser.apply(this.data);
		this.parsed = read;
		return read;
	}

	/** Whether this is OpenAI's end-of-stream sentinel {@code data: [DONE]}. */
	public boolean isDone() {
		return this.data == DONE || Arrays.equals(this.data, DONE);
	}

	public String dataAsString() {
		return new String(this.data, StandardCharsets.UTF_8);
	}

	@Override
	public String toString() {
		return "SseEvent{" + (this.event != null ? this.event + ": " : "") + dataAsString() + "}";
	}

}
