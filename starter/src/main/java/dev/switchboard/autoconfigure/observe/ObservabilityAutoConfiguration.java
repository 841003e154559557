package dev.switchboard.autoconfigure.observe;

import java.time.Clock;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import org.redisson.api.RedissonClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;

import dev.switchboard.autoconfigure.SwitchboardAutoConfiguration;
import dev.switchboard.autoconfigure.SwitchboardProperties;
import dev.switchboard.autoconfigure.redis.SwitchboardRedis;
import dev.switchboard.autoconfigure.redis.SwitchboardRedisAutoConfiguration;
import dev.switchboard.core.AttemptSpans;
import dev.switchboard.core.LlmExchangeListener;
import dev.switchboard.dispatch.ProviderLimits;
import dev.switchboard.observe.cost.CostLedger;
import dev.switchboard.observe.cost.InMemoryCostLedger;
import dev.switchboard.observe.cost.RedisCostLedger;
import dev.switchboard.observe.log.RequestLog;
import dev.switchboard.observe.metrics.GenAiMetrics;
import dev.switchboard.observe.tracing.TracerAttemptSpans;
import dev.switchboard.quota.backend.QuotaBackend;
import dev.switchboard.quota.backend.RedisQuotaBackend;

/**
 * Observability ({@code switchboard.observability.*}): the request log and its {@code llmrequests}
 * endpoint, the cost ledger and its {@code llmcosts} endpoint, GenAI metrics when Micrometer is
 * there, and a client span per provider call when Micrometer Tracing is. Each part is an
 * {@link LlmExchangeListener} or the dispatcher's {@link AttemptSpans} port: the request path does
 * not know which of them run.
 */
@AutoConfiguration(after = SwitchboardAutoConfiguration.class)
@ConditionalOnClass(GlobalFilter.class)
@ConditionalOnBooleanProperty(name = "switchboard.enabled", matchIfMissing = true)
@EnableConfigurationProperties({ ObservabilityProperties.class, SwitchboardProperties.class })
public class ObservabilityAutoConfiguration {

	private static final Logger log = LoggerFactory.getLogger(ObservabilityAutoConfiguration.class);

	/** Per instance, unless {@link RedisCostsConfiguration} put the ledger on Redis. */
	@Bean
	@ConditionalOnMissingBean(CostLedger.class)
	CostLedger switchboardCostLedger() {
		return new InMemoryCostLedger();
	}

	@Bean
	@ConditionalOnMissingBean
	RequestLog switchboardRequestLog(ObservabilityProperties properties) {
		ObservabilityProperties.LogContent content = properties.logContent();
		if (content.enabled()) {
			log.warn("The request log keeps prompt and completion text (up to {} characters of each) in log lines "
					+ "and llmrequests records: switchboard.observability.log-content.enabled=true", content.maxChars());
		}
		return new RequestLog(properties.recentRequests(), content.enabled() ? content.maxChars() : 0);
	}

	/**
	 * GenAI metrics when Micrometer is there and {@code switchboard.observability.enabled} is not
	 * false; resolved at start so it does not depend on ordering.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterRegistry.class)
	static class MetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean(GenAiMetrics.class)
		LlmExchangeListener switchboardGenAiMetrics(ObjectProvider<MeterRegistry> registry,
				ObservabilityProperties properties) {
			MeterRegistry available = properties.enabled() ? registry.getIfAvailable() : null;
			return (available != null) ? new GenAiMetrics(available) : new LlmExchangeListener() {
			};
		}

		/** Request log lines dropped because the log could not keep up (see {@link RequestLog}). */
		@Bean
		@ConditionalOnMissingBean(name = "switchboardRequestLogMeters")
		MeterBinder switchboardRequestLogMeters(RequestLog requestLog) {
			return registry -> FunctionCounter.builder("switchboard.requests.log.dropped", requestLog, RequestLog::dropped)
				.description("Request log lines dropped because the log could not keep up")
				.register(registry);
		}

		/** {@code switchboard.provider.limited}: calls spilled, waited or refused at a provider's limits. */
		@Bean
		@ConditionalOnMissingBean
		ProviderLimits.Metrics switchboardProviderLimitMetrics(ObjectProvider<MeterRegistry> registries) {
			return (provider, outcome) -> registries.ifAvailable(registry -> Counter
				.builder("switchboard.provider.limited")
				.description("Calls spilled to the next target, waited for room, or refused at a provider's limits")
				.tags("provider", provider, "outcome", outcome)
				.register(registry)
				.increment());
		}

		/** {@code switchboard.provider.in.flight}: calls in flight per provider that has limits. */
		@Bean
		@ConditionalOnMissingBean(name = "switchboardProviderInFlightMeters")
		MeterBinder switchboardProviderInFlightMeters(ProviderLimits limits) {
			return registry -> limits.inFlight().keySet().forEach(provider -> Gauge
				.builder("switchboard.provider.in.flight", limits, l -> l.inFlight().getOrDefault(provider, 0))
				.description("Calls in flight to a provider with limits")
				.tag("provider", provider)
				.register(registry));
		}

	}

	/**
	 * A client span per provider call when Micrometer Tracing is there with a tracer and a
	 * propagator (Boot configures both for Brave or OpenTelemetry), and
	 * {@code switchboard.observability.enabled} is not false. Looked up when the dispatcher is made,
	 * so it does not depend on the order of auto-configurations.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(Tracer.class)
	static class TracingConfiguration {

		@Bean
		@ConditionalOnMissingBean
		AttemptSpans switchboardAttemptSpans(ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator,
				ObservabilityProperties properties) {
			Tracer available = properties.enabled() ? tracer.getIfUnique() : null;
			Propagator injector = propagator.getIfUnique();
			return (available != null && injector != null) ? new TracerAttemptSpans(available, injector)
					: AttemptSpans.NONE;
		}

	}

	/** The decision record of recent requests, by id, and the cost ledger's totals. */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(Endpoint.class)
	static class EndpointConfiguration {

		@Bean
		@ConditionalOnMissingBean
		LlmRequestsEndpoint llmRequestsEndpoint(RequestLog log) {
			return new LlmRequestsEndpoint(log);
		}

		@Bean
		@ConditionalOnMissingBean
		LlmCostsEndpoint llmCostsEndpoint(CostLedger ledger) {
			return new LlmCostsEndpoint(ledger);
		}

	}

	/**
	 * The cost ledger on Redis, fleet-wide: when {@code switchboard.observability.costs.backend} is
	 * {@code redis}, or {@code auto} (the default) while quotas are on Redis. On the connection every
	 * capability shares ({@link SwitchboardRedis}).
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(RedissonClient.class)
	@Conditional(RedisCostsCondition.class)
	static class RedisCostsConfiguration {

		@Bean
		@ConditionalOnMissingBean(CostLedger.class)
		CostLedger switchboardCostLedger(ObservabilityProperties observability, SwitchboardProperties properties,
				SwitchboardRedis redis, ObjectProvider<QuotaBackend> quotaBackend) {
			ObservabilityProperties.Costs costs = observability.costs();
			if (quotaBackend.getIfAvailable() instanceof RedisQuotaBackend quota) {
				// The quota's own team ledgers: its settlement records quota routes per model in the same
				// script, so a request costs no extra Redis round trip for its cost.
				return RedisCostLedger.sharingQuotaLedger(redis.client(), quota.keyPrefix(), costs.timeout(),
						Clock.systemUTC(), properties.teams().keySet());
			}
			return new RedisCostLedger(redis.client(), costs.keyPrefix(), costs.timeout(), Clock.systemUTC(),
					properties.teams().keySet());
		}

	}

	/** {@code costs.backend=redis}, or {@code auto} with {@code switchboard.quota.backend=redis}. */
	static class RedisCostsCondition extends SpringBootCondition {

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			String backend = context.getEnvironment().getProperty("switchboard.observability.costs.backend", "auto");
			if ("redis".equalsIgnoreCase(backend)) {
				return ConditionOutcome.match("switchboard.observability.costs.backend is redis");
			}
			if ("auto".equalsIgnoreCase(backend)
					&& SwitchboardRedisAutoConfiguration.onRedis(context.getEnvironment(), "quota")) {
				return ConditionOutcome.match("costs backend auto, quotas on Redis");
			}
			return ConditionOutcome.noMatch("costs backend " + backend + ", quotas not on Redis");
		}

	}

}
