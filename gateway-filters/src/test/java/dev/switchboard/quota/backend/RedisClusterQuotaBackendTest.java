package dev.switchboard.quota.backend;

import java.time.Duration;
import java.util.List;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

import dev.switchboard.testing.RedisClusterTestServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract on a real three-master Redis Cluster: the ledger script touches two keys per
 * settlement, which only works because every key of a team shares the {@code {team}} hash tag.
 */
class RedisClusterQuotaBackendTest extends QuotaBackendContract {

	static RedisClusterTestServer cluster;

	static RedissonClient client;

	static RedisQuotaBackend backend;

	@BeforeAll
	static void start() throws Exception {
		cluster = RedisClusterTestServer.start();
		client = client(cluster.nodeAddresses());
		backend = new RedisQuotaBackend(client, Duration.ofSeconds(2), "sb:quota");
		awaitEverySlotWritable();
	}

	/**
	 * A fresh cluster needs a moment before every node agrees on the slot map; on a busy machine the
	 * first commands may meet CLUSTERDOWN. Write to keys spread over all masters until they all work.
	 */
	static void awaitEverySlotWritable() throws InterruptedException {
		Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
			.until(() -> {
				for (int i = 0; i < 32; i++) {
					client.getBucket("sb:ready:{" + i + "}", StringCodec.INSTANCE).set("ok");
				}
				return true;
			});
	}

	static RedissonClient client(List<String> nodes) {
		Config config = new Config();
		config.useClusterServers().setNodeAddresses(nodes);
		config.useClusterServers()
			.setConnectTimeout(1000)
			.setTimeout(1000)
			.setRetryAttempts(0);
		return Redisson.create(config);
	}

	@AfterAll
	static void stop() throws Exception {
		client.shutdown();
		cluster.close();
	}

	@Override
	QuotaBackend backend() {
		return backend;
	}

	@Test
	void theClusterReallyShardsKeysThatDoNotShareAHashTag() {
		RScript script = client.getScript(StringCodec.INSTANCE);
		assertThatThrownBy(() -> script.eval("sb:quota:{a}:x", RScript.Mode.READ_WRITE,
				"return redis.call('MGET', KEYS[1], KEYS[2])", RScript.ReturnType.LIST,
				List.of("sb:quota:{a}:x", "sb:quota:{b}:y")))
			.as("keys of two teams are in different slots")
			.hasMessageContaining("CROSSSLOT");
		assertThat(client.getKeys().getSlot(backend.ledgerKey("search", "2026-11-23")))
			.isEqualTo(client.getKeys().getSlot(backend.ledgerKey("search", "2026-11")));
	}

}
