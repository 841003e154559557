package dev.switchboard.autoconfigure.responses;

import java.util.List;

import org.redisson.api.RedissonClient;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;

import dev.switchboard.autoconfigure.redis.SwitchboardRedis;
import dev.switchboard.autoconfigure.redis.SwitchboardRedisAutoConfiguration;
import dev.switchboard.catalog.CatalogException;
import dev.switchboard.endpoint.responses.store.InMemoryResponseStore;
import dev.switchboard.endpoint.responses.store.RedisResponseStore;
import dev.switchboard.endpoint.responses.store.ResponseStore;

/**
 * Stored responses of the Responses door ({@code switchboard.responses.store.enabled}): a
 * {@link ResponseStore} in memory, or on the Redis connection every capability shares
 * ({@code switchboard.redis}) when {@code switchboard.responses.store.backend} is redis, or unset
 * with quotas on Redis, so a fleet that shares its quotas also shares its conversations. The
 * {@code LlmEndpoint} picks the store up; without one its Responses door is stateless. An
 * application's own {@link ResponseStore} bean replaces both.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "switchboard.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty("switchboard.responses.store.enabled")
@EnableConfigurationProperties(ResponsesProperties.class)
public class ResponsesAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(ResponseStore.class)
	@Conditional(OnMemory.class)
	InMemoryResponseStore switchboardInMemoryResponseStore(ResponsesProperties properties) {
		checked(properties);
		ResponsesProperties.Store store = properties.store();
		return new InMemoryResponseStore(store.maxSize().toBytes(), store.ttl());
	}

	private static void checked(ResponsesProperties properties) {
		List<String> problems = properties.problems();
		if (!problems.isEmpty()) {
			throw new CatalogException(problems);
		}
	}

	/** On the Redis connection every capability shares. */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(RedissonClient.class)
	@Conditional(OnRedis.class)
	static class RedisStoreConfiguration {

		@Bean
		@ConditionalOnMissingBean(ResponseStore.class)
		RedisResponseStore switchboardRedisResponseStore(ResponsesProperties properties, SwitchboardRedis redis) {
			checked(properties);
			ResponsesProperties.Store store = properties.store();
			return new RedisResponseStore(redis.client(), store.ttl(), store.redis().timeout(),
					store.redis().keyPrefix());
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnMissingClass("org.redisson.api.RedissonClient")
	@Conditional(OnRedis.class)
	static class RedisStoreMissingConfiguration {

		@Bean
		@ConditionalOnMissingBean(ResponseStore.class)
		ResponseStore switchboardRedisResponseStoreMissing() {
			throw new CatalogException(List.of("switchboard.responses.store.backend: redis needs org.redisson:redisson "
					+ "on the classpath; add it or set switchboard.responses.store.backend=memory"));
		}

	}

	/** The store's backend is Redis: the one reading of it, shared with the Redis connection's condition. */
	static class OnRedis extends SpringBootCondition {

		/** The backend this condition matches: Redis here, memory in {@link OnMemory}. */
		boolean redis() {
			return true;
		}

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			boolean onRedis = SwitchboardRedisAutoConfiguration.responseStoreOnRedis(context.getEnvironment());
			String where = onRedis ? "stored responses are on Redis" : "stored responses are in memory";
			return (onRedis == redis()) ? ConditionOutcome.match(where) : ConditionOutcome.noMatch(where);
		}

	}

	static class OnMemory extends OnRedis {

		@Override
		boolean redis() {
			return false;
		}

	}

}
