package dev.switchboard.autoconfigure.quota;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;

import dev.switchboard.quota.FailureMode;
import dev.switchboard.quota.QuotaLimit;
import dev.switchboard.quota.admission.QuotaMetrics;

/**
 * Quota counters: {@code switchboard.quota.rejected} (tags team, limit, dry_run),
 * {@code switchboard.quota.downgraded} and {@code switchboard.quota.stream.cut} (tag team),
 * {@code switchboard.quota.backend.failures} (tags backend, operation), and
 * {@code switchboard.quota.degraded} (tags backend, operation, mode: requests decided while the
 * store was away).
 */
public class MicrometerQuotaMetrics implements QuotaMetrics {

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

}
