package dev.switchboard.endpoint.compare;

import java.util.concurrent.atomic.AtomicBoolean;

import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.server.reactive.AbstractServerHttpResponse;

/**
 * The response of one comparison leg: what the rest of the chain writes for the leg (status,
 * headers, a JSON body or an event stream) is kept here instead of going to the client, and
 * handed to the comparison as it comes.
 *
 * <p>Like a server's response, a write completes when its body has been consumed: the leg's
 * chain ends when the comparison has read (or cancelled) the body, so a stream flows chunk by
 * chunk to the client without being buffered here.
 */
final class LegResponse extends AbstractServerHttpResponse {

	private final Sinks.One<Flux<DataBuffer>> body = Sinks.one();

	private final AtomicBoolean written = new AtomicBoolean();

	LegResponse(DataBufferFactory buffers) {
		super(buffers);
	}

	/** The body as written, once the chain writes it; empty when the leg ends without a body. */
	Mono<Flux<DataBuffer>> body() {
		return this.body.asMono();
	}

	/** Ends a leg that wrote nothing: its body is empty. */
	void finish() {
		if (this.written.compareAndSet(false, true)) {
			this.body.tryEmitValue(Flux.empty());
		}
	}

	@Override
	protected Mono<Void> writeWithInternal(Publisher<? extends DataBuffer> body) {
		if (!this.written.compareAndSet(false, true)) {
			return Flux.from(body).doOnNext(DataBufferUtils::release).then();
		}
		Sinks.Empty<Void> consumed = Sinks.empty();
		Flux<DataBuffer> handed = Flux.<DataBuffer>from(body).doFinally(signal -> consumed.tryEmitEmpty());
		this.body.tryEmitValue(handed);
		return consumed.asMono();
	}

	@Override
	protected Mono<Void> writeAndFlushWithInternal(Publisher<? extends Publisher<? extends DataBuffer>> body) {
		return writeWithInternal(Flux.from(body).concatMap(Flux::from));
	}

	@Override
	public Mono<Void> setComplete() {
		return super.setComplete().doFinally(signal -> finish());
	}

	@Override
	protected void applyStatusCode() {
		// kept by the superclass for the comparison to read
	}

	@Override
	protected void applyHeaders() {
		// likewise
	}

	@Override
	protected void applyCookies() {
		// a leg has no client to set cookies on
	}

	@Override
	public <T> T getNativeResponse() {
		throw new IllegalStateException("a comparison leg has no native response");
	}

}
