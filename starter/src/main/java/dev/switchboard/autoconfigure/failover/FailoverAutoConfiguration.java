package dev.switchboard.autoconfigure.failover;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.circuitbreaker.resilience4j.ReactiveResilience4JCircuitBreakerFactory;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.switchboard.autoconfigure.SnapshotContributor;
import dev.switchboard.autoconfigure.SwitchboardAutoConfiguration;
import dev.switchboard.dispatch.FailoverPolicy;
import dev.switchboard.dispatch.LlmFailoverGatewayFilterFactory;
import dev.switchboard.dispatch.Resilience4jTargetBreakers;
import dev.switchboard.dispatch.TargetBreakers;
import dev.switchboard.live.LiveConfig;

/**
 * Failover: the default {@link FailoverPolicy} of every LLM route ({@code switchboard.failover.*}),
 * the {@code LlmFailover} filter that overrides it per route, and a circuit breaker per target
 * when Spring Cloud CircuitBreaker's Resilience4j factory is there. With
 * {@code switchboard.failover.enabled=false} the policy makes one call per request and the
 * {@code LlmFailover} filter stays, so routes that name it still start.
 */
@AutoConfiguration(after = SwitchboardAutoConfiguration.class)
@ConditionalOnClass(GlobalFilter.class)
@ConditionalOnBooleanProperty(name = "switchboard.enabled", matchIfMissing = true)
@EnableConfigurationProperties(FailoverProperties.class)
public class FailoverAutoConfiguration {

	/** The policy as the gateway started; requests use the one of their configuration version. */
	@Bean
	@ConditionalOnMissingBean
	FailoverPolicy switchboardFailoverPolicy(LiveConfig live) {
		return live.current().require(FailoverPolicy.class);
	}

	/** The default failover of each configuration version ({@code switchboard.failover.*}). */
	@Bean
	SnapshotContributor switchboardFailoverSnapshot() {
		return candidate -> {
			FailoverProperties failover = candidate.bind("switchboard.failover", FailoverProperties.class);
			candidate.snapshot().part(FailoverPolicy.class, policy(failover));
			candidate.item("failover", "defaults", failover);
		};
	}

	static FailoverPolicy policy(FailoverProperties failover) {
		if (!failover.enabled()) {
			return FailoverPolicy.none();
		}
		try {
			return new FailoverPolicy(failover.maxAttempts(), failover.retriesPerTarget(), failover.initialBackoff(),
					failover.maxBackoff(), failover.deadline(), failover.triggers(), failover.totalTimeout());
		}
		catch (IllegalArgumentException ex) {
			// The policy names the setting; the prefix says where it is set.
			throw new IllegalArgumentException("switchboard.failover." + ex.getMessage(), ex);
		}
	}

	@Bean
	@ConditionalOnMissingBean
	LlmFailoverGatewayFilterFactory llmFailoverGatewayFilterFactory(FailoverPolicy failoverPolicy) {
		return new LlmFailoverGatewayFilterFactory(failoverPolicy);
	}

	/** A circuit breaker per target, when Spring Cloud CircuitBreaker's Resilience4j factory is there. */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(ReactiveResilience4JCircuitBreakerFactory.class)
	@ConditionalOnBooleanProperty(name = "switchboard.failover.circuit-breakers", matchIfMissing = true)
	static class CircuitBreakerConfiguration {

		/** Resolved when first needed, so it does not depend on auto-configuration order. */
		@Bean
		@ConditionalOnMissingBean(TargetBreakers.class)
		TargetBreakers switchboardTargetBreakers(ObjectProvider<ReactiveResilience4JCircuitBreakerFactory> factory) {
			ReactiveResilience4JCircuitBreakerFactory available = factory.getIfAvailable();
			return (available != null) ? new Resilience4jTargetBreakers(available) : TargetBreakers.none();
		}

	}

}
