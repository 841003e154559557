package dev.switchboard.autoconfigure;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;

import dev.switchboard.autoconfigure.cache.CacheAutoConfiguration;
import dev.switchboard.autoconfigure.live.LiveConfigAutoConfiguration;
import dev.switchboard.autoconfigure.quota.QuotaAutoConfiguration;
import dev.switchboard.autoconfigure.redis.SwitchboardRedisAutoConfiguration;
import dev.switchboard.cache.CacheService;
import dev.switchboard.cache.filter.LlmCacheGatewayFilterFactory;
import dev.switchboard.cache.semantic.RedisVectorStore;
import dev.switchboard.cache.semantic.VectorStore;
import dev.switchboard.cache.store.InMemoryCacheStore;
import dev.switchboard.cache.store.RedisCacheStore;
import dev.switchboard.catalog.CatalogException;
import dev.switchboard.quota.backend.RedisQuotaBackend;
import dev.switchboard.testing.RedisTestServer;

import static org.assertj.core.api.Assertions.assertThat;

class CacheAutoConfigurationTest {

	private final ReactiveWebApplicationContextRunner runner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SwitchboardAutoConfiguration.class, LiveConfigAutoConfiguration.class,
				SwitchboardRedisAutoConfiguration.class, CacheAutoConfiguration.class))
		.withPropertyValues("switchboard.providers.sim.type=mock", "switchboard.models[0].id=echo",
				"switchboard.models[0].provider=sim");

	@Test
	void anInMemoryCacheByDefault() {
		this.runner.run(context -> {
			assertThat(context).hasSingleBean(LlmCacheGatewayFilterFactory.class).hasSingleBean(InMemoryCacheStore.class);
			CacheService service = context.getBean(CacheService.class);
			assertThat(service.policy().ttl()).isEqualTo(Duration.ofHours(1));
			assertThat(service.policy().maxTemperature()).isEqualTo(0.5);
			assertThat(service.policy().cacheToolCalls()).isFalse();
		});
	}

	@Test
	void canBeSwitchedOff() {
		this.runner.withPropertyValues("switchboard.cache.enabled=false")
			.run(context -> assertThat(context).doesNotHaveBean(LlmCacheGatewayFilterFactory.class));
	}

	@Test
	void theRedisStoreWhenAsked() throws Exception {
		try (RedisTestServer redis = RedisTestServer.startOnFreePort()) {
			this.runner
				.withPropertyValues("switchboard.cache.backend=redis", "switchboard.redis.address=" + redis.address(),
						"switchboard.cache.redis.timeout=200ms")
				.run(context -> {
					assertThat(context).hasSingleBean(RedisCacheStore.class).doesNotHaveBean(InMemoryCacheStore.class);
					CacheService service = context.getBean(CacheService.class);
					var request = tools.jackson.databind.json.JsonMapper.builder().build().readTree(
							"{\"model\":\"echo\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
					var key = service.lookup("a", request, null).block().key();
					service.offer(key, request, ("{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
							+ "\"content\":\"hello\"},\"finish_reason\":\"stop\"}]}").getBytes(), null).block();
					assertThat(service.lookup("a", request, null).block().outcome().header()).isEqualTo("hit");
				});
		}
	}

	@Test
	void quotasTheCacheAndTheSemanticTierShareOneConnection() throws Exception {
		try (RedisTestServer redis = RedisTestServer.startOnFreePort()) {
			this.runner.withConfiguration(AutoConfigurations.of(QuotaAutoConfiguration.class))
				.withPropertyValues("switchboard.quota.backend=redis", "switchboard.redis.address=" + redis.address(),
						"switchboard.cache.backend=redis", "switchboard.cache.semantic.enabled=true")
				.run(context -> {
					assertThat(context).hasNotFailed();
					RedisQuotaBackend quota = context.getBean(RedisQuotaBackend.class);
					assertThat(context.getBean(RedisCacheStore.class).client()).isSameAs(quota.client());
					assertThat(context.getBean(VectorStore.class)).isInstanceOf(RedisVectorStore.class);
				});
		}
	}

	@Test
	void semanticSettingsAreCheckedAtStartUp() {
		this.runner
			.withPropertyValues("switchboard.cache.semantic.enabled=true", "switchboard.cache.semantic.threshold=1.5",
					"switchboard.cache.quota-fraction=-1")
			.run(context -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("switchboard.cache.semantic.threshold: must be above 0 and at most 1, was 1.5")
				.hasMessageContaining("switchboard.cache.quota-fraction: must be between 0 and 1, was -1.0"));
	}

	@Test
	void anEmbeddingModelMustBeAnEmbeddingsModelOfTheCatalog() {
		this.runner
			.withPropertyValues("switchboard.cache.semantic.enabled=true", "switchboard.cache.semantic.embedding-model=echo")
			.run(context -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("switchboard.cache.semantic.embedding-model:")
				.hasMessageContaining("Name an embeddings model of switchboard.models"));
	}

	@Test
	void theRedisStoreNeedsAnAddressOrAClient() {
		this.runner.withPropertyValues("switchboard.cache.backend=redis").run(context -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(CatalogException.class)
				.hasMessageContaining("switchboard.redis.address: required when switchboard.cache.backend is redis");
		});
	}

	@Test
	void anApplicationsOwnStoreNeedsNoSwitchboardConnection() {
		this.runner.withPropertyValues("switchboard.cache.backend=redis")
			.withBean(dev.switchboard.cache.CacheStore.class, () -> new InMemoryCacheStore(10))
			.run(context -> {
				assertThat(context).hasNotFailed().doesNotHaveBean(RedisCacheStore.class);
				assertThat(context.getBean(dev.switchboard.autoconfigure.redis.SwitchboardRedis.class).owned()).isFalse();
			});
	}

	@Test
	void theRedisStoreNeedsRedisson() {
		this.runner.withClassLoader(new FilteredClassLoader("org.redisson"))
			.withPropertyValues("switchboard.cache.backend=redis")
			.run(context -> assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("switchboard.cache.backend: redis needs org.redisson:redisson"));
	}

	@Test
	void badValuesFailStartUpNamingEachProperty() {
		this.runner
			.withPropertyValues("switchboard.cache.ttl=0s", "switchboard.cache.max-entries=0",
					"switchboard.cache.max-temperature=3", "switchboard.cache.stale-if-error=-1m")
			.run(context -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.isInstanceOf(CatalogException.class)
					.hasMessageContaining("switchboard.cache.ttl: must be positive")
					.hasMessageContaining("switchboard.cache.max-entries: must be at least 1")
					.hasMessageContaining("switchboard.cache.max-temperature: must be between 0 and 2")
					.hasMessageContaining("switchboard.cache.stale-if-error: must be 0 (off) or positive, was PT-1M");
			});
	}

}
