package dev.switchboard.autoconfigure.guard;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.switchboard.catalog.CatalogException;
import dev.switchboard.guard.GuardMetrics;
import dev.switchboard.guard.GuardService;
import dev.switchboard.guard.GuardedRail;
import dev.switchboard.guard.Guardrail;
import dev.switchboard.guard.filter.LlmGuardGatewayFilterFactory;
import dev.switchboard.guard.regex.RegexGuardrail;

/**
 * Guardrails ({@code switchboard.guard.*}, on by default): the {@link GuardService} of the
 * guardrails configured under {@code switchboard.guard.guardrails} and of the application's own
 * {@link Guardrail} beans (two seconds to answer, fail-closed), and the {@code LlmGuard} filter
 * that routes name them with. Metrics when Micrometer is present: {@value #CHECKS} by guardrail and
 * outcome, {@value #DURATION} by guardrail.
 */
@AutoConfiguration
@ConditionalOnClass(GlobalFilter.class)
@ConditionalOnBooleanProperty(name = "switchboard.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "switchboard.guard.enabled", matchIfMissing = true)
@EnableConfigurationProperties(GuardProperties.class)
public class GuardAutoConfiguration {

	public static final String CHECKS = "switchboard.guard.checks";

	public static final String DURATION = "switchboard.guard.duration";

	@Bean
	@ConditionalOnMissingBean
	GuardService switchboardGuardService(GuardProperties properties, ObjectProvider<Guardrail> beans,
			ObjectProvider<GuardMetrics> metrics) {
		List<String> problems = new ArrayList<>();
		Map<String, GuardedRail> rails = new LinkedHashMap<>();
		properties.guardrails().forEach((name, rule) -> {
			String where = "switchboard.guard.guardrails." + name;
			if (!"regex".equals(rule.type())) {
				problems.add(where + ".type: '" + rule.type() + "' is not a guardrail type; use regex, or a Guardrail "
						+ "bean of your own");
				return;
			}
			try {
				rails.put(name, new GuardedRail(new RegexGuardrail(name, rule.deny(), rule.mask(), rule.patterns()),
						positive(rule.timeout()), rule.failMode() == GuardProperties.FailMode.CLOSED));
			}
			catch (IllegalArgumentException ex) {
				problems.add(where + "." + ex.getMessage());
			}
		});
		beans.orderedStream().forEach(bean -> {
			if (rails.containsKey(bean.name())) {
				problems.add("switchboard.guard.guardrails." + bean.name() + ": a Guardrail bean has this name too; "
						+ "rename one of them");
				return;
			}
			rails.put(bean.name(), new GuardedRail(bean, GuardedRail.DEFAULT_TIMEOUT, true));
		});
		if (!problems.isEmpty()) {
			throw new CatalogException(problems);
		}
		return new GuardService(rails, metrics.getIfAvailable(() -> GuardMetrics.NONE));
	}

	private static Duration positive(Duration timeout) {
		if (timeout.isZero() || timeout.isNegative()) {
			throw new IllegalArgumentException("timeout: must be positive, was " + timeout);
		}
		return timeout;
	}

	@Bean
	@ConditionalOnMissingBean
	LlmGuardGatewayFilterFactory llmGuardGatewayFilterFactory(GuardService guard) {
		return new LlmGuardGatewayFilterFactory(guard);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterRegistry.class)
	static class GuardMetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		GuardMetrics switchboardGuardMetrics(ObjectProvider<MeterRegistry> registry) {
			MeterRegistry meters = registry.getIfAvailable();
			if (meters == null) {
				return GuardMetrics.NONE;
			}
			return (guardrail, outcome, nanos) -> {
				Counter.builder(CHECKS)
					.description("Guardrail checks, by outcome: allowed, masked, denied, timeout, error")
					.tags("guardrail", guardrail, "outcome", outcome)
					.register(meters)
					.increment();
				Timer.builder(DURATION)
					.description("Time a guardrail took to check a request")
					.tags("guardrail", guardrail)
					.register(meters)
					.record(Duration.ofNanos(nanos));
			};
		}

	}

}
