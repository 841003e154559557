package dev.switchboard.core;

import java.util.function.UnaryOperator;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;

import dev.switchboard.sse.SseEvent;

/**
 * A response in the OpenAI format, ready to write: either a whole JSON body or a stream of
 * {@code chat.completion.chunk} events (the last being {@code [DONE]}).
 *
 * <p>Filters decorate it through {@link LlmExchange#decorateResponse} (end a stream at a budget,
 * tee chunks into the cache) without touching bytes on the wire or caring which provider answered.
 */
public final class LlmResponse {

	private final int status;

	private final HttpHeaders headers;

	private final byte @Nullable [] json;

	private final @Nullable Flux<SseEvent> events;

	private final @Nullable RouteTarget servedBy;

	private final @Nullable Mono<Void> beforeWrite;

	private LlmResponse(int status, HttpHeaders headers, byte @Nullable [] json, @Nullable Flux<SseEvent> events,
			@Nullable RouteTarget servedBy, @Nullable Mono<Void> beforeWrite) {
		this.status = status;
		this.headers = headers;
		this.json = json;
		this.events = events;
		this.servedBy = servedBy;
		this.beforeWrite = beforeWrite;
	}

	public static LlmResponse json(int status, byte[] body, @Nullable RouteTarget servedBy) {
		return new LlmResponse(status, new HttpHeaders(), body, null, servedBy, null);
	}

	public static LlmResponse stream(Flux<SseEvent> events, @Nullable RouteTarget servedBy) {
		return new LlmResponse(200, new HttpHeaders(), null, events, servedBy, null);
	}

	public boolean isStream() {
		return this.events != null;
	}

	public int status() {
		return this.status;
	}

	/** Extra headers for the client; the writer adds content type and Switchboard's own headers. */
	public HttpHeaders headers() {
		return this.headers;
	}

	public byte[] json() {
		if (this.json == null) {
			throw new IllegalStateException("streamed response has no JSON body");
		}
		return this.json;
	}

	public Flux<SseEvent> events() {
		if (this.events == null) {
			throw new IllegalStateException("JSON response has no event stream");
		}
		return this.events;
	}

	public @Nullable RouteTarget servedBy() {
		return this.servedBy;
	}

	/**
	 * What must be done before a whole body is written, e.g. keeping a stored response so that the
	 * client can continue it the moment it has the answer. It never fails: its work is not the
	 * answer's, and a failure before the first byte would make the failover try another target.
	 * {@code null} when there is nothing to do, as for most answers.
	 */
	public @Nullable Mono<Void> beforeWrite() {
		return this.beforeWrite;
	}

	public LlmResponse withEvents(UnaryOperator<Flux<SseEvent>> operator) {
		return new LlmResponse(this.status, this.headers, null, operator.apply(events()), this.servedBy,
				this.beforeWrite);
	}

	public LlmResponse withJson(byte[] body) {
		return new LlmResponse(this.status, this.headers, body, null, this.servedBy, this.beforeWrite);
	}

	/** This whole body, written once {@code work} is done ({@link #beforeWrite()}). */
	public LlmResponse withJson(byte[] body, Mono<Void> work) {
		return new LlmResponse(this.status, this.headers, body, null, this.servedBy,
				(this.beforeWrite != null) ? this.beforeWrite.then(work) : work);
	}

}
