package dev.switchboard.testing;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;
import redis.embedded.RedisShardedCluster;
import redis.embedded.core.RedisServerBuilder;
import redis.embedded.RedisServer;

/**
 * A real three-master Redis Cluster (no replicas) on free loopback ports, from embedded-redis'
 * sharded cluster builder: slots are split over the masters, so keys without a shared hash tag
 * land on different servers and multi-key commands on them fail with CROSSSLOT.
 */
public final class RedisClusterTestServer implements AutoCloseable {

	private final RedisShardedCluster cluster;

	private final List<Integer> ports;

	private RedisClusterTestServer(RedisShardedCluster cluster, List<Integer> ports) {
		this.cluster = cluster;
		this.ports = ports;
	}

	public static RedisClusterTestServer start() throws IOException {
		List<Integer> ports = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			ports.add(RedisTestServer.freePort());
		}
		RedisServerBuilder servers = RedisServer.newRedisServer()
			.bind("127.0.0.1")
			.setting("save \"\"")
			.setting("appendonly no");
		RedisShardedCluster cluster = RedisShardedCluster.newRedisCluster()
			.withServerBuilder(servers)
			// Before shard(): each shard takes its port from the provider set at that moment.
			.serverPorts(ports)
			.shard("a", 0)
			.shard("b", 0)
			.shard("c", 0)
			.initializationTimeout(Duration.ofSeconds(20))
			.build();
		cluster.start();
		return new RedisClusterTestServer(cluster, ports);
	}

	/**
	 * Waits until every master takes writes: a fresh cluster needs a moment before every node agrees
	 * on the slot map, and on a busy machine the first commands may meet CLUSTERDOWN. For callers
	 * whose own client is not at hand (gateways started afterwards).
	 */
	public void awaitEverySlotWritable(Duration timeout) throws InterruptedException {
		Config config = new Config();
		config.useClusterServers().setNodeAddresses(nodeAddresses());
		config.useClusterServers().setConnectTimeout(1000).setTimeout(1000).setRetryAttempts(0);
		RedissonClient client = Redisson.create(config);
		try {
			long deadline = System.nanoTime() + timeout.toNanos();
			while (true) {
				try {
					for (int i = 0; i < 32; i++) {
						client.getBucket("sb:ready:{" + i + "}", StringCodec.INSTANCE).set("ok");
					}
					return;
				}
				catch (RuntimeException notReady) {
					if (System.nanoTime() > deadline) {
						throw notReady;
					}
					Thread.sleep(100);
				}
			}
		}
		finally {
			client.shutdown();
		}
	}

	/** {@code redis://127.0.0.1:<port>} of every master, as Redisson's cluster config expects. */
	public List<String> nodeAddresses() {
		return this.ports.stream().map(port -> "redis://127.0.0.1:" + port).toList();
	}

	@Override
	public void close() throws IOException {
		this.cluster.stop();
		// Each node writes its cluster state to nodes-main-<port>.conf in the working directory.
		for (int port : this.ports) {
			java.nio.file.Files.deleteIfExists(java.nio.file.Path.of("nodes-main-" + port + ".conf"));
		}
	}

}
