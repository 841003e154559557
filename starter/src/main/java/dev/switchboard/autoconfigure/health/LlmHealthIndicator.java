package dev.switchboard.autoconfigure.health;

import java.util.LinkedHashMap;
import java.util.Map;

import reactor.core.publisher.Mono;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;

import dev.switchboard.dispatch.HealthProber;

/**
 * The {@code llm} contributor of {@code /actuator/health}: each probed provider's state, its
 * failures or successes in a row, its last probe and problem. The gateway keeps serving while a
 * provider is unhealthy (its targets are skipped while others remain), so by default this reports
 * UP with the detail; {@code switchboard.health-checks.down-when-unhealthy} reports DOWN when any
 * probed provider is unhealthy, for platforms that want a load balancer to act on it.
 */
class LlmHealthIndicator implements ReactiveHealthIndicator {

	private final HealthProber prober;

	private final boolean downWhenUnhealthy;

	LlmHealthIndicator(HealthProber prober, boolean downWhenUnhealthy) {
		this.prober = prober;
		this.downWhenUnhealthy = downWhenUnhealthy;
	}

	@Override
	public Mono<Health> health() {
		return Mono.fromSupplier(() -> {
			Map<String, Object> providers = new LinkedHashMap<>();
			boolean anyUnhealthy = false;
			for (HealthProber.Health health : this.prober.health().values()) {
				Map<String, Object> detail = new LinkedHashMap<>();
				detail.put("status", health.healthy() ? "UP" : "DOWN");
				detail.put("failuresInARow", health.failuresInARow());
				detail.put("successesInARow", health.successesInARow());
				detail.put("probes", health.probes());
				if (health.lastProbe() != null) {
					detail.put("lastProbe", health.lastProbe().toString());
				}
				if (health.lastProblem() != null) {
					detail.put("lastProblem", health.lastProblem());
				}
				providers.put(health.provider(), detail);
				anyUnhealthy |= !health.healthy();
			}
			Health.Builder builder = (anyUnhealthy && this.downWhenUnhealthy) ? Health.down() : Health.up();
			return builder.withDetail("providers", providers).build();
		});
	}

}
