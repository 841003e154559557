package dev.switchboard.dispatch;

import java.net.URI;
import java.util.List;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.Operation;
import dev.switchboard.sse.SseEvent;
import dev.switchboard.testing.TestCatalogs;

import static org.assertj.core.api.Assertions.assertThat;

/** Nothing is written (so nothing is committed) before the first token; after it, nothing waits. */
class HoldUntilFirstTokenTest {

	@Test
	void eventsBeforeTheFirstTokenWaitForItThenEverythingFlowsOneByOne() {
		LlmExchange exchange = exchange();
		Sinks.Many<SseEvent> upstream = Sinks.many().unicast().onBackpressureBuffer();
		StepVerifier.create(LlmDispatcher.holdUntilFirstToken(exchange, upstream.asFlux()))
			.then(() -> upstream.tryEmitNext(SseEvent.data("role")))
			.expectNoEvent(java.time.Duration.ofMillis(50))
			.then(() -> {
				exchange.firstToken();
				upstream.tryEmitNext(SseEvent.data("token"));
			})
			.expectNextMatches(event -> event.dataAsString().equals("role"))
			.expectNextMatches(event -> event.dataAsString().equals("token"))
			.then(() -> upstream.tryEmitNext(SseEvent.data("next")))
			.expectNextMatches(event -> event.dataAsString().equals("next"))
			.then(upstream::tryEmitComplete)
			.verifyComplete();
	}

	@Test
	void anErrorBeforeTheFirstTokenLeavesNothingWritten() {
		Flux<SseEvent> failing = Flux.concat(Flux.just(SseEvent.data("role")),
				Flux.error(new IllegalStateException("overloaded")));
		StepVerifier.create(LlmDispatcher.holdUntilFirstToken(exchange(), failing))
			.expectErrorMessage("overloaded")
			.verify();
	}

	@Test
	void aStreamWithoutTokensIsReleasedAtItsEndAndATranslatorThatNeverMarksOneIsHeldOnlyBriefly() {
		List<SseEvent> all = LlmDispatcher.holdUntilFirstToken(exchange(),
				Flux.just(SseEvent.data("role"), SseEvent.data("finish"), SseEvent.DONE_EVENT)).collectList().block();
		assertThat(all).hasSize(3);

		Sinks.Many<SseEvent> upstream = Sinks.many().unicast().onBackpressureBuffer();
		StepVerifier.create(LlmDispatcher.holdUntilFirstToken(exchange(), upstream.asFlux()))
			.then(() -> {
				for (int i = 0; i < LlmDispatcher.MAX_HELD_EVENTS; i++) {
					upstream.tryEmitNext(SseEvent.data("unmarked " + i));
				}
			})
			.expectNextCount(LlmDispatcher.MAX_HELD_EVENTS)
			.then(() -> upstream.tryEmitNext(SseEvent.data("more")))
			.expectNextCount(1)
			.thenCancel()
			.verify();
	}

	private static LlmExchange exchange() {
		return TestCatalogs.exchange(TestCatalogs.catalog(URI.create("http://127.0.0.1:1/v1")), Operation.CHAT,
				"{\"model\":\"fast\",\"stream\":true,\"messages\":[]}");
	}

}
