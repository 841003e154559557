package dev.switchboard.autoconfigure;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;

import org.springframework.context.ConfigurableApplicationContext;

import dev.switchboard.testing.StubUpstream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Shutdown with a stream in flight, over real HTTP: the gateway stops taking requests at once, the
 * stream that had started runs to its {@code [DONE]} (Spring Boot's graceful shutdown, within its
 * phase timeout), and only then does the gateway stop. With {@code server.shutdown: immediate} the
 * same stream is cut ({@code PrematureCloseException}) about 3 s into the shutdown, which is why the
 * test holds the stream open longer than that before finishing it.
 */
class GracefulShutdownIntegrationTest {

	static final String STREAM = "{\"model\":\"fast\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Count\"}]}";

	final StubUpstream stub = new StubUpstream();

	final Sinks.Many<String> upstream = Sinks.many().unicast().onBackpressureBuffer();

	@AfterEach
	void stopStub() {
		this.stub.close();
	}

	@Test
	void aStreamInFlightFinishesWhileNewRequestsAreRefused() throws Exception {
		this.stub.sse("/v1/chat/completions", this.upstream.asFlux());
		ConfigurableApplicationContext gateway = GatewayTestApplication.start("queue-it",
				"switchboard.providers.openai.base-url=" + this.stub.baseUrl());
		int port = GatewayTestApplication.port(gateway);

		StringBuilder received = new StringBuilder();
		CompletableFuture<Void> stream = HttpClient.create()
			.headers(h -> h.set("authorization", "Bearer queue-a-key").set("content-type", "application/json"))
			.post()
			.uri("http://127.0.0.1:" + port + "/v1/chat/completions")
			.send((request, out) -> out.sendString(Mono.just(STREAM)))
			.response((response, body) -> body.asString().doOnNext(text -> {
				synchronized (received) {
					received.append(text);
				}
			}))
			.then()
			.toFuture();
		this.upstream.tryEmitNext(chunk("one"));
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> contains(received, "one"));

		CompletableFuture<Void> closing = CompletableFuture.runAsync(gateway::close);
		Awaitility.await()
			.atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> refused(port));
		// An immediate shutdown cuts the stream and is done within about 3 s here; a graceful one waits.
		Awaitility.await()
			.during(Duration.ofSeconds(4))
			.atMost(Duration.ofSeconds(5))
			.until(() -> !closing.isDone() && !stream.isDone());

		this.upstream.tryEmitNext(chunk("two"));
		this.upstream.tryEmitNext("data: [DONE]\n\n");
		this.upstream.tryEmitComplete();
		stream.get(10, TimeUnit.SECONDS);
		closing.get(20, TimeUnit.SECONDS);
		assertThat(received.toString()).contains("\"content\":\"one\"", "\"content\":\"two\"").endsWith("data: [DONE]\n\n");
	}

	private static String chunk(String content) {
		return "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini\","
				+ "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + content + "\"},\"finish_reason\":null}]}\n\n";
	}

	private static boolean contains(StringBuilder received, String content) {
		synchronized (received) {
			return received.indexOf("\"content\":\"" + content + "\"") >= 0;
		}
	}

	/** A new request gets no answer from a gateway that is shutting down: refused or closed. */
	private static boolean refused(int port) {
		try {
			Integer status = HttpClient.create()
				.get()
				.uri("http://127.0.0.1:" + port + "/actuator/health")
				.response()
				.map(response -> response.status().code())
				.block(Duration.ofSeconds(2));
			return status == null || status == 503;
		}
		catch (RuntimeException ex) {
			return true;
		}
	}

}
