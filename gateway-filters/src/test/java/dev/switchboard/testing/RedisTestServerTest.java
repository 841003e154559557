package dev.switchboard.testing;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The harness later quota and cache tests rely on: a real server, an outage, and a recovery. */
@ExtendWith(RedisServerExtension.class)
class RedisTestServerTest {

	@Test
	void servesRealRedisCommandsAndSurvivesARestart(RedisTestServer redis) throws Exception {
		Config config = new Config();
		config.useSingleServer()
			.setAddress(redis.address())
			.setConnectTimeout(500)
			.setTimeout(500)
			.setRetryAttempts(1)
			.setRetryDelay(new org.redisson.config.ConstantDelay(Duration.ofMillis(100)));
		RedissonClient client = Redisson.create(config);
		try {
			client.getAtomicLong("sb:test").addAndGetAsync(5).get(5, TimeUnit.SECONDS);
			assertThat(client.getAtomicLong("sb:test").getAsync().get(5, TimeUnit.SECONDS)).isEqualTo(5);

			redis.stop();
			assertThatThrownBy(() -> client.getAtomicLong("sb:test").getAsync().get(5, TimeUnit.SECONDS))
				.as("a stopped server is really gone")
				.isNotNull();

			redis.start();
			Long value = Awaitility.await()
				.atMost(Duration.ofSeconds(10))
				.pollInterval(Duration.ofMillis(100))
				.ignoreExceptions()
				.until(() -> client.getAtomicLong("sb:test").getAsync().get(2, TimeUnit.SECONDS), Objects::nonNull);
			assertThat(value).as("a restarted server starts empty (no persistence)").isEqualTo(0L);
		}
		finally {
			client.shutdown();
		}
	}

}
