package dev.switchboard.dispatch;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import reactor.core.publisher.Mono;

import org.springframework.cloud.circuitbreaker.resilience4j.ReactiveResilience4JCircuitBreakerFactory;

import dev.switchboard.core.RouteTarget;

/**
 * One Resilience4j circuit breaker per target ({@code provider/model}), from the registry of
 * Spring Cloud CircuitBreaker's reactive Resilience4j factory, so they are configured, named and
 * metered like every other breaker of the application.
 *
 * <p>Configure them in YAML: {@code resilience4j.circuitbreaker.configs.switchboard.*} for all
 * targets, {@code resilience4j.circuitbreaker.configs."[openai/gpt-4o]".*} for one; without either,
 * {@link #DEFAULTS} apply. The breaker is applied with {@link CircuitBreakerOperator} rather than
 * through the factory's {@code create(...).run(...)}: that path adds a time limiter (1 s by
 * default, far too short for a model) and one bulkhead per group (25 concurrent calls by default,
 * which would cap every LLM call of the gateway, streams holding it to their end). Switchboard's own
 * deadline and provider timeouts bound each call instead.
 */
public class Resilience4jTargetBreakers implements TargetBreakers {

	/** Resilience4j configuration name shared by every target breaker. */
	public static final String GROUP = "switchboard";

	/** Opens at 50 % failures over the last 20 calls (10 at least), probes again after 10 s with 3 calls. */
	public static final CircuitBreakerConfig DEFAULTS = CircuitBreakerConfig.custom()
		.slidingWindowSize(20)
		.minimumNumberOfCalls(10)
		.failureRateThreshold(50)
		.waitDurationInOpenState(Duration.ofSeconds(10))
		.permittedNumberOfCallsInHalfOpenState(3)
		.build();

	private final CircuitBreakerRegistry registry;

	private final Map<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();

	public Resilience4jTargetBreakers(ReactiveResilience4JCircuitBreakerFactory factory) {
		this(factory.getCircuitBreakerRegistry());
	}

	public Resilience4jTargetBreakers(CircuitBreakerRegistry registry) {
		this.registry = registry;
	}

	@Override
	public <T> Mono<T> protect(RouteTarget target, Mono<T> call) {
		return call.transformDeferred(CircuitBreakerOperator.of(breaker(target)))
			.onErrorMap(CallNotPermittedException.class, open -> new CircuitOpenException(target.label()));
	}

	@Override
	public void retain(Set<String> labels) {
		this.breakers.keySet().removeIf(label -> {
			if (labels.contains(label)) {
				return false;
			}
			this.registry.remove(label);
			return true;
		});
	}

	/**
	 * The breaker of a target, created on first use with a configuration named after the target,
	 * else the group's, else {@link #DEFAULTS}.
	 */
	public CircuitBreaker breaker(RouteTarget target) {
		return this.breakers.computeIfAbsent(target.label(), label -> {
			CircuitBreakerConfig config = this.registry.getConfiguration(label)
				.or(() -> this.registry.getConfiguration(GROUP))
				.orElse(DEFAULTS);
			return this.registry.circuitBreaker(label, config);
		});
	}

}
