package dev.switchboard.autoconfigure.failover;

import java.time.Duration;
import java.util.Set;

import jakarta.validation.constraints.Min;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import dev.switchboard.dispatch.Trigger;

/**
 * Failover defaults of every LLM route ({@code switchboard.failover.*}); a route overrides them
 * with the LlmFailover filter. Bound again for each configuration version (live reload), validated
 * the same way.
 *
 * @param enabled Whether to retry and fall back at all; off, each request makes one call
 * @param maxAttempts Calls per request in all, retries and fallbacks together
 * @param retriesPerTarget Extra calls to the same target after a 5xx, timeout or connection failure
 * @param initialBackoff Wait before the first retry of a target; doubles per retry, with jitter
 * @param maxBackoff Longest wait between two calls, a provider's Retry-After included (a longer
 * Retry-After moves on to the next target instead)
 * @param deadline Longest a client waits for a provider to start answering (its JSON body read, its
 * stream past the first token), all attempts and waits included; an answer under way is not cut by it
 * @param triggers Failures that lead to a retry or the next target: RATE_LIMITED, OVERLOADED,
 * SERVER_ERROR, CONNECT_ERROR, TIMEOUT, CIRCUIT_OPEN, CONTEXT_LENGTH, PROVIDER_REJECTED
 * @param totalTimeout Longest a whole response may take, a stream to its last chunk included (a
 * stream cut by it ends with an error event); empty for no limit beyond the providers' idle timeout
 * @param circuitBreakers Whether each target gets a Resilience4j circuit breaker (when Spring
 * Cloud CircuitBreaker with Resilience4j is on the classpath); tune them under
 * resilience4j.circuitbreaker.configs.switchboard
 */
@ConfigurationProperties("switchboard.failover")
@Validated
public record FailoverProperties(@DefaultValue("true") boolean enabled, @DefaultValue("4") @Min(1) int maxAttempts,
		@DefaultValue("1") @Min(0) int retriesPerTarget, @DefaultValue("200ms") Duration initialBackoff,
		@DefaultValue("5s") Duration maxBackoff, @DefaultValue("60s") Duration deadline,
		@DefaultValue({ "RATE_LIMITED", "OVERLOADED", "SERVER_ERROR", "CONNECT_ERROR", "TIMEOUT", "CIRCUIT_OPEN",
				"CONTEXT_LENGTH", "PROVIDER_REJECTED" }) Set<Trigger> triggers,
		@Nullable Duration totalTimeout, @DefaultValue("true") boolean circuitBreakers) {
}
