package dev.switchboard.failover;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.cloud.circuitbreaker.resilience4j.ReactiveResilience4JCircuitBreakerFactory;
import org.springframework.cloud.client.circuitbreaker.ReactiveCircuitBreaker;

import dev.switchboard.route.RouteTarget;

/**
 * Target breakers from Spring Cloud CircuitBreaker's reactive Resilience4j factory: one breaker per
 * {@code provider/model}, in the group {@value #GROUP}.
 *
 * <p>Configure them in YAML like any Resilience4j breaker: {@code resilience4j.circuitbreaker.configs.switchboard.*}
 * for all targets, {@code resilience4j.circuitbreaker.instances."[openai/gpt-4o]".*} for one. Without
 * such configuration, {@link #DEFAULTS} apply. Spring Cloud's time limiter (1 s by default, far too
 * short for a model) is neutralised for the group: Switchboard's own deadline and provider timeouts
 * bound each call.
 */
public class Resilience4jTargetBreakers implements TargetBreakers {

	/** Resilience4j configuration name and Spring Cloud CircuitBreaker group of every target breaker. */
	public static final String GROUP = "switchboard";

	/** Opens at 50 % failures over the last 20 calls (10 at least), probes again after 10 s with 3 calls. */
	public static final CircuitBreakerConfig DEFAULTS = CircuitBreakerConfig.custom()
		.slidingWindowSize(20)
		.minimumNumberOfCalls(10)
		.failureRateThreshold(50)
		.waitDurationInOpenState(Duration.ofSeconds(10))
		.permittedNumberOfCallsInHalfOpenState(3)
		.build();

	private final ReactiveResilience4JCircuitBreakerFactory factory;

	private final Map<String, ReactiveCircuitBreaker> breakers = new ConcurrentHashMap<>();

	/**
	 * @param bulkheads the registry of Spring Cloud CircuitBreaker's bulkhead provider, if any: its
	 * bulkhead is per group, so with its default of 25 concurrent calls it would cap every LLM call
	 * of the gateway at 25 (streams hold it for their whole length); the group gets an unbounded one
	 * unless {@code resilience4j.bulkhead.configs.switchboard} says otherwise
	 */
	public Resilience4jTargetBreakers(ReactiveResilience4JCircuitBreakerFactory factory,
			@Nullable BulkheadRegistry bulkheads) {
		this.factory = factory;
		if (bulkheads != null && bulkheads.getConfiguration(GROUP).isEmpty()) {
			bulkheads.addConfiguration(GROUP,
					BulkheadConfig.custom().maxConcurrentCalls(Integer.MAX_VALUE).maxWaitDuration(Duration.ZERO).build());
		}
		if (factory.getCircuitBreakerRegistry().getConfiguration(GROUP).isEmpty()) {
			factory.getCircuitBreakerRegistry().addConfiguration(GROUP, DEFAULTS);
		}
		if (factory.getTimeLimiterRegistry().getConfiguration(GROUP).isEmpty()) {
			factory.getTimeLimiterRegistry()
				.addConfiguration(GROUP, TimeLimiterConfig.custom().timeoutDuration(Duration.ofDays(1)).build());
		}
	}

	@Override
	public <T> Mono<T> protect(RouteTarget target, Mono<T> call) {
		ReactiveCircuitBreaker breaker = this.breakers.computeIfAbsent(target.label(),
				label -> this.factory.create(label, GROUP));
		return breaker.run(call, error -> Mono.error((error instanceof CallNotPermittedException)
				? new CircuitOpenException(target.label()) : error));
	}

	/**
	 * The Resilience4j breaker of a target, for metrics and tests; created on first use with the
	 * configuration the factory picks too: one named after the target, else the group's.
	 */
	public CircuitBreaker breaker(RouteTarget target) {
		CircuitBreakerRegistry registry = this.factory.getCircuitBreakerRegistry();
		CircuitBreakerConfig config = registry.getConfiguration(target.label())
			.or(() -> registry.getConfiguration(GROUP))
			.orElse(DEFAULTS);
		return registry.circuitBreaker(target.label(), config);
	}

}
