package dev.switchboard.dispatch;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.scheduler.Schedulers;
import reactor.test.scheduler.VirtualTimeScheduler;

import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.Operation;
import dev.switchboard.core.RouteTarget;
import dev.switchboard.core.Team;
import dev.switchboard.route.ModelResolver;
import dev.switchboard.testing.TestCatalogs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ProviderLimitsTest {

	private final RouteTarget target = new ModelResolver(TestCatalogs.catalog(URI.create("http://127.0.0.1:9/v1")))
		.resolve("fast", Team.unrestricted("t"), Operation.CHAT)
		.primary();

	private final List<String> counted = new CopyOnWriteArrayList<>();

	@Test
	void aProviderAtItsInFlightLimitHasNoRoomUntilACallEnds() {
		ProviderLimits limits = limits(new ProviderLimits.Limits(2, 0, 0, Duration.ofSeconds(5), 10), Schedulers.parallel());
		ProviderLimits.Permit first = limits.tryAcquire(this.target, 100);
		ProviderLimits.Permit second = limits.tryAcquire(this.target, 100);
		assertThat(first).isNotNull();
		assertThat(second).isNotNull();
		assertThat(limits.tryAcquire(this.target, 100)).isNull();
		assertThat(limits.hasRoom(this.target, 100)).isFalse();

		List<ProviderLimits.Permit> waited = new CopyOnWriteArrayList<>();
		limits.acquire(this.target, 100, Duration.ofSeconds(5)).subscribe(waited::add);
		assertThat(waited).as("waits while both calls run").isEmpty();
		first.release();
		await().atMost(Duration.ofSeconds(2)).until(() -> waited.size() == 1);
		assertThat(limits.inFlight()).containsEntry("openai", 2);
		first.release();
		assertThat(limits.inFlight()).as("a permit is given back once").containsEntry("openai", 2);
		assertThat(this.counted).containsExactly("openai waited");
	}

	@Test
	void aWaitLongerThanMaxWaitOrAFullLineIsA429OfItsOwn() {
		VirtualTimeScheduler time = VirtualTimeScheduler.create();
		ProviderLimits limits = limits(new ProviderLimits.Limits(1, 0, 0, Duration.ofSeconds(2), 1), time);
		assertThat(limits.tryAcquire(this.target, 1)).isNotNull();
		List<Throwable> errors = new CopyOnWriteArrayList<>();
		Disposable waiting = limits.acquire(this.target, 1, Duration.ofMinutes(1)).subscribe(null, errors::add);
		limits.acquire(this.target, 1, Duration.ofMinutes(1)).subscribe(null, errors::add);
		assertThat(errors).as("one may wait; the next is refused at once").hasSize(1);
		time.advanceTimeBy(Duration.ofSeconds(2));
		assertThat(errors).hasSize(2).allSatisfy(error -> {
			assertThat(((LlmApiException) error).status()).isEqualTo(429);
			assertThat(((LlmApiException) error).code()).isEqualTo("provider_rate_limit");
		});
		assertThat(waiting.isDisposed()).isTrue();
		assertThat(this.counted).containsExactly("openai refused", "openai refused");
	}

	@Test
	void requestsAndTokensPerMinuteAreTheProvidersTier() {
		ProviderLimits limits = limits(new ProviderLimits.Limits(0, 600, 60_000, Duration.ofSeconds(5), 10),
				Schedulers.parallel());
		assertThat(limits.tryAcquire(this.target, 59_000)).isNotNull();
		assertThat(limits.hasRoom(this.target, 2_000)).as("1,000 tokens left of 60,000").isFalse();
		assertThat(limits.tryAcquire(this.target, 2_000)).isNull();
		assertThat(limits.tryAcquire(this.target, 900)).isNotNull();
		// 60,000 tokens a minute refill 1,000 a second: 500 more are there in about half a second.
		List<ProviderLimits.Permit> waited = new CopyOnWriteArrayList<>();
		long start = System.nanoTime();
		limits.acquire(this.target, 600, Duration.ofSeconds(5)).subscribe(waited::add);
		await().atMost(Duration.ofSeconds(3)).until(() -> waited.size() == 1);
		assertThat((System.nanoTime() - start) / 1_000_000).as("woken by the refill, not a poll").isBetween(100L, 1_500L);
	}

	@Test
	void providersWithoutLimitsAreNotCounted() {
		ProviderLimits limits = new ProviderLimits(Map.of("other", new ProviderLimits.Limits(1, 0, 0, Duration.ZERO, 0)),
				Schedulers.parallel(), ProviderLimits.Metrics.NONE);
		assertThat(limits.limits(this.target)).isFalse();
		assertThat(limits.tryAcquire(this.target, 1)).isSameAs(ProviderLimits.Permit.NONE);
		assertThat(ProviderLimits.NONE.limits(this.target)).isFalse();
	}

	private ProviderLimits limits(ProviderLimits.Limits limits, reactor.core.scheduler.Scheduler scheduler) {
		return new ProviderLimits(Map.of("openai", limits), scheduler,
				(provider, outcome) -> this.counted.add(provider + " " + outcome));
	}

}
