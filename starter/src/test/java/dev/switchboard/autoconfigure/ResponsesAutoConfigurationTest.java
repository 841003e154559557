package dev.switchboard.autoconfigure;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;

import dev.switchboard.autoconfigure.live.LiveConfigAutoConfiguration;
import dev.switchboard.autoconfigure.quota.QuotaAutoConfiguration;
import dev.switchboard.autoconfigure.redis.SwitchboardRedisAutoConfiguration;
import dev.switchboard.autoconfigure.responses.ResponsesAutoConfiguration;
import dev.switchboard.endpoint.responses.store.InMemoryResponseStore;
import dev.switchboard.endpoint.responses.store.RedisResponseStore;
import dev.switchboard.endpoint.responses.store.ResponseStore;
import dev.switchboard.quota.backend.RedisQuotaBackend;
import dev.switchboard.testing.RedisTestServer;

import static org.assertj.core.api.Assertions.assertThat;

/** Which response store a gateway gets, from which settings, and the start-up messages of bad ones. */
class ResponsesAutoConfigurationTest {

	private final ReactiveWebApplicationContextRunner runner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SwitchboardAutoConfiguration.class, LiveConfigAutoConfiguration.class,
				SwitchboardRedisAutoConfiguration.class, QuotaAutoConfiguration.class, ResponsesAutoConfiguration.class))
		.withPropertyValues("switchboard.providers.sim.type=mock", "switchboard.models[0].id=echo",
				"switchboard.models[0].provider=sim");

	@Test
	void statelessUnlessStoringIsTurnedOn() {
		this.runner.run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(ResponseStore.class));
	}

	@Test
	void inMemoryWhenTurnedOn() {
		this.runner.withPropertyValues("switchboard.responses.store.enabled=true", "switchboard.responses.store.max-size=1KB")
			.run(context -> {
				InMemoryResponseStore store = context.getBean(InMemoryResponseStore.class);
				store.write("t", "resp_1", new byte[1025]).block();
				assertThat(store.size()).as("bounded by max-size").isZero();
			});
	}

	@Test
	void onTheQuotasRedisWhenTheyAreOnRedis() throws Exception {
		try (RedisTestServer redis = RedisTestServer.startOnFreePort()) {
			this.runner
				.withPropertyValues("switchboard.responses.store.enabled=true", "switchboard.quota.backend=redis",
						"switchboard.redis.address=" + redis.address())
				.run(context -> {
					RedisResponseStore store = context.getBean(RedisResponseStore.class);
					assertThat(context).doesNotHaveBean(InMemoryResponseStore.class);
					store.write("t", "resp_1", "{}".getBytes()).block();
					assertThat(context.getBean(RedisQuotaBackend.class).client().getKeys().countExists("sb:responses:{t}:resp_1"))
						.isEqualTo(1);
				});
		}
	}

	@Test
	void onRedisWhenAskedEvenWithQuotasInMemory() throws Exception {
		try (RedisTestServer redis = RedisTestServer.startOnFreePort()) {
			this.runner
				.withPropertyValues("switchboard.responses.store.enabled=true", "switchboard.responses.store.backend=redis",
						"switchboard.redis.address=" + redis.address())
				.run(context -> assertThat(context).hasSingleBean(RedisResponseStore.class));
			this.runner
				.withPropertyValues("switchboard.responses.store.enabled=true", "switchboard.responses.store.backend=memory",
						"switchboard.quota.backend=redis", "switchboard.redis.address=" + redis.address())
				.run(context -> assertThat(context).hasSingleBean(InMemoryResponseStore.class));
		}
	}

	@Test
	void redisNeedsAnAddressAndRedisson() {
		this.runner.withPropertyValues("switchboard.responses.store.enabled=true", "switchboard.responses.store.backend=redis")
			.run(context -> assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining(
						"switchboard.redis.address: required when switchboard.responses.store.backend is redis"));
		this.runner.withClassLoader(new FilteredClassLoader("org.redisson"))
			.withPropertyValues("switchboard.responses.store.enabled=true", "switchboard.responses.store.backend=redis")
			.run(context -> assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("switchboard.responses.store.backend: redis needs org.redisson:redisson"));
	}

	@Test
	void badValuesFailStartUpNamingEachProperty() {
		this.runner
			.withPropertyValues("switchboard.responses.store.enabled=true", "switchboard.responses.store.ttl=0s",
					"switchboard.responses.store.max-size=0B", "switchboard.responses.store.redis.key-prefix= ")
			.run(context -> assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("switchboard.responses.store.ttl: must be positive, was PT0S")
				.hasMessageContaining("switchboard.responses.store.max-size: must be positive, was 0B")
				.hasMessageContaining("switchboard.responses.store.redis.key-prefix: must not be blank"));
	}

	@Test
	void theRedisCommandTimeoutCoversTheStoresOwn() throws Exception {
		try (RedisTestServer redis = RedisTestServer.startOnFreePort()) {
			this.runner
				.withPropertyValues("switchboard.responses.store.enabled=true", "switchboard.responses.store.backend=redis",
						"switchboard.redis.address=" + redis.address(), "switchboard.responses.store.redis.timeout=3s")
				.run(context -> assertThat(context.getBean(dev.switchboard.autoconfigure.redis.SwitchboardRedis.class)
					.client()
					.getConfig()
					.useSingleServer()
					.getTimeout()).isEqualTo((int) Duration.ofSeconds(3).toMillis()));
		}
	}

}
