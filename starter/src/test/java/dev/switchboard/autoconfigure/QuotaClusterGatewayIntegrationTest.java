package dev.switchboard.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;

import dev.switchboard.testing.RedisClusterTestServer;
import dev.switchboard.testing.StubUpstream;

/**
 * The two-gateway concurrency check of {@link QuotaGatewayIntegrationTest} on a real three-master
 * Redis Cluster: both gateways reserve and settle with the Lua scripts through Redisson's cluster
 * client, every key of a team in the slot of its {@code {team}} hash tag.
 */
class QuotaClusterGatewayIntegrationTest {

	static RedisClusterTestServer cluster;

	static StubUpstream stub;

	static ConfigurableApplicationContext first;

	static ConfigurableApplicationContext second;

	static final AtomicInteger served = new AtomicInteger();

	@BeforeAll
	static void start() throws Exception {
		cluster = RedisClusterTestServer.start();
		cluster.awaitEverySlotWritable(Duration.ofSeconds(20));
		stub = QuotaGatewayIntegrationTest.stub(served);
		first = gateway();
		second = gateway();
	}

	private static ConfigurableApplicationContext gateway() {
		List<String> nodes = cluster.nodeAddresses();
		return GatewayTestApplication.start("quota-it", "switchboard.providers.openai.base-url=" + stub.baseUrl(),
				"switchboard.redis.cluster-nodes[0]=" + nodes.get(0), "switchboard.redis.cluster-nodes[1]=" + nodes.get(1),
				"switchboard.redis.cluster-nodes[2]=" + nodes.get(2));
	}

	@AfterAll
	static void stop() throws Exception {
		if (first != null) {
			first.close();
		}
		if (second != null) {
			second.close();
		}
		stub.close();
		cluster.close();
	}

	@Test
	void twoHundredConcurrentRequestsThroughTwoGatewaysOnARedisClusterNeverOverspendTheSharedBudget()
			throws Exception {
		QuotaGatewayIntegrationTest.assertTwoHundredConcurrentRequestsStayWithinTheBudget(first, second, served,
				"team-a-key", "team-a");
	}

}
