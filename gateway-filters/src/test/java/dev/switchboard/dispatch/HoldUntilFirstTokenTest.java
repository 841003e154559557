package dev.switchboard.dispatch;

import java.net.URI;
import java.util.List;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

import dev.switchboard.core.Attempt;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.Operation;
import dev.switchboard.sse.SseEvent;
import dev.switchboard.testing.TestCatalogs;
import dev.switchboard.translate.spi.StreamTranslator;

import static org.assertj.core.api.Assertions.assertThat;

/** Nothing is written (so nothing is committed) before the first token; after it, nothing waits. */
class HoldUntilFirstTokenTest {

	@Test
	void eventsBeforeTheFirstTokenWaitForItThenEverythingFlowsOneByOne() {
		LlmExchange exchange = exchange();
		Sinks.Many<SseEvent> upstream = Sinks.many().unicast().onBackpressureBuffer();
		StepVerifier.create(held(exchange, upstream.asFlux()))
			.then(() -> upstream.tryEmitNext(SseEvent.data("role")))
			.expectNoEvent(java.time.Duration.ofMillis(50))
			.then(() -> assertThat(exchange.attempts().latest().isAnswering()).as("held: not answering yet").isFalse())
			.then(() -> {
				exchange.timing().firstToken();
				upstream.tryEmitNext(SseEvent.data("token"));
			})
			.expectNextMatches(event -> event.dataAsString().equals("role"))
			.expectNextMatches(event -> event.dataAsString().equals("token"))
			.then(() -> assertThat(exchange.attempts().latest().isAnswering()).as("released: answering").isTrue())
			.then(() -> upstream.tryEmitNext(SseEvent.data("next")))
			.expectNextMatches(event -> event.dataAsString().equals("next"))
			.then(upstream::tryEmitComplete)
			.verifyComplete();
	}

	@Test
	void aLaterAttemptIsHeldUntilItsOwnFirstTokenAndOnlyThenAnswering() {
		LlmExchange exchange = exchange();
		// The first attempt had its token, then failed before anything was written.
		held(exchange, Flux.just(SseEvent.data("role")).doOnNext(event -> exchange.timing().firstToken()))
			.collectList().block(java.time.Duration.ofSeconds(5));
		Attempt second = exchange.attempts().start(exchange.route().targets().get(0));
		Sinks.Many<SseEvent> upstream = Sinks.many().unicast().onBackpressureBuffer();
		StepVerifier.create(held(exchange, upstream.asFlux()))
			.then(() -> upstream.tryEmitNext(SseEvent.data("role again")))
			.expectNoEvent(java.time.Duration.ofMillis(50))
			.then(() -> assertThat(second.isAnswering()).isFalse())
			.then(() -> {
				exchange.timing().firstToken();
				upstream.tryEmitNext(SseEvent.data("token"));
			})
			.expectNextCount(2)
			.then(() -> assertThat(second.isAnswering()).isTrue())
			.then(upstream::tryEmitComplete)
			.verifyComplete();
	}

	@Test
	void anErrorBeforeTheFirstTokenLeavesNothingWritten() {
		Flux<SseEvent> failing = Flux.concat(Flux.just(SseEvent.data("role")),
				Flux.error(new IllegalStateException("overloaded")));
		StepVerifier.create(held(exchange(), failing))
			.expectErrorMessage("overloaded")
			.verify();
	}

	@Test
	void aStreamWithoutTokensIsReleasedAtItsEndAndATranslatorThatNeverMarksOneIsHeldOnlyBriefly() {
		List<SseEvent> all = held(exchange(),
				Flux.just(SseEvent.data("role"), SseEvent.data("finish"), SseEvent.DONE_EVENT)).collectList().block();
		assertThat(all).hasSize(3);

		Sinks.Many<SseEvent> upstream = Sinks.many().unicast().onBackpressureBuffer();
		StepVerifier.create(held(exchange(), upstream.asFlux()))
			.then(() -> {
				for (int i = 0; i < HoldUntilFirstToken.MAX_HELD_EVENTS; i++) {
					upstream.tryEmitNext(SseEvent.data("unmarked " + i));
				}
			})
			.expectNextCount(HoldUntilFirstToken.MAX_HELD_EVENTS)
			.then(() -> upstream.tryEmitNext(SseEvent.data("more")))
			.expectNextCount(1)
			.thenCancel()
			.verify();
	}

	@Test
	void aSlowReaderOfALongStreamGetsEveryEventInOrder() {
		LlmExchange exchange = exchange();
		Flux<SseEvent> upstream = Flux.range(0, 20_000).map(i -> {
			if (i == 1) {
				exchange.timing().firstToken();
			}
			return SseEvent.data(Integer.toString(i));
		});
		// A reader that asks for one event at a time from another thread, as a slow client's socket does.
		List<String> read = held(exchange, upstream)
			.publishOn(reactor.core.scheduler.Schedulers.single(), 1)
			.map(SseEvent::dataAsString)
			.collectList()
			.block(java.time.Duration.ofSeconds(20));
		assertThat(read).hasSize(20_000);
		assertThat(read.get(0)).isEqualTo("0");
		assertThat(read.get(19_999)).isEqualTo("19999");
	}

	/** The events as the dispatcher passes them: each through the wrapped translator, then its end. */
	private static Flux<SseEvent> held(LlmExchange exchange, Flux<SseEvent> upstream) {
		return Flux.defer(() -> {
			HoldUntilFirstToken translator = new HoldUntilFirstToken(exchange, attempt(exchange), new StreamTranslator() {
				@Override
				public List<SseEvent> onEvent(SseEvent event) {
					return List.of(event);
				}

				@Override
				public List<SseEvent> onEnd() {
					return List.of();
				}
			});
			return upstream.concatMapIterable(translator::onEvent)
				.concatWith(Flux.defer(() -> Flux.fromIterable(translator.onEnd())));
		});
	}

	/** The exchange's attempt under way, started on first need as the dispatcher starts one per call. */
	private static Attempt attempt(LlmExchange exchange) {
		Attempt latest = exchange.attempts().latest();
		return (latest != null) ? latest : exchange.attempts().start(exchange.route().targets().get(0));
	}

	private static LlmExchange exchange() {
		return TestCatalogs.exchange(TestCatalogs.catalog(URI.create("http://127.0.0.1:1/v1")), Operation.CHAT,
				"{\"model\":\"fast\",\"stream\":true,\"messages\":[]}");
	}

}
