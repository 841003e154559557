package dev.switchboard.autoconfigure.quota;

import java.util.LinkedHashSet;
import java.util.Set;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.redisson.api.RedissonClient;
import reactor.core.scheduler.Schedulers;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

import dev.switchboard.autoconfigure.SnapshotContributor;
import dev.switchboard.autoconfigure.SwitchboardAutoConfiguration;
import dev.switchboard.autoconfigure.SwitchboardProperties;
import dev.switchboard.autoconfigure.redis.SwitchboardRedis;
import dev.switchboard.catalog.CatalogException;
import dev.switchboard.catalog.ModelCatalog;
import dev.switchboard.live.LiveConfig;
import dev.switchboard.quota.QueuePolicy;
import dev.switchboard.quota.QuotaPolicy;
import dev.switchboard.quota.admission.BurstQueue;
import dev.switchboard.quota.admission.QuotaMetrics;
import dev.switchboard.quota.admission.TokenQuotaService;
import dev.switchboard.quota.backend.InMemoryQuotaBackend;
import dev.switchboard.quota.backend.QuotaBackend;
import dev.switchboard.quota.backend.RedisQuotaBackend;
import dev.switchboard.quota.filter.LlmQuotaGatewayFilterFactory;
import dev.switchboard.route.ModelResolver;

/**
 * Quotas: the {@code LlmQuota} filter, its {@link TokenQuotaService}, and a backend, in memory by
 * default or on Redis ({@code switchboard.quota.backend=redis}, which needs Redisson on the classpath;
 * the Redis backend runs its own Lua scripts, Bucket4j is used in memory only). Metrics and the {@code llmquotas} actuator
 * endpoint are added when Micrometer and the actuator are present.
 */
@AutoConfiguration(after = SwitchboardAutoConfiguration.class)
@ConditionalOnClass(GlobalFilter.class)
@ConditionalOnBooleanProperty(name = "switchboard.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "switchboard.quota.enabled", matchIfMissing = true)
@EnableConfigurationProperties(QuotaProperties.class)
public class QuotaAutoConfiguration {

	/** The policy as the gateway started; requests count on the one of their configuration version. */
	@Bean
	@ConditionalOnMissingBean
	QuotaPolicy switchboardQuotaPolicy(LiveConfig live) {
		return live.current().require(QuotaPolicy.class);
	}

	/**
	 * The limits and queues of each configuration version ({@code switchboard.quota.*} but the
	 * backend, its connection and the failure mode, which are set at start-up), checked against the
	 * version's own catalog and teams.
	 */
	@Bean
	@Order(Ordered.LOWEST_PRECEDENCE)
	SnapshotContributor switchboardQuotaSnapshot() {
		return candidate -> {
			QuotaProperties quota = candidate.bind("switchboard.quota", QuotaProperties.class);
			ModelCatalog catalog = candidate.snapshot().part(ModelCatalog.class);
			if (catalog == null) {
				return; // the catalog itself was refused: its problems say what to fix first
			}
			QuotaPolicy policy = QuotaBinder.policy(quota, catalog, candidate.switchboard().teams().keySet());
			QueuePolicy queues = QuotaBinder.queues(quota);
			candidate.snapshot().part(QuotaPolicy.class, policy).part(QueuePolicy.class, queues);
			candidate.item("quotas", "defaults", quota.defaults(), quota.clientLayer(), quota.completionReservation());
			quota.teams().forEach((team, limits) -> candidate.item("quotas", "team " + team, limits));
		};
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnProperty(name = "switchboard.quota.backend", havingValue = "memory", matchIfMissing = true)
	InMemoryQuotaBackend switchboardInMemoryQuotaBackend() {
		return new InMemoryQuotaBackend();
	}

	@Bean
	@ConditionalOnMissingBean
	QueuePolicy switchboardQueuePolicy(LiveConfig live) {
		return live.current().require(QueuePolicy.class);
	}

	/** Waits are timed on Reactor's parallel scheduler: timers, never a sleeping thread. */
	@Bean
	@ConditionalOnMissingBean
	BurstQueue switchboardBurstQueue(ObjectProvider<BurstQueue.Metrics> metrics) {
		return new BurstQueue(Schedulers.parallel(), metrics.getIfAvailable(() -> BurstQueue.Metrics.NONE));
	}

	@Bean
	BurstQueueLifecycle switchboardBurstQueueLifecycle(BurstQueue queue) {
		return new BurstQueueLifecycle(queue);
	}

	@Bean
	@ConditionalOnMissingBean
	TokenQuotaService switchboardTokenQuotaService(QuotaPolicy policy, QuotaBackend backend, ModelResolver resolver,
			QuotaProperties properties, ObjectProvider<QuotaMetrics> metrics, QueuePolicy queues, BurstQueue queue,
			LiveConfig live) {
		return TokenQuotaService.builder(policy, backend, resolver)
			.configuredBy(live)
			.failureMode(properties.failureMode())
			.timeout(properties.redis().timeout())
			.keyPrefix(properties.redis().keyPrefix())
			.metrics(metrics.getIfAvailable(() -> QuotaMetrics.NONE))
			.queue(queues, queue)
			.build();
	}

	@Bean
	@ConditionalOnMissingBean
	LlmQuotaGatewayFilterFactory llmQuotaGatewayFilterFactory(TokenQuotaService service) {
		return new LlmQuotaGatewayFilterFactory(service);
	}

	/** On the Redis connection every capability shares ({@code switchboard.redis}). */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(RedissonClient.class)
	static class RedisBackendConfiguration {

		@Bean(destroyMethod = "close")
		@ConditionalOnMissingBean(QuotaBackend.class)
		@ConditionalOnProperty(name = "switchboard.quota.backend", havingValue = "redis")
		RedisQuotaBackend switchboardRedisQuotaBackend(QuotaProperties properties, SwitchboardRedis redis) {
			return new RedisQuotaBackend(redis.client(), properties.redis().timeout(), properties.redis().keyPrefix(),
					false);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnMissingClass("org.redisson.api.RedissonClient")
	@ConditionalOnProperty(name = "switchboard.quota.backend", havingValue = "redis")
	static class RedisBackendMissingConfiguration {

		@Bean
		QuotaBackend switchboardRedisQuotaBackendMissing() {
			throw new CatalogException(java.util.List.of("switchboard.quota.backend: redis needs org.redisson:redisson "
					+ "on the classpath; add it or use memory"));
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterRegistry.class)
	static class QuotaMetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		MicrometerQuotaMetrics switchboardQuotaMetrics(ObjectProvider<MeterRegistry> registry) {
			return new MicrometerQuotaMetrics(registry);
		}

		@Bean
		MeterBinder switchboardBurstQueueDepth(BurstQueue queue) {
			return registry -> Gauge.builder("switchboard.quota.queue.depth", queue, BurstQueue::depth)
				.description("Requests waiting in burst queues for their rate limits")
				.register(registry);
		}

		@Bean(destroyMethod = "close")
		@ConditionalOnMissingBean
		QuotaGauges switchboardQuotaGauges(ObjectProvider<MeterRegistry> registry, TokenQuotaService service,
				QuotaProperties quota, SwitchboardProperties switchboard) {
			return new QuotaGauges(registry, service, teams(quota, switchboard));
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(Endpoint.class)
	static class QuotaEndpointConfiguration {

		@Bean
		@ConditionalOnMissingBean
		@ConditionalOnAvailableEndpoint
		QuotaEndpoint switchboardQuotaEndpoint(TokenQuotaService service, QuotaProperties quota,
				SwitchboardProperties switchboard) {
			return new QuotaEndpoint(service, teams(quota, switchboard));
		}

	}

	static Set<String> teams(QuotaProperties quota, SwitchboardProperties switchboard) {
		Set<String> teams = new LinkedHashSet<>(switchboard.teams().keySet());
		teams.addAll(quota.teams().keySet());
		return teams;
	}

}
