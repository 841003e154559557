package dev.switchboard.autoconfigure;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;

import dev.switchboard.autoconfigure.live.LiveConfigAutoConfiguration;
import dev.switchboard.autoconfigure.quota.QuotaAutoConfiguration;
import dev.switchboard.autoconfigure.redis.SwitchboardRedisAutoConfiguration;
import dev.switchboard.catalog.CatalogException;
import dev.switchboard.quota.QueuePolicy;
import dev.switchboard.quota.QuotaLimit;
import dev.switchboard.quota.QuotaPolicy;
import dev.switchboard.quota.admission.BurstQueue;
import dev.switchboard.quota.admission.TokenQuotaService;
import dev.switchboard.quota.backend.InMemoryQuotaBackend;
import dev.switchboard.quota.filter.LlmQuotaGatewayFilterFactory;

import static org.assertj.core.api.Assertions.assertThat;

class QuotaAutoConfigurationTest {

	private static final String HASH = "554a0d05033791f46fede07b724fa246c95235f60a9fb74caad37d1408b4df58";

	private final ReactiveWebApplicationContextRunner runner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SwitchboardAutoConfiguration.class, LiveConfigAutoConfiguration.class,
				SwitchboardRedisAutoConfiguration.class, QuotaAutoConfiguration.class))
		.withPropertyValues("switchboard.providers.sim.type=mock", "switchboard.models[0].id=echo",
				"switchboard.models[0].provider=sim", "switchboard.models[0].aliases=fast",
				"switchboard.models[0].input-price=0.15", "switchboard.models[0].output-price=0.60",
				"switchboard.models[1].id=tiny", "switchboard.models[1].provider=sim",
				"switchboard.teams.a.key-hashes[0]=" + HASH);

	@Test
	void theInMemoryBackendIsTheDefaultAndLimitsMergeOverDefaults() {
		this.runner
			.withPropertyValues("switchboard.quota.defaults.tokens-per-minute=1000",
					"switchboard.quota.defaults.spend-per-day=5", "switchboard.quota.teams.a.tokens-per-minute=50",
					"switchboard.quota.teams.a.dry-run=tokens-per-minute", "switchboard.quota.teams.a.models.fast.requests-per-minute=3")
			.run(context -> {
				assertThat(context).hasSingleBean(LlmQuotaGatewayFilterFactory.class)
					.hasSingleBean(InMemoryQuotaBackend.class);
				QuotaPolicy policy = context.getBean(TokenQuotaService.class).policy();
				assertThat(policy.team("a").amounts()).containsEntry(QuotaLimit.TOKENS_PER_MINUTE, 50L)
					.containsEntry(QuotaLimit.SPEND_PER_DAY, 5_000_000_000L);
				assertThat(policy.team("a").dryRun()).containsExactly(QuotaLimit.TOKENS_PER_MINUTE);
				assertThat(policy.model("a", "echo").amounts()).containsEntry(QuotaLimit.REQUESTS_PER_MINUTE, 3L);
			});
	}

	@Test
	void aTeamsQueueMergesOverTheDefaultsQueueAndIsOffUnlessSet() {
		this.runner
			.withPropertyValues("switchboard.teams.b.key-hashes[0]=" + HASH.replace('5', '6'),
					"switchboard.quota.defaults.queue.max-wait=2s", "switchboard.quota.teams.a.queue.max-length=7",
					"switchboard.quota.teams.a.queue.priority=high", "switchboard.quota.teams.a.queue.priority-header=true")
			.run(context -> {
				QueuePolicy queues = context.getBean(QueuePolicy.class);
				assertThat(queues.team("a")).isEqualTo(
						new QueuePolicy.Queue(Duration.ofSeconds(2), 7, QueuePolicy.Priority.HIGH, true));
				assertThat(queues.team("b")).isEqualTo(new QueuePolicy.Queue(Duration.ofSeconds(2), 100,
						QueuePolicy.Priority.NORMAL, false));
				assertThat(context).hasSingleBean(BurstQueue.class);
			});
		this.runner.run(context -> assertThat(context.getBean(QueuePolicy.class).enabled()).isFalse());
	}

	@Test
	void badQueueSettingsFailStartUpNamingEachPropertyToFix() {
		this.runner
			.withPropertyValues("switchboard.quota.defaults.queue.max-wait=-1s",
					"switchboard.quota.teams.a.queue.max-wait=2s", "switchboard.quota.teams.a.queue.max-length=0",
					"switchboard.quota.teams.a.models.fast.queue.max-wait=1s",
					"switchboard.quota.client-layer.source=key", "switchboard.quota.client-layer.limits.queue.max-wait=1s")
			.run(context -> {
				assertThat(context).hasFailed();
				assertThat(rootCause(context.getStartupFailure()).problems()).containsExactlyInAnyOrder(
						"switchboard.quota.defaults.queue.max-wait: must not be negative, got PT-1S; 0 turns the queue off",
						"switchboard.quota.teams.a.queue.max-length: 0 lets nobody wait, but max-wait is PT2S; set "
								+ "max-length to at least 1, or max-wait to 0 to turn the queue off",
						"switchboard.quota.teams.a.models.fast.queue: the queue is set per team (teams.a.queue), not per model",
						"switchboard.quota.client-layer.limits.queue: the queue is set per team; a client waits in its "
								+ "team's queue, in a lane of its own");
			});
	}

	@Test
	void canBeSwitchedOff() {
		this.runner.withPropertyValues("switchboard.quota.enabled=false")
			.run(context -> assertThat(context).doesNotHaveBean(LlmQuotaGatewayFilterFactory.class));
	}

	@Test
	void badLimitsFailStartUpNamingEachPropertyToFix() {
		this.runner
			.withPropertyValues("switchboard.quota.defaults.tokens-per-minute=-5",
					"switchboard.quota.teams.nobody.requests-per-minute=10",
					"switchboard.quota.teams.a.models.gpt-9.tokens-per-day=100",
					"switchboard.quota.teams.a.spend-per-day=0", "switchboard.quota.teams.a.tokens-per-day=10",
					"switchboard.quota.teams.a.soft=tokens-per-day", "switchboard.quota.teams.a.dry-run=tokens-per-hour")
			.run(context -> {
				assertThat(context).hasFailed();
				CatalogException problem = rootCause(context.getStartupFailure());
				assertThat(problem.problems()).containsExactlyInAnyOrder(
						"switchboard.quota.defaults.tokens-per-minute: must be at least 1, got -5",
						"switchboard.quota.teams.a.spend-per-day: must be a positive amount of USD, got 0",
						"switchboard.quota.teams.a.dry-run: 'tokens-per-hour' is not a limit; use one of "
								+ "requests-per-minute, tokens-per-minute, tokens-per-day, tokens-per-month, "
								+ "spend-per-day, spend-per-month",
						"switchboard.quota.teams.a.downgrade-to: required with soft limits: the cheaper model id or "
								+ "alias to serve",
						"switchboard.quota.teams.a.models.gpt-9: 'gpt-9' is not a model id, alias or provider/model id "
								+ "of switchboard.models",
						"switchboard.quota.teams.nobody: 'nobody' is not a team of switchboard.teams [a]");
			});
	}

	@Test
	void limitsTooLargeToCountFailStartUpInsteadOfEveryRequest() {
		this.runner
			.withPropertyValues("switchboard.quota.teams.a.spend-per-day=1000000000",
					"switchboard.quota.teams.a.spend-per-month=99999999999999999999",
					"switchboard.quota.teams.a.tokens-per-minute=100000000000")
			.run(context -> assertThat(rootCause(context.getStartupFailure()).problems()).containsExactlyInAnyOrder(
					"switchboard.quota.teams.a.spend-per-day: must be at most 86400 USD, got 1000000000; "
							+ "for no limit, leave it out",
					"switchboard.quota.teams.a.spend-per-month: must be at most 2764800 USD, got 99999999999999999999; "
							+ "for no limit, leave it out",
					"switchboard.quota.teams.a.tokens-per-minute: must be at most 60000000000, got 100000000000; "
							+ "for no limit, leave it out"));
	}

	@Test
	void onRedisFailingClosedNoBucket4jBucketBoundsTheLimits() throws Exception {
		try (dev.switchboard.testing.RedisTestServer redis = dev.switchboard.testing.RedisTestServer.startOnFreePort()) {
			this.runner
				.withPropertyValues("switchboard.quota.backend=redis", "switchboard.quota.failure-mode=closed",
						"switchboard.redis.address=" + redis.address(), "switchboard.quota.teams.a.spend-per-day=1000000")
				.run(context -> assertThat(context.getBean(TokenQuotaService.class).policy().team("a").amounts())
					.containsEntry(QuotaLimit.SPEND_PER_DAY, 1_000_000_000_000_000L));
		}
	}

	@Test
	void theLargestLimitsAreServed() {
		this.runner
			.withPropertyValues("switchboard.quota.teams.a.spend-per-day=86400",
					"switchboard.quota.teams.a.spend-per-month=2764800",
					"switchboard.quota.teams.a.tokens-per-minute=60000000000")
			.run(context -> {
				assertThat(context).hasNotFailed();
				TokenQuotaService service = context.getBean(TokenQuotaService.class);
				assertThat(service.snapshot("a").block(java.time.Duration.ofSeconds(5)).limits()).hasSize(3);
			});
	}

	@Test
	void redisWithoutSettingsFailsStartUpSayingWhatToSet() {
		this.runner.withPropertyValues("switchboard.quota.backend=redis").run(context -> {
			assertThat(context).hasFailed();
			assertThat(rootCause(context.getStartupFailure()).problems()).containsExactly(
					"switchboard.redis.address: required when switchboard.quota.backend is redis, e.g. "
							+ "redis://localhost:6379 (or set switchboard.redis.cluster-nodes, sentinel-nodes or config, "
							+ "or define a single RedissonClient bean)");
		});
	}

	@Test
	void aConnectionSetUnderTheQuotaFailsStartUpNamingWhereItMoved() {
		this.runner
			.withPropertyValues("switchboard.quota.backend=redis", "switchboard.quota.redis.address=redis://127.0.0.1:1",
					"switchboard.redis.sentinel-nodes[0]=redis://127.0.0.1:2")
			.run(context -> assertThat(rootCause(context.getStartupFailure()).problems()).containsExactly(
					"switchboard.quota.redis.address: the Redis connection is shared now; set switchboard.redis.address "
							+ "instead (switchboard.quota.redis keeps timeout and key-prefix)",
					"switchboard.redis.sentinel-master: required with switchboard.redis.sentinel-nodes"));
	}

	@Test
	void redisWithoutRedissonOnTheClasspathSaysWhichDependenciesToAdd() {
		this.runner.withClassLoader(new FilteredClassLoader("org.redisson"))
			.withPropertyValues("switchboard.quota.backend=redis", "switchboard.redis.address=redis://127.0.0.1:1")
			.run(context -> {
				assertThat(context).hasFailed();
				assertThat(rootCause(context.getStartupFailure()).getMessage()).contains("org.redisson:redisson");
			});
	}

	private static CatalogException rootCause(Throwable failure) {
		for (Throwable t = failure; t != null; t = t.getCause()) {
			if (t instanceof CatalogException catalog) {
				return catalog;
			}
		}
		throw new AssertionError("no CatalogException in " + failure);
	}

}
