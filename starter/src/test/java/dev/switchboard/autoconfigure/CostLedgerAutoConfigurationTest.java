package dev.switchboard.autoconfigure;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;

import dev.switchboard.autoconfigure.live.LiveConfigAutoConfiguration;
import dev.switchboard.autoconfigure.observe.ObservabilityAutoConfiguration;
import dev.switchboard.autoconfigure.quota.QuotaAutoConfiguration;
import dev.switchboard.autoconfigure.redis.SwitchboardRedisAutoConfiguration;
import dev.switchboard.observe.cost.CostLedger;
import dev.switchboard.observe.cost.InMemoryCostLedger;
import dev.switchboard.observe.cost.RedisCostLedger;
import dev.switchboard.quota.backend.RedisQuotaBackend;
import dev.switchboard.testing.RedisServerExtension;
import dev.switchboard.testing.RedisTestServer;

import static org.assertj.core.api.Assertions.assertThat;

/** Which cost ledger the auto-configuration picks: per instance by default, on Redis with quotas there. */
@ExtendWith(RedisServerExtension.class)
class CostLedgerAutoConfigurationTest {

	private static final String HASH = "554a0d05033791f46fede07b724fa246c95235f60a9fb74caad37d1408b4df58";

	private final ReactiveWebApplicationContextRunner runner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SwitchboardAutoConfiguration.class, LiveConfigAutoConfiguration.class,
				ObservabilityAutoConfiguration.class, SwitchboardRedisAutoConfiguration.class, QuotaAutoConfiguration.class))
		.withPropertyValues("switchboard.providers.sim.type=mock", "switchboard.models[0].id=echo",
				"switchboard.models[0].provider=sim", "switchboard.teams.a.key-hashes[0]=" + HASH);

	@Test
	void perInstanceByDefault() {
		this.runner.run(context -> assertThat(context.getBean(CostLedger.class)).isInstanceOf(InMemoryCostLedger.class));
	}

	@Test
	void onRedisWhenQuotasAreOnRedisSharingTheQuotaBackendsClient(RedisTestServer redis) {
		this.runner.withPropertyValues("switchboard.quota.backend=redis", "switchboard.redis.address=" + redis.address())
			.run(context -> {
				assertThat(context).hasSingleBean(RedisQuotaBackend.class).doesNotHaveBean(RedissonClient.class);
				assertThat(context.getBean(CostLedger.class)).isInstanceOf(RedisCostLedger.class);
			});
	}

	@Test
	void memoryKeepsItPerInstanceEvenWithQuotasOnRedis(RedisTestServer redis) {
		this.runner
			.withPropertyValues("switchboard.quota.backend=redis", "switchboard.redis.address=" + redis.address(),
					"switchboard.observability.costs.backend=memory")
			.run(context -> assertThat(context.getBean(CostLedger.class)).isInstanceOf(InMemoryCostLedger.class));
	}

	@Test
	void redisUsesTheApplicationsRedissonClient(RedisTestServer redis) {
		Config config = new Config();
		config.useSingleServer().setAddress(redis.address());
		this.runner.withPropertyValues("switchboard.observability.costs.backend=redis")
			.withBean(RedissonClient.class, () -> Redisson.create(config))
			.run(context -> assertThat(context.getBean(CostLedger.class)).isInstanceOf(RedisCostLedger.class));
	}

	@Test
	void redisWithoutAnyClientFailsStartUpSayingWhatToSet() {
		this.runner.withPropertyValues("switchboard.observability.costs.backend=redis").run(context -> {
			assertThat(context).hasFailed();
			Throwable cause = context.getStartupFailure();
			while (cause.getCause() != null) {
				cause = cause.getCause();
			}
			assertThat(cause.getMessage())
				.contains("switchboard.redis.address: required when switchboard.observability.costs.backend is redis")
				.contains("RedissonClient");
		});
	}

}
