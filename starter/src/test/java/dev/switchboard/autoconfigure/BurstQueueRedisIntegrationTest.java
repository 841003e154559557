package dev.switchboard.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.netty.http.client.HttpClient;

import org.springframework.context.ConfigurableApplicationContext;

import dev.switchboard.core.Headers;
import dev.switchboard.quota.admission.BurstQueue;
import dev.switchboard.testing.RedisTestServer;
import dev.switchboard.testing.StubUpstream;

import static dev.switchboard.autoconfigure.QuotaGatewayIntegrationTest.Answer;
import static dev.switchboard.autoconfigure.QuotaGatewayIntegrationTest.BODY;
import static dev.switchboard.autoconfigure.QuotaGatewayIntegrationTest.post;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Burst queues of two gateways on one real Redis, over real HTTP: a team at 10 requests per minute
 * (one refill every 6 s) bursts 14 requests across both gateways at once. Together they admit the
 * ten the limit holds at once, queue the rest in their own queues, admit exactly one more per
 * refill between them (never one per gateway), and refuse what cannot be admitted within
 * {@code max-wait} (7 s): the provider sees 11 calls, never more.
 */
class BurstQueueRedisIntegrationTest {

	static RedisTestServer redis;

	static StubUpstream stub;

	static ConfigurableApplicationContext first;

	static ConfigurableApplicationContext second;

	static final AtomicInteger served = new AtomicInteger();

	static final HttpClient client = HttpClient.create();

	@BeforeAll
	static void start() {
		redis = RedisTestServer.startOnFreePort();
		stub = QuotaGatewayIntegrationTest.stub(served);
		first = gateway();
		second = gateway();
	}

	private static ConfigurableApplicationContext gateway() {
		return GatewayTestApplication.start("queue-it", "switchboard.quota.backend=redis",
				"switchboard.redis.address=" + redis.address(), "switchboard.providers.openai.base-url=" + stub.baseUrl());
	}

	@AfterAll
	static void stop() throws Exception {
		first.close();
		second.close();
		stub.close();
		redis.close();
	}

	@Test
	void twoGatewaysQueueABurstAndTogetherAdmitOnlyWhatTheSharedLimitAllows() {
		List<Answer> answers = Flux.range(0, 14)
			.flatMap(i -> post(client, (i % 2 == 0) ? first : second, "queue-a-key", BODY))
			.collectList()
			.block(Duration.ofSeconds(30));

		List<Long> queued = new ArrayList<>();
		int ok = 0;
		int refused = 0;
		for (Answer answer : answers) {
			if (answer.status() == 200) {
				ok++;
				String waited = answer.headers().get(Headers.QUEUED_MS);
				if (waited != null) {
					queued.add(Long.parseLong(waited));
				}
			}
			else {
				assertThat(answer.status()).isEqualTo(429);
				assertThat(answer.headers().get("retry-after")).isNotBlank();
				refused++;
			}
		}
		assertThat(ok).as("ten at once, and the one refill that falls within max-wait 7s").isEqualTo(11);
		assertThat(refused).isEqualTo(3);
		assertThat(queued).as("the one admitted by the refill waited for it").singleElement()
			.satisfies(ms -> assertThat(ms).isBetween(3_000L, 7_000L));
		assertThat(served.get()).as("the provider never saw more than the limit allowed").isEqualTo(11);
		Awaitility.await()
			.atMost(Duration.ofSeconds(5))
			.until(() -> first.getBean(BurstQueue.class).depth() + second.getBean(BurstQueue.class).depth() == 0);
	}

}
