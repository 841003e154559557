package dev.switchboard.autoconfigure.health;

import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Matches when at least one provider sets {@code health-check.enabled: true}. */
class OnHealthChecks extends SpringBootCondition {

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		Map<String, Switch> providers = Binder.get(context.getEnvironment())
			.bind("switchboard.providers", Bindable.mapOf(String.class, Switch.class))
			.orElse(Map.of());
		List<String> probed = providers.entrySet().stream()
			.filter(entry -> entry.getValue().healthCheck() != null && entry.getValue().healthCheck().enabled())
			.map(Map.Entry::getKey)
			.sorted()
			.toList();
		return probed.isEmpty() ? ConditionOutcome.noMatch("no provider sets health-check.enabled")
				: ConditionOutcome.match("health checks of " + probed);
	}

	/** Only the switch of a provider's properties. */
	record Switch(@Nullable HealthSwitch healthCheck) {
	}

	record HealthSwitch(boolean enabled) {
	}

}
