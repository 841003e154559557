package dev.switchboard.endpoint.responses.store;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.ByteArrayCodec;
import reactor.test.StepVerifier;

import dev.switchboard.core.LlmApiException;
import dev.switchboard.testing.RedisServerExtension;
import dev.switchboard.testing.RedisTestServer;

import static org.assertj.core.api.Assertions.assertThat;

/** The fleet's response store against a real Redis: keys per team, Redis's expiry, and an outage. */
@ExtendWith(RedisServerExtension.class)
class RedisResponseStoreTest {

	private static final Duration TIMEOUT = Duration.ofMillis(300);

	@Test
	void keepsARecordPerTeamWithRedissExpiry(RedisTestServer redis) {
		RedissonClient client = RedisTestServer.client(redis.address(), TIMEOUT, Duration.ofMillis(250));
		try {
			RedisResponseStore store = new RedisResponseStore(client, Duration.ofMinutes(5), TIMEOUT,
					RedisResponseStore.DEFAULT_PREFIX);
			store.write("team-a", "resp_1", "{\"r\":1}".getBytes()).block();
			assertThat(new String(store.read("team-a", "resp_1").block())).isEqualTo("{\"r\":1}");
			StepVerifier.create(store.read("team-b", "resp_1")).as("another team's").verifyComplete();
			long ttl = client.getBucket("sb:responses:{team-a}:resp_1", ByteArrayCodec.INSTANCE).remainTimeToLive();
			assertThat(ttl).isBetween(Duration.ofMinutes(4).toMillis(), Duration.ofMinutes(5).toMillis());

			assertThat(store.delete("team-b", "resp_1").block()).isFalse();
			assertThat(store.delete("team-a", "resp_1").block()).isTrue();
			StepVerifier.create(store.read("team-a", "resp_1")).verifyComplete();
		}
		finally {
			client.shutdown();
		}
	}

	@Test
	void anOutageFailsAReadWithA503AndLosesAWriteQuietly(RedisTestServer redis) throws Exception {
		RedissonClient client = RedisTestServer.client(redis.address(), TIMEOUT, Duration.ofMillis(250));
		try {
			RedisResponseStore store = new RedisResponseStore(client, Duration.ofMinutes(5), TIMEOUT,
					RedisResponseStore.DEFAULT_PREFIX);
			redis.stop();
			long start = System.nanoTime();
			StepVerifier.create(store.read("team-a", "resp_1"))
				.expectErrorSatisfies(error -> assertThat(error).isInstanceOfSatisfying(LlmApiException.class, api -> {
					assertThat(api.status()).isEqualTo(503);
					assertThat(api.code()).isEqualTo("response_store_unavailable");
				}))
				.verify();
			StepVerifier.create(store.write("team-a", "resp_2", new byte[] { 1 })).verifyComplete();
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TIMEOUT.multipliedBy(2).plusMillis(700));
		}
		finally {
			redis.start();
			client.shutdown();
		}
	}

}
