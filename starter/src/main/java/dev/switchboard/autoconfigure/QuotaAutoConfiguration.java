package dev.switchboard.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;

import io.micrometer.core.instrument.MeterRegistry;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.BaseConfig;
import org.redisson.config.Config;
import org.redisson.config.ConstantDelay;
import org.slf4j.LoggerFactory;

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

import dev.switchboard.catalog.CatalogException;
import dev.switchboard.catalog.ModelCatalog;
import dev.switchboard.quota.InMemoryQuotaBackend;
import dev.switchboard.quota.LlmQuotaGatewayFilterFactory;
import dev.switchboard.quota.QuotaBackend;
import dev.switchboard.quota.QuotaMetrics;
import dev.switchboard.quota.QuotaPolicy;
import dev.switchboard.quota.RedisQuotaBackend;
import dev.switchboard.quota.TokenQuotaService;
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

	@Bean
	@ConditionalOnMissingBean
	QuotaPolicy switchboardQuotaPolicy(QuotaProperties quota, SwitchboardProperties switchboard, ModelCatalog catalog,
			ObjectProvider<RedissonClientMarker> redisson) {
		return QuotaConfiguration.policy(quota, catalog, switchboard.teams().keySet(), redisson.getIfAvailable() != null);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnProperty(name = "switchboard.quota.backend", havingValue = "memory", matchIfMissing = true)
	InMemoryQuotaBackend switchboardInMemoryQuotaBackend() {
		return new InMemoryQuotaBackend();
	}

	@Bean
	@ConditionalOnMissingBean
	TokenQuotaService switchboardTokenQuotaService(QuotaPolicy policy, QuotaBackend backend, ModelResolver resolver,
			QuotaProperties properties, ObjectProvider<QuotaMetrics> metrics) {
		return TokenQuotaService.builder(policy, backend, resolver)
			.failureMode(properties.failureMode())
			.timeout(properties.redis().timeout())
			.keyPrefix(properties.redis().keyPrefix())
			.metrics(metrics.getIfAvailable(() -> QuotaMetrics.NONE))
			.build();
	}

	@Bean
	@ConditionalOnMissingBean
	LlmQuotaGatewayFilterFactory llmQuotaGatewayFilterFactory(TokenQuotaService service) {
		return new LlmQuotaGatewayFilterFactory(service);
	}

	/** Marks that the application has a RedissonClient to reuse, without needing Redisson on the classpath. */
	interface RedissonClientMarker {
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(RedissonClient.class)
	static class RedisBackendConfiguration {

		@Bean
		RedissonClientMarker switchboardRedissonClientMarker(ObjectProvider<RedissonClient> clients) {
			return (clients.getIfUnique() != null) ? new RedissonClientMarker() {
			} : null;
		}

		@Bean(destroyMethod = "close")
		@ConditionalOnMissingBean(QuotaBackend.class)
		@ConditionalOnProperty(name = "switchboard.quota.backend", havingValue = "redis")
		RedisQuotaBackend switchboardRedisQuotaBackend(QuotaProperties properties, ObjectProvider<RedissonClient> clients,
				QuotaPolicy policy) {
			QuotaProperties.Redis redis = properties.redis();
			if (!redis.configured()) {
				RedissonClient client = clients.getObject();
				warnIfRetrying(client);
				return new RedisQuotaBackend(client, redis.timeout(), redis.keyPrefix(), false);
			}
			return new RedisQuotaBackend(Redisson.create(redissonConfig(redis)), redis.timeout(), redis.keyPrefix(), true);
		}

		/** The server settings of a single, cluster or sentinel setup, or {@code null} for another kind. */
		private static BaseConfig<?> servers(Config config) {
			return config.isClusterConfig() ? config.useClusterServers()
					: config.isSentinelConfig() ? config.useSentinelServers()
							: config.isSingleConfig() ? config.useSingleServer() : null;
		}

		/** An application's client may retry: a reservation resent after a lost reply is charged twice. */
		private static void warnIfRetrying(RedissonClient client) {
			Config config = client.getConfig();
			BaseConfig<?> servers = servers(config);
			int retries = (servers != null) ? servers.getRetryAttempts() : 0;
			if (retries > 0) {
				LoggerFactory.getLogger(QuotaAutoConfiguration.class)
					.warn("The RedissonClient shared with quotas retries commands ({} attempts): a reservation resent "
							+ "after a lost reply is charged twice. Set retryAttempts to 0, or give "
							+ "switchboard.quota.redis its own connection.", retries);
			}
		}

		/**
		 * Redisson for quotas: commands bounded by the quota timeout, no Redisson retries (a
		 * reservation script resent after a lost reply would apply twice; the failure mode handles
		 * failures instead), and quick reconnection so quotas come back soon after Redis does.
		 */
		static Config redissonConfig(QuotaProperties.Redis redis) {
			Config config;
			if (redis.config() != null) {
				try {
					config = Config.fromYAML(redis.config().toFile());
				}
				catch (java.io.IOException ex) {
					throw new CatalogException(java.util.List.of("switchboard.quota.redis.config: cannot read '"
							+ redis.config() + "': " + ex.getMessage()));
				}
				// Whatever the file says: a resent reservation would be charged twice.
				BaseConfig<?> servers = servers(config);
				if (servers == null) {
					throw new CatalogException(java.util.List.of("switchboard.quota.redis.config: '" + redis.config()
							+ "' must configure a single server, a cluster or a sentinel setup"));
				}
				servers.setRetryAttempts(0);
				return config;
			}
			config = new Config();
			BaseConfig<?> base;
			if (!redis.clusterNodes().isEmpty()) {
				config.useClusterServers().setNodeAddresses(redis.clusterNodes());
				base = config.useClusterServers();
			}
			else if (!redis.sentinelNodes().isEmpty()) {
				config.useSentinelServers().setSentinelAddresses(redis.sentinelNodes());
				base = config.useSentinelServers().setMasterName(redis.sentinelMaster()).setDatabase(redis.database());
			}
			else {
				base = config.useSingleServer().setAddress(redis.address()).setDatabase(redis.database());
			}
			int timeout = (int) Math.max(1, redis.timeout().toMillis());
			base.setTimeout(timeout)
				.setConnectTimeout((int) redis.connectTimeout().toMillis())
				.setRetryAttempts(0)
				.setReconnectionDelay(new ConstantDelay(Duration.ofMillis(Math.min(500, Math.max(100, timeout)))))
				.setPingConnectionInterval(1000)
				.setUsername(redis.username())
				.setPassword(redis.password());
			return config;
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
