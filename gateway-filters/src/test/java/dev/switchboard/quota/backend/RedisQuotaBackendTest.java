package dev.switchboard.quota.backend;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.redisson.api.RedissonClient;

import dev.switchboard.testing.RedisTestServer;

/** The contract on a real Redis, started on a free port. */
class RedisQuotaBackendTest extends QuotaBackendContract {

	static RedisTestServer redis;

	static RedissonClient client;

	static RedisQuotaBackend backend;

	@BeforeAll
	static void start() {
		redis = RedisTestServer.startOnFreePort();
		client = client(redis.address());
		backend = new RedisQuotaBackend(client, Duration.ofSeconds(2), "sb:quota");
	}

	static RedissonClient client(String address) {
		return RedisTestServer.client(address, Duration.ofMillis(500), Duration.ofMillis(1000));
	}

	@AfterAll
	static void stop() throws Exception {
		client.shutdown();
		redis.close();
	}

	@Override
	QuotaBackend backend() {
		return backend;
	}

}
