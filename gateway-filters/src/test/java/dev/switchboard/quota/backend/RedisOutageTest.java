package dev.switchboard.quota.backend;

import java.time.Duration;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.KeysScanOptions;

import dev.switchboard.core.LlmApiException;
import dev.switchboard.quota.FailureMode;
import dev.switchboard.quota.LimitSet;
import dev.switchboard.quota.QuotaLimit;
import dev.switchboard.quota.QuotaPolicy;
import dev.switchboard.quota.admission.QuotaMetrics;
import dev.switchboard.quota.admission.TokenQuotaService;
import dev.switchboard.testing.RedisServerExtension;
import dev.switchboard.testing.RedisTestServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Redis stopped and restarted under a running service: failure modes, bounded waits, recovery. */
@ExtendWith(RedisServerExtension.class)
class RedisOutageTest {

	private static final Duration TIMEOUT = Duration.ofMillis(300);

	private final InMemoryBackendProbe probe = new InMemoryBackendProbe();

	@Test
	void failOpenServesFromMemoryWithinTheTimeoutAndComesBackToRedis(RedisTestServer redis) throws Exception {
		RedissonClient client = RedisQuotaBackendTest.client(redis.address());
		try {
			TokenQuotaService service = service(client, FailureMode.OPEN);
			assertThat(reserveBackend(service)).isEqualTo("redis");

			redis.stop();
			for (int i = 0; i < 5; i++) {
				long start = System.nanoTime();
				assertThat(reserveBackend(service)).isEqualTo("memory");
				assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TIMEOUT.plusMillis(400));
			}
			assertThat(service.storeDown()).isTrue();
			assertThat(this.probe.failures).isPositive();

			redis.start();
			// Quotas back on Redis within 5 s.
			Awaitility.await()
				.atMost(Duration.ofSeconds(5))
				.pollInterval(Duration.ofMillis(100))
				.until(() -> reserveBackend(service), "redis"::equals);
			assertThat(service.storeDown()).isFalse();
		}
		finally {
			client.shutdown();
		}
	}

	@Test
	void failClosedAnswers503WithinTheTimeout(RedisTestServer redis) throws Exception {
		RedissonClient client = RedisQuotaBackendTest.client(redis.address());
		try {
			TokenQuotaService service = service(client, FailureMode.CLOSED);
			assertThat(reserveBackend(service)).isEqualTo("redis");
			redis.stop();
			long start = System.nanoTime();
			assertThatThrownBy(() -> reserveBackend(service)).isInstanceOfSatisfying(LlmApiException.class,
					error -> {
						assertThat(error.status()).isEqualTo(503);
						assertThat(error.code()).isEqualTo("quota_unavailable");
					});
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TIMEOUT.plusMillis(400));
			redis.start();
		}
		finally {
			client.shutdown();
		}
	}

	@Test
	void keysShareTheTeamHashTagAndExpire(RedisTestServer redis) {
		RedissonClient client = RedisQuotaBackendTest.client(redis.address());
		try {
			TokenQuotaService service = service(client, FailureMode.CLOSED);
			QuotaBackendContract contract = new InMemoryQuotaBackendTest();
			var exchange = contract.chat("fast", 10, false);
			var admission = service.reserve(exchange, null).block(Duration.ofSeconds(5));
			exchange.complete(dev.switchboard.core.LlmExchange.Completion.SUCCESS, null);
			admission.reservation().settlement().block(Duration.ofSeconds(5));
			Iterable<String> keys = client.getKeys().getKeys(KeysScanOptions.defaults().pattern("sb:quota:*"));
			assertThat(keys).isNotEmpty().allSatisfy(key -> {
				assertThat(key).startsWith("sb:quota:{" + contract.team + "}:");
				assertThat(client.getBucket(key).remainTimeToLive()).as("TTL of " + key).isPositive();
			});
			assertThat(keys).anyMatch(key -> key.matches("sb:quota:\\{.*}:team:tokens:\\d{4}-\\d{2}"))
				.anyMatch(key -> key.matches("sb:quota:\\{.*}:usage:\\d{4}-\\d{2}-\\d{2}"));
		}
		finally {
			client.shutdown();
		}
	}

	private TokenQuotaService service(RedissonClient client, FailureMode mode) {
		QuotaBackendContract contract = new InMemoryQuotaBackendTest();
		LimitSet limits = LimitSet.of(Map.of(QuotaLimit.TOKENS_PER_MINUTE, 1_000_000L, QuotaLimit.TOKENS_PER_MONTH,
				50_000_000L));
		return TokenQuotaService.builder(QuotaPolicy.uniform(limits), new RedisQuotaBackend(client, TIMEOUT, "sb:quota"),
				QuotaBackendContract.RESOLVER)
			.failureMode(mode)
			.timeout(TIMEOUT)
			.probeInterval(Duration.ofMillis(500))
			.metrics(this.probe)
			.build();
	}

	private static String reserveBackend(TokenQuotaService service) {
		QuotaBackendContract contract = new InMemoryQuotaBackendTest();
		return service.reserve(contract.chat("fast", 10, false), null)
			.block(Duration.ofSeconds(5))
			.headers()
			.backend();
	}

	static final class InMemoryBackendProbe implements QuotaMetrics {

		volatile int failures;

		@Override
		public void backendFailure(String backend, String operation) {
			this.failures++;
		}

	}

}
