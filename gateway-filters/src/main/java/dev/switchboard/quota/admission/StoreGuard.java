package dev.switchboard.quota.admission;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.Timers;
import dev.switchboard.quota.FailureMode;
import dev.switchboard.quota.backend.QuotaBackend;

/**
 * The quota store behind a failure mode: each call is bounded by the timeout; when the store fails
 * or is too slow, {@link FailureMode#OPEN} answers from the local fallback and
 * {@link FailureMode#CLOSED} with a 503, and for one probe interval the store is not tried again,
 * so an outage costs one timeout per interval, not one per request. The first failure of an outage
 * is logged at WARN and the recovery at INFO; every failure is counted.
 *
 * <p>An outage is a state of the whole service, not of one request: that state lives here, apart
 * from admission and settlement, which only say what to run on a store.
 */
final class StoreGuard {

	private static final Logger log = LoggerFactory.getLogger(TokenQuotaService.class);

	private final QuotaBackend backend;

	private final @Nullable QuotaBackend fallback;

	private final FailureMode failureMode;

	private final Duration timeout;

	private final Duration probeInterval;

	private final QuotaMetrics metrics;

	private final Clock clock;

	private final AtomicLong outageSince = new AtomicLong();

	private volatile long retryAtMillis;

	/** @param fallback where {@link FailureMode#OPEN} counts during an outage; {@code null} when closed or in memory */
	StoreGuard(QuotaBackend backend, @Nullable QuotaBackend fallback, FailureMode failureMode, Duration timeout,
			Duration probeInterval, QuotaMetrics metrics, Clock clock) {
		this.backend = backend;
		this.fallback = fallback;
		this.failureMode = failureMode;
		this.timeout = timeout;
		this.probeInterval = probeInterval;
		this.metrics = metrics;
		this.clock = clock;
	}

	/** Whether the last call to the store failed and it has not answered since. */
	boolean down() {
		return this.outageSince.get() != 0;
	}

	/**
	 * Runs {@code call} on the store, or on the fallback (or fails with 503) while it is away. An
	 * {@link LlmApiException} is an answer (a 429), not a store failure.
	 */
	<T> Mono<T> call(String operation, Function<QuotaBackend, Mono<T>> call) {
		if (this.backend.inProcess()) {
			return call.apply(this.backend);
		}
		if (this.clock.millis() < this.retryAtMillis) {
			return degraded(operation, call);
		}
		return Mono.defer(() -> call.apply(this.backend))
			.timeout(Timers.delay(this.timeout))
			.doOnSuccess(value -> recovered())
			.onErrorResume(error -> !(error instanceof LlmApiException), error -> {
				failed(operation, error);
				return degraded(operation, call);
			});
	}

	private <T> Mono<T> degraded(String operation, Function<QuotaBackend, Mono<T>> call) {
		this.metrics.degraded(this.backend.name(), operation, this.failureMode);
		if (this.fallback != null) {
			return call.apply(this.fallback);
		}
		return Mono.error(QuotaExceededException.unavailable());
	}

	private void failed(String operation, Throwable error) {
		long now = this.clock.millis();
		this.retryAtMillis = now + this.probeInterval.toMillis();
		this.metrics.backendFailure(this.backend.name(), operation);
		if (this.outageSince.compareAndSet(0, now)) {
			log.warn("Quota store '{}' is unavailable ({}): {} until it answers again", this.backend.name(),
					describe(error), (this.failureMode == FailureMode.OPEN)
							? "serving requests and counting them in this gateway only" : "answering 503");
		}
	}

	private void recovered() {
		long since = this.outageSince.getAndSet(0);
		if (since != 0) {
			log.info("Quota store '{}' is back after {} ms", this.backend.name(), this.clock.millis() - since);
		}
	}

	private static String describe(Throwable error) {
		Throwable root = error;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		return root.getClass().getSimpleName() + ((root.getMessage() != null) ? ": " + root.getMessage() : "");
	}

}
