package dev.switchboard.quota.admission;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import dev.switchboard.quota.FailureMode;
import dev.switchboard.quota.backend.BucketSpec;
import dev.switchboard.quota.backend.InMemoryQuotaBackend;
import dev.switchboard.quota.backend.QuotaBackend;
import dev.switchboard.testing.MovingClock;

import static org.assertj.core.api.Assertions.assertThat;

/** The failure mode as a unit: which store answers, how often a dead store is tried, what is counted. */
class StoreGuardTest {

	private final MovingClock clock = new MovingClock(Instant.parse("2026-12-06T12:00:00Z"));

	private final List<String> events = new ArrayList<>();

	private final QuotaMetrics metrics = new QuotaMetrics() {
		@Override
		public void backendFailure(String backend, String operation) {
			StoreGuardTest.this.events.add("failure " + backend + " " + operation);
		}

		@Override
		public void degraded(String backend, String operation, FailureMode mode) {
			StoreGuardTest.this.events.add("degraded " + backend + " " + operation + " " + mode);
		}
	};

	@Test
	void openServesFromTheFallbackAndLeavesADeadStoreAloneForTheProbeInterval() {
		DeadStore dead = new DeadStore();
		InMemoryQuotaBackend fallback = new InMemoryQuotaBackend(this.clock);
		StoreGuard guard = new StoreGuard(dead, fallback, FailureMode.OPEN, Duration.ofMillis(50), Duration.ofSeconds(1),
				this.metrics, this.clock);

		StepVerifier.create(guard.call("reserve", StoreGuardTest::answer)).expectNext("memory").verifyComplete();
		assertThat(guard.down()).isTrue();
		StepVerifier.create(guard.call("reserve", StoreGuardTest::answer)).expectNext("memory").verifyComplete();
		assertThat(dead.calls).as("not tried again within the probe interval").hasValue(1);
		assertThat(this.events).containsExactly("failure dead reserve", "degraded dead reserve OPEN",
				"degraded dead reserve OPEN");

		this.clock.advance(Duration.ofMillis(1001));
		dead.alive = true;
		StepVerifier.create(guard.call("reserve", StoreGuardTest::answer)).expectNext("dead").verifyComplete();
		assertThat(dead.calls).hasValue(2);
		assertThat(guard.down()).as("recovered once the store answered").isFalse();
	}

	@Test
	void closedAnswers503WhileTheStoreIsAway() {
		StoreGuard guard = new StoreGuard(new DeadStore(), null, FailureMode.CLOSED, Duration.ofMillis(50),
				Duration.ofSeconds(1), this.metrics, this.clock);
		StepVerifier.create(guard.call("reserve", StoreGuardTest::answer))
			.expectErrorSatisfies(error -> assertThat(error).isInstanceOfSatisfying(
					dev.switchboard.core.LlmApiException.class, e -> assertThat(e.status()).isEqualTo(503)))
			.verify();
	}

	@Test
	void aQuotaAnswerIsNotAStoreFailure() {
		DeadStore store = new DeadStore();
		store.alive = true;
		StoreGuard guard = new StoreGuard(store, new InMemoryQuotaBackend(this.clock), FailureMode.OPEN,
				Duration.ofMillis(50), Duration.ofSeconds(1), this.metrics, this.clock);
		StepVerifier.create(guard.call("reserve", backend -> Mono.error(QuotaExceededException.unavailable())))
			.expectError(dev.switchboard.core.LlmApiException.class)
			.verify();
		assertThat(guard.down()).isFalse();
		assertThat(this.events).isEmpty();
	}

	/** The name of the store that answered; the dead store answers only once it is alive again. */
	private static Mono<String> answer(QuotaBackend backend) {
		return (backend instanceof DeadStore dead) ? dead.answer() : Mono.just(backend.name());
	}

	/** A store whose every call fails (a Redis that went away) until {@link #alive}. */
	private static final class DeadStore implements QuotaBackend {

		final AtomicInteger calls = new AtomicInteger();

		volatile boolean alive;

		@Override
		public String name() {
			return "dead";
		}

		Mono<String> answer() {
			this.calls.incrementAndGet();
			return this.alive ? Mono.just(name()) : Mono.error(new IllegalStateException("connection refused"));
		}

		@Override
		public Mono<Probe> tryConsume(BucketSpec bucket, long amount) {
			return Mono.error(new IllegalStateException("unused"));
		}

		@Override
		public Mono<Void> adjust(BucketSpec bucket, long amount) {
			return Mono.error(new IllegalStateException("unused"));
		}

		@Override
		public Mono<long[]> available(BucketSpec bucket) {
			return Mono.error(new IllegalStateException("unused"));
		}

		@Override
		public Mono<Void> record(String team, LocalDate day, UsageRecord usage) {
			return Mono.error(new IllegalStateException("unused"));
		}

		@Override
		public Mono<Ledger> ledger(String team, LocalDate day) {
			return Mono.error(new IllegalStateException("unused"));
		}

	}

}
