package dev.switchboard.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.netty.http.client.HttpClient;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import dev.switchboard.autoconfigure.QuotaGatewayIntegrationTest.Answer;
import dev.switchboard.testing.RedisTestServer;
import dev.switchboard.testing.StubUpstream;

import static dev.switchboard.autoconfigure.QuotaGatewayIntegrationTest.BODY;
import static dev.switchboard.autoconfigure.QuotaGatewayIntegrationTest.post;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fail-open over real HTTP: a gateway whose Redis stops under load keeps serving, each request
 * bounded by the quota timeout, counted by a metric and announced by one WARN; when Redis is back,
 * quotas are enforced on Redis again within 5 s. (Fail-closed is the last case of
 * {@link QuotaGatewayIntegrationTest}.)
 */
@ExtendWith(OutputCaptureExtension.class)
class QuotaFailOpenGatewayIntegrationTest {

	static final Duration TIMEOUT = Duration.ofMillis(300);

	static RedisTestServer redis;

	static StubUpstream stub;

	static ConfigurableApplicationContext gateway;

	@BeforeAll
	static void start() {
		redis = RedisTestServer.startOnFreePort();
		stub = QuotaGatewayIntegrationTest.stub(new AtomicInteger());
		gateway = new SpringApplicationBuilder(GatewayTestApplication.class)
			.profiles("quota-it")
			.properties("server.port=0", "spring.main.banner-mode=off",
					"switchboard.providers.openai.base-url=" + stub.baseUrl(),
					"switchboard.redis.address=" + redis.address())
			// Arguments, not default properties: they override the profile's closed mode and 2 s timeout.
			.run("--switchboard.quota.failure-mode=open",
					"--switchboard.quota.redis.timeout=" + TIMEOUT.toMillis() + "ms");
	}

	@AfterAll
	static void stop() throws Exception {
		if (gateway != null) {
			gateway.close();
		}
		stub.close();
		redis.close();
	}

	@Test
	void redisStoppedUnderLoadKeepsServingWithinTheTimeoutAndQuotasComeBackWithin5Seconds(CapturedOutput output)
			throws Exception {
		HttpClient client = HttpClient.create();
		Answer before = post(client, gateway, "team-d-key", BODY).block(Duration.ofSeconds(10));
		assertThat(before.status()).isEqualTo(200);
		assertThat(before.headers().get("x-switchboard-quota-backend")).isEqualTo("redis");

		// Load running while Redis goes away: a request every 10 ms for 1 s, Redis stopped once ten
		// of them have been answered on it.
		java.util.concurrent.atomic.AtomicInteger answered = new java.util.concurrent.atomic.AtomicInteger();
		java.util.concurrent.CompletableFuture<List<Answer>> load = Flux.interval(Duration.ofMillis(10))
			.take(100)
			.flatMap(i -> post(client, gateway, "team-d-key", BODY), 32)
			.doOnNext(answer -> answered.incrementAndGet())
			.collectList()
			.toFuture();
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> answered.get() >= 10);
		redis.stop();
		List<Answer> during = load.get(60, java.util.concurrent.TimeUnit.SECONDS);
		assertThat(during).allSatisfy(answer -> {
			assertThat(answer.status()).as(answer.body()).isEqualTo(200);
			assertThat(answer.millis()).as("never waits much past the %s Redis timeout", TIMEOUT).isLessThan(2_000);
		});
		long fromMemory = during.stream()
			.filter(answer -> "memory".equals(answer.headers().get("x-switchboard-quota-backend")))
			.count();
		assertThat(fromMemory).as("served while Redis was away, counted in the gateway").isGreaterThan(30);
		Counter degraded = gateway.getBean(MeterRegistry.class).find("switchboard.quota.degraded")
			.tags("backend", "redis", "mode", "open").counter();
		assertThat(degraded).isNotNull();
		assertThat((long) degraded.count()).as("every request served without Redis is counted").isGreaterThanOrEqualTo(fromMemory);
		assertThat(output).contains("Quota store 'redis' is unavailable");

		redis.start();
		long restarted = System.nanoTime();
		List<String> backends = new ArrayList<>();
		Awaitility.await("quotas back on Redis within 5 s")
			.atMost(Duration.ofSeconds(5))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> {
				String backend = post(client, gateway, "team-d-key", BODY).block(Duration.ofSeconds(10)).headers()
					.get("x-switchboard-quota-backend");
				backends.add(backend);
				return "redis".equals(backend);
			});

		// Enforced there: team-b may send 2 requests a minute, and the third is refused by Redis.
		List<Answer> limited = Flux.range(0, 3)
			.concatMap(i -> post(client, gateway, "team-b-key", BODY))
			.collectList()
			.block(Duration.ofSeconds(10));
		assertThat(limited).extracting(Answer::status).containsExactly(200, 200, 429);
		assertThat(limited.get(2).headers().get("x-switchboard-quota-backend")).isEqualTo("redis");
		assertThat(Duration.ofNanos(System.nanoTime() - restarted)).isLessThan(Duration.ofSeconds(5));
	}

}
