package dev.switchboard.autoconfigure.redis;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.BaseConfig;
import org.redisson.config.Config;
import org.redisson.config.ConstantDelay;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

import dev.switchboard.catalog.CatalogException;

/**
 * The Redis connection shared by every capability on Redis ({@link SwitchboardRedis}), made when
 * at least one of them is: {@code switchboard.quota.backend=redis},
 * {@code switchboard.cache.backend=redis}, {@code switchboard.observability.costs.backend=redis}, or
 * stored responses on Redis ({@link #responseStoreOnRedis}).
 * Without Redisson on the classpath each capability fails start-up with a message of its own.
 */
@AutoConfiguration
@ConditionalOnClass(RedissonClient.class)
@ConditionalOnBooleanProperty(name = "switchboard.enabled", matchIfMissing = true)
@Conditional(SwitchboardRedisAutoConfiguration.OnRedisBackend.class)
@EnableConfigurationProperties(SwitchboardRedisProperties.class)
public class SwitchboardRedisAutoConfiguration {

	private static final Logger log = LoggerFactory.getLogger(SwitchboardRedisAutoConfiguration.class);

	/** The capabilities with a backend of their own that can be on Redis. */
	private static final List<String> CAPABILITIES = List.of("quota", "cache");

	/** Connection settings that lived under a capability before {@code switchboard.redis} was shared. */
	private static final List<String> MOVED = List.of("address", "cluster-nodes", "sentinel-master", "sentinel-nodes",
			"username", "password", "database", "config", "connect-timeout");

	@Bean
	@ConditionalOnMissingBean
	SwitchboardRedis switchboardRedis(SwitchboardRedisProperties properties, ObjectProvider<RedissonClient> clients,
			Environment environment) {
		List<String> problems = problems(properties, environment);
		if (!problems.isEmpty()) {
			throw new CatalogException(problems);
		}
		if (properties.configured()) {
			Duration commandTimeout = commandTimeout(properties, environment);
			return new SwitchboardRedis(() -> Redisson.create(redissonConfig(properties, commandTimeout)), true);
		}
		return new SwitchboardRedis(() -> {
			RedissonClient client = clients.getIfUnique();
			if (client == null) {
				throw new CatalogException(List.of("switchboard.redis.address: required when " + users(environment)
						+ ", e.g. redis://localhost:6379 (or set switchboard.redis.cluster-nodes, sentinel-nodes or "
						+ "config, or define a single RedissonClient bean)"));
			}
			warnIfRetrying(client);
			return client;
		}, false);
	}

	/**
	 * Redisson's command timeout: {@code switchboard.redis.timeout}, or the longest
	 * {@code switchboard.<capability>.redis.timeout} set for a capability on Redis when that is
	 * longer, so that a capability's own timeout is never cut short by the shared client's. (An
	 * unset capability timeout keeps its default, shorter than this one's.)
	 */
	static Duration commandTimeout(SwitchboardRedisProperties properties, Environment environment) {
		Binder binder = Binder.get(environment);
		Duration longest = properties.timeout();
		for (String capability : CAPABILITIES) {
			if (onRedis(environment, capability)) {
				Duration wait = binder.bind("switchboard." + capability + ".redis.timeout", Duration.class).orElse(Duration.ZERO);
				if (wait.compareTo(longest) > 0) {
					longest = wait;
				}
			}
		}
		if (responseStoreOnRedis(environment)) {
			Duration wait = binder.bind("switchboard.responses.store.redis.timeout", Duration.class).orElse(Duration.ZERO);
			if (wait.compareTo(longest) > 0) {
				longest = wait;
			}
		}
		return longest;
	}

	static List<String> problems(SwitchboardRedisProperties properties, Environment environment) {
		List<String> problems = new ArrayList<>();
		for (String capability : CAPABILITIES) {
			for (String key : MOVED) {
				String old = "switchboard." + capability + ".redis." + key;
				if (environment.containsProperty(old) || environment.containsProperty(old + "[0]")) {
					problems.add(old + ": the Redis connection is shared now; set switchboard.redis." + key
							+ " instead (switchboard." + capability + ".redis keeps timeout and key-prefix)");
				}
			}
		}
		if (!properties.sentinelNodes().isEmpty()
				&& (properties.sentinelMaster() == null || properties.sentinelMaster().isBlank())) {
			problems.add("switchboard.redis.sentinel-master: required with switchboard.redis.sentinel-nodes");
		}
		if (properties.timeout().isNegative() || properties.timeout().isZero()) {
			problems.add("switchboard.redis.timeout: must be positive, was " + properties.timeout());
		}
		return problems;
	}

	/** Which properties put a capability on Redis, for the message when no connection is given. */
	private static String users(Environment environment) {
		List<String> users = new ArrayList<>();
		for (String capability : CAPABILITIES) {
			if (onRedis(environment, capability)) {
				users.add("switchboard." + capability + ".backend is redis");
			}
		}
		if ("redis".equalsIgnoreCase(environment.getProperty("switchboard.observability.costs.backend"))) {
			users.add("switchboard.observability.costs.backend is redis");
		}
		if (responseStoreOnRedis(environment) && !onRedis(environment, "quota")) {
			users.add("switchboard.responses.store.backend is redis");
		}
		return String.join(" and ", users);
	}

	/**
	 * Whether a capability with a backend ({@code quota}, {@code cache}) is enabled and on Redis:
	 * the one reading of {@code switchboard.<capability>.enabled} and {@code .backend} that every
	 * Redis condition shares.
	 */
	public static boolean onRedis(Environment environment, String capability) {
		return environment.getProperty("switchboard." + capability + ".enabled", Boolean.class, true)
				&& "redis".equalsIgnoreCase(environment.getProperty("switchboard." + capability + ".backend"));
	}

	/**
	 * Whether stored responses are on Redis: kept ({@code switchboard.responses.store.enabled}), and
	 * {@code switchboard.responses.store.backend} is redis, or unset while quotas are on Redis.
	 */
	public static boolean responseStoreOnRedis(Environment environment) {
		if (!environment.getProperty("switchboard.responses.store.enabled", Boolean.class, false)) {
			return false;
		}
		String backend = environment.getProperty("switchboard.responses.store.backend");
		return (backend == null || backend.isBlank()) ? onRedis(environment, "quota") : "redis".equalsIgnoreCase(backend);
	}

	/** The server settings of a single, cluster or sentinel setup, or {@code null} for another kind. */
	private static BaseConfig<?> servers(Config config) {
		return config.isClusterConfig() ? config.useClusterServers()
				: config.isSentinelConfig() ? config.useSentinelServers()
						: config.isSingleConfig() ? config.useSingleServer() : null;
	}

	/** An application's client may retry: a quota reservation resent after a lost reply is charged twice. */
	private static void warnIfRetrying(RedissonClient client) {
		BaseConfig<?> servers = servers(client.getConfig());
		int retries = (servers != null) ? servers.getRetryAttempts() : 0;
		if (retries > 0) {
			log.warn("The RedissonClient shared with Switchboard retries commands ({} attempts): a quota reservation "
					+ "resent after a lost reply is charged twice. Set retryAttempts to 0, or give switchboard.redis "
					+ "its own connection.", retries);
		}
	}

	/**
	 * Redisson for Switchboard: commands bounded by the timeout, no Redisson retries (a quota
	 * reservation script resent after a lost reply would apply twice; each capability's failure
	 * handling decides instead), and quick reconnection so capabilities come back soon after Redis.
	 */
	static Config redissonConfig(SwitchboardRedisProperties redis, Duration commandTimeout) {
		Config config;
		if (redis.config() != null) {
			try {
				config = Config.fromYAML(redis.config().toFile());
			}
			catch (IOException ex) {
				throw new CatalogException(List.of("switchboard.redis.config: cannot read '" + redis.config() + "': "
						+ ex.getMessage()));
			}
			// Whatever the file says: a resent reservation would be charged twice.
			BaseConfig<?> servers = servers(config);
			if (servers == null) {
				throw new CatalogException(List.of("switchboard.redis.config: '" + redis.config()
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
		int timeout = (int) Math.max(1, commandTimeout.toMillis());
		base.setTimeout(timeout)
			.setConnectTimeout((int) redis.connectTimeout().toMillis())
			.setRetryAttempts(0)
			.setReconnectionDelay(new ConstantDelay(Duration.ofMillis(Math.min(500, Math.max(100, timeout)))))
			.setPingConnectionInterval(1000)
			.setUsername(redis.username())
			.setPassword(redis.password());
		return config;
	}

	/** At least one enabled capability on Redis. */
	static class OnRedisBackend extends SpringBootCondition {

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			String users = users(context.getEnvironment());
			return users.isEmpty() ? ConditionOutcome.noMatch("no Switchboard capability is on Redis")
					: ConditionOutcome.match(users);
		}

	}

}
