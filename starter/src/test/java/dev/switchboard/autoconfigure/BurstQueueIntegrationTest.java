package dev.switchboard.autoconfigure;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

import org.springframework.context.ConfigurableApplicationContext;

import dev.switchboard.core.Headers;
import dev.switchboard.core.Json;
import dev.switchboard.quota.QuotaLimit;
import dev.switchboard.quota.admission.BurstQueue;
import dev.switchboard.quota.admission.TeamQuota;
import dev.switchboard.quota.admission.TokenQuotaService;
import dev.switchboard.testing.StubUpstream;

import static dev.switchboard.autoconfigure.QuotaGatewayIntegrationTest.Answer;
import static dev.switchboard.autoconfigure.QuotaGatewayIntegrationTest.BODY;
import static dev.switchboard.autoconfigure.QuotaGatewayIntegrationTest.ledger;
import static dev.switchboard.autoconfigure.QuotaGatewayIntegrationTest.post;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Burst queues end to end over real HTTP and real time, at 10 requests per minute (one refill
 * every 6 s): a request over the limit waits for the refill instead of a 429, the one that could
 * not be served within {@code max-wait} gets its 429, and a client that leaves while waiting is
 * not charged. Exact order and admission times at scale are proven in virtual time, on both
 * backends, by {@code BurstQueueTest}.
 */
class BurstQueueIntegrationTest {

	static StubUpstream stub;

	static ConfigurableApplicationContext gateway;

	static final AtomicInteger served = new AtomicInteger();

	static final HttpClient client = HttpClient.create();

	@BeforeAll
	static void start() {
		stub = QuotaGatewayIntegrationTest.stub(served);
		gateway = GatewayTestApplication.start("queue-it", "switchboard.providers.openai.base-url=" + stub.baseUrl());
	}

	@AfterAll
	static void stop() throws Exception {
		gateway.close();
		stub.close();
	}

	@Test
	void overTheRateARequestWaitsForTheRefillAndTheOneThatCannotMakeItGetsItsRateLimit() {
		for (int i = 0; i < 10; i++) {
			assertThat(post(client, gateway, "queue-a-key", BODY).block(Duration.ofSeconds(10)).status()).isEqualTo(200);
		}
		BurstQueue queue = gateway.getBean(BurstQueue.class);
		Mono<Answer> eleventh = post(client, gateway, "queue-a-key", BODY).cache();
		eleventh.subscribe();
		soon().until(() -> queue.depth() == 1);
		Mono<Answer> twelfth = post(client, gateway, "queue-a-key", BODY).cache();
		twelfth.subscribe();
		soon().until(() -> queue.depth() == 2);

		Answer waited = eleventh.block(Duration.ofSeconds(15));
		assertThat(waited.status()).isEqualTo(200);
		long queuedMs = Long.parseLong(waited.headers().get(Headers.QUEUED_MS));
		assertThat(queuedMs).as("waited for the refill, 6 s after the first of ten").isBetween(3_000L, 6_500L);
		assertThat(waited.millis()).isGreaterThanOrEqualTo(queuedMs);

		Answer refused = twelfth.block(Duration.ofSeconds(15));
		assertThat(refused.status()).as("its wait (another 6 s) would pass max-wait 7s").isEqualTo(429);
		assertThat(refused.headers().get("retry-after")).isNotBlank();
		assertThat(Json.MAPPER.readTree(refused.body()).path("error").path("type").asString())
			.isEqualTo("rate_limit_error");
		assertThat(refused.millis()).as("answered before its max-wait ran out").isLessThan(7_000);
		assertThat(queue.depth()).isZero();
	}

	@Test
	void aClientThatLeavesWhileQueuedLeavesTheQueueAndIsChargedNothing() {
		int before = served.get();
		for (int i = 0; i < 10; i++) {
			assertThat(post(client, gateway, "queue-b-key", BODY).block(Duration.ofSeconds(10)).status()).isEqualTo(200);
		}
		BurstQueue queue = gateway.getBean(BurstQueue.class);
		Disposable leaving = post(client, gateway, "queue-b-key", BODY).subscribe();
		soon().until(() -> queue.depth() == 1);
		leaving.dispose();
		soon().until(() -> queue.depth() == 0);

		// Past the refill it waited for: had it been admitted and charged, the refill would be gone.
		TokenQuotaService service = gateway.getBean(TokenQuotaService.class);
		Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
			.until(() -> requestsLeft(service, "queue-b") >= 1);
		assertThat(served.get() - before).as("the provider saw the ten admitted requests only").isEqualTo(10);
		Answer next = post(client, gateway, "queue-b-key", BODY).block(Duration.ofSeconds(10));
		assertThat(next.status()).isEqualTo(200);
		assertThat(next.headers().get(Headers.QUEUED_MS)).as("the refill was still there: no wait").isNull();
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> ledger(gateway, "queue-b").requests() == 11);
		assertThat(ledger(gateway, "queue-b").tokens()).as("eleven answers of 30 tokens; nothing for the one that left")
			.isEqualTo(11 * 30);
	}

	private static long requestsLeft(TokenQuotaService service, String team) {
		return service.snapshot(team).block(Duration.ofSeconds(5)).limits().stream()
			.filter(limit -> limit.limit() == QuotaLimit.REQUESTS_PER_MINUTE)
			.mapToLong(TeamQuota.Limit::remaining)
			.findFirst()
			.orElseThrow();
	}

	private static ConditionFactory soon() {
		return Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5));
	}

}
