package dev.switchboard.autoconfigure.quota;

import java.time.Duration;
import java.util.Locale;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.springframework.beans.factory.ObjectProvider;

import dev.switchboard.quota.FailureMode;
import dev.switchboard.quota.QuotaLimit;
import dev.switchboard.quota.admission.BurstQueue;
import dev.switchboard.quota.admission.QuotaMetrics;

/**
 * Quota counters: {@code switchboard.quota.rejected} (tags team, limit, dry_run),
 * {@code switchboard.quota.downgraded} and {@code switchboard.quota.stream.cut} (tag team),
 * {@code switchboard.quota.backend.failures} (tags backend, operation), and
 * {@code switchboard.quota.degraded} (tags backend, operation, mode: requests decided while the
 * store was away).
 */
public class MicrometerQuotaMetrics implements QuotaMetrics, BurstQueue.Metrics {

	private final ObjectProvider<MeterRegistry> registry;

	public MicrometerQuotaMetrics(ObjectProvider<MeterRegistry> registry) {
		this.registry = registry;
	}

	@Override
	public void rejected(String team, QuotaLimit limit, boolean dryRun) {
		this.registry.ifAvailable(r -> r.counter("switchboard.quota.rejected", "team", team, "limit", limit.id(),
				"dry_run", Boolean.toString(dryRun)).increment());
	}

	@Override
	public void downgraded(String team) {
		this.registry.ifAvailable(r -> r.counter("switchboard.quota.downgraded", "team", team).increment());
	}

	@Override
	public void streamCut(String team) {
		this.registry.ifAvailable(r -> r.counter("switchboard.quota.stream.cut", "team", team).increment());
	}

	@Override
	public void backendFailure(String backend, String operation) {
		this.registry.ifAvailable(r -> r.counter("switchboard.quota.backend.failures", "backend", backend,
				"operation", operation).increment());
	}

	@Override
	public void degraded(String backend, String operation, FailureMode mode) {
		this.registry.ifAvailable(r -> r.counter("switchboard.quota.degraded", "backend", backend, "operation",
				operation, "mode", mode.name().toLowerCase(java.util.Locale.ROOT)).increment());
	}

	/** {@code switchboard.quota.queue.wait}: how long requests waited, by team and what became of them. */
	@Override
	public void left(String team, BurstQueue.Outcome outcome, Duration waited) {
		this.registry.ifAvailable(r -> Timer.builder("switchboard.quota.queue.wait")
			.description("Time requests waited in burst queues, by outcome")
			.tags("team", team, "outcome", outcome.name().toLowerCase(Locale.ROOT))
			.register(r)
			.record(waited));
	}

}
