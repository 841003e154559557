package dev.switchboard.autoconfigure.redis;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/** The shared client never cuts a capability's own wait short. */
class SwitchboardRedisCommandTimeoutTest {

	private static SwitchboardRedisProperties properties(Duration timeout) {
		return new SwitchboardRedisProperties("redis://127.0.0.1:6379", List.of(), null, List.of(), null, null, 0, null,
				timeout, Duration.ofSeconds(1));
	}

	@Test
	void raisedToTheLongestWaitOfACapabilityOnRedis() {
		MockEnvironment environment = new MockEnvironment().withProperty("switchboard.quota.backend", "redis")
			.withProperty("switchboard.quota.redis.timeout", "2s")
			.withProperty("switchboard.cache.backend", "redis")
			.withProperty("switchboard.cache.redis.timeout", "750ms");
		assertThat(SwitchboardRedisAutoConfiguration.commandTimeout(properties(Duration.ofMillis(500)), environment))
			.isEqualTo(Duration.ofSeconds(2));
	}

	@Test
	void aCapabilityNotOnRedisDoesNotCount() {
		MockEnvironment environment = new MockEnvironment().withProperty("switchboard.quota.backend", "memory")
			.withProperty("switchboard.quota.redis.timeout", "5s");
		assertThat(SwitchboardRedisAutoConfiguration.commandTimeout(properties(Duration.ofMillis(500)), environment))
			.isEqualTo(Duration.ofMillis(500));
	}

}
