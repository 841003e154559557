package dev.switchboard.quota;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;
import org.redisson.config.ConstantDelay;

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
		Config config = new Config();
		config.useSingleServer()
			.setAddress(address)
			.setConnectTimeout(500)
			.setTimeout(1000)
			.setRetryAttempts(0)
			.setReconnectionDelay(new ConstantDelay(Duration.ofMillis(200)));
		return Redisson.create(config);
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
