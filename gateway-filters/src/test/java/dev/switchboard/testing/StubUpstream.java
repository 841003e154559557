package dev.switchboard.testing;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;

import io.netty.handler.codec.http.HttpHeaders;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.LoopResources;

/**
 * A programmable provider on a loopback port for tests: each path answers with a handler the test
 * sets, and every request (method, path, headers, body) is recorded so a test can assert what
 * reached the provider, e.g. that a client key never did.
 */
public final class StubUpstream implements AutoCloseable {

	/** A request as the provider received it. */
	public record Received(String method, String path, HttpHeaders headers, String body) {
	}

	/** Writes the stub's answer to one request. */
	@FunctionalInterface
	public interface Handler extends BiFunction<Received, HttpServerResponse, Publisher<Void>> {
	}

	private final Map<String, Handler> handlers = new ConcurrentHashMap<>();

	private final List<Received> received = new CopyOnWriteArrayList<>();

	private volatile Handler fallback;

	private final DisposableServer server;

	/**
	 * Its own event loop, not Reactor Netty's shared one: a gateway under test that closes first
	 * disposes the shared loops (Spring's {@code ReactorResourceFactory}), and a stub still bound
	 * to them could then never be stopped.
	 */
	private final LoopResources loops = LoopResources.create("stub-upstream", 1, 1, true);

	public StubUpstream() {
		this.server = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.runOn(this.loops)
			.handle(this::handle)
			.bindNow(Duration.ofSeconds(10));
	}

	public StubUpstream on(String path, Handler handler) {
		this.handlers.put(path, handler);
		return this;
	}

	/** Answers every path without its own handler (paths with ids in them: deployments, models). */
	public StubUpstream otherwise(Handler handler) {
		this.fallback = handler;
		return this;
	}

	/** Answers {@code path} with a JSON body and status. */
	public StubUpstream json(String path, int status, String body, Map<String, String> headers) {
		return on(path, (request, response) -> {
			response.status(status).header("content-type", "application/json");
			headers.forEach(response::header);
			return response.sendString(Mono.just(body)).then();
		});
	}

	public StubUpstream json(String path, int status, String body) {
		return json(path, status, body, Map.of());
	}

	/** Answers {@code path} with server-sent events as the given publisher emits raw SSE text. */
	public StubUpstream sse(String path, Flux<String> rawEvents) {
		return on(path, (request, response) -> response.status(200)
			.header("content-type", "text/event-stream")
			.sendString(rawEvents, StandardCharsets.UTF_8)
			.then());
	}

	public URI baseUrl() {
		return URI.create("http://127.0.0.1:" + this.server.port() + "/v1");
	}

	public int port() {
		return this.server.port();
	}

	public List<Received> received() {
		return List.copyOf(this.received);
	}

	public Received lastRequest() {
		if (this.received.isEmpty()) {
			throw new AssertionError("the stub received no request");
		}
		return this.received.get(this.received.size() - 1);
	}

	public void reset() {
		this.handlers.clear();
		this.fallback = null;
		this.received.clear();
	}

	@Override
	public void close() {
		this.server.disposeNow(Duration.ofSeconds(5));
		this.loops.disposeLater(Duration.ZERO, Duration.ofSeconds(5)).block(Duration.ofSeconds(10));
	}

	private Publisher<Void> handle(HttpServerRequest request, HttpServerResponse response) {
		return request.receive().aggregate().asString(StandardCharsets.UTF_8).defaultIfEmpty("").flatMap(body -> {
			Received received = new Received(request.method().name(), request.uri(), request.requestHeaders().copy(),
					body);
			this.received.add(received);
			String path = request.uri().contains("?") ? request.uri().substring(0, request.uri().indexOf('?'))
					: request.uri();
			Handler handler = this.handlers.getOrDefault(path, this.fallback);
			if (handler == null) {
				return response.status(404).sendString(Mono.just("{\"error\":{\"message\":\"no stub for " + path
						+ "\",\"type\":\"invalid_request_error\"}}")).then();
			}
			return Mono.from(handler.apply(received, response));
		});
	}

}
