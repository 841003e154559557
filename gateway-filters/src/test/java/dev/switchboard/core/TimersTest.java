package dev.switchboard.core;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

class TimersTest {

	@Test
	void aDelayFiresNoEarlierThanAskedAndOffTheWheelsThread() {
		AtomicReference<String> thread = new AtomicReference<>();
		long start = System.nanoTime();
		Long tick = Timers.delay(Duration.ofMillis(60)).doOnNext(t -> thread.set(Thread.currentThread().getName()))
			.block(Duration.ofSeconds(5));
		long tookMillis = (System.nanoTime() - start) / 1_000_000;
		assertThat(tick).isZero();
		assertThat(tookMillis).isGreaterThanOrEqualTo(60);
		assertThat(thread.get()).as("what follows a timer runs on Reactor's parallel workers").startsWith("parallel-");
	}

	@Test
	void aZeroOrNegativeDelayFiresAtTheNextTick() {
		assertThat(Timers.delay(Duration.ZERO).block(Duration.ofSeconds(2))).isZero();
		assertThat(Timers.delay(Duration.ofMillis(-5)).block(Duration.ofSeconds(2))).isZero();
	}

	@Test
	void aCancelledDelayNeverFires() throws InterruptedException {
		AtomicBoolean fired = new AtomicBoolean();
		Disposable armed = Timers.delay(Duration.ofMillis(50)).subscribe(t -> fired.set(true));
		armed.dispose();
		Thread.sleep(200);
		assertThat(fired).isFalse();
	}

	@Test
	void aTimeoutFailsWhatDidNotAnswerInTimeAndLeavesWhatDid() {
		StepVerifier.create(Mono.never().timeout(Timers.delay(Duration.ofMillis(50))))
			.expectError(TimeoutException.class)
			.verify(Duration.ofSeconds(5));
		StepVerifier.create(Mono.just("answer").timeout(Timers.delay(Duration.ofSeconds(30))))
			.expectNext("answer")
			.verifyComplete();
	}

}
