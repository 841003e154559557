package dev.switchboard.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.switchboard.core.Json;
import dev.switchboard.testing.Fixtures;
import dev.switchboard.testing.StubUpstream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Provider limits through the running gateway: slow stub providers that count how many calls they
 * hold at once. A provider at its in-flight limit never gets a call beyond it: the call spills to
 * the fallback, waits for room, or gets a 429 of the gateway's own.
 */
@SpringBootTest(classes = GatewayTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("limits-it")
class ProviderLimitsIntegrationTest {

	private static final String OK = Fixtures.text("e2e/openai/chat.json");

	private static final Map<String, Slow> stubs = Map.of("busy", new Slow(), "spare", new Slow(), "queued", new Slow(),
			"strict", new Slow());

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void providers(DynamicPropertyRegistry registry) {
		stubs.forEach((name, slow) -> registry.add("switchboard.providers." + name + ".base-url",
				() -> slow.stub.baseUrl().toString()));
	}

	@AfterAll
	static void stop() {
		stubs.values().forEach(slow -> slow.stub.close());
	}

	@BeforeEach
	void reset() {
		stubs.values().forEach(slow -> slow.mostAtOnce.set(0));
	}

	@Test
	void aSecondCallToABusyProviderSpillsToTheFallback() {
		List<Answer> answers = together("smart", 2);
		assertThat(answers).extracting(Answer::status).containsOnly(200);
		assertThat(answers).extracting(Answer::provider).containsExactlyInAnyOrder("busy", "spare");
		assertThat(stubs.get("busy").mostAtOnce.get()).isEqualTo(1);
	}

	@Test
	void withNoOtherTargetASecondCallWaitsForRoomInsteadOfOverloadingTheProvider() {
		List<Answer> answers = together("solo", 3);
		assertThat(answers).extracting(Answer::status).containsOnly(200);
		assertThat(stubs.get("queued").mostAtOnce.get()).as("one call at a time, as configured").isEqualTo(1);
		long slowest = answers.stream().mapToLong(Answer::millis).max().orElseThrow();
		assertThat(slowest).as("the third waited for two calls of 800 ms").isGreaterThanOrEqualTo(1_500);
	}

	@Test
	void withoutAWaitTheCallOverTheLimitGetsTheGatewaysOwn429() {
		List<Answer> answers = together("lone", 2);
		assertThat(answers).extracting(Answer::status).containsExactlyInAnyOrder(200, 429);
		Answer refused = answers.stream().filter(a -> a.status() == 429).findFirst().orElseThrow();
		assertThat(Json.MAPPER.readTree(refused.body()).path("error").path("code").asString())
			.isEqualTo("provider_rate_limit");
		assertThat(stubs.get("strict").mostAtOnce.get()).isEqualTo(1);
	}

	/** {@code count} requests for {@code model} sent at once. */
	private List<Answer> together(String model, int count) {
		HttpClient client = HttpClient.create();
		return Flux.range(0, count)
			.flatMap(i -> {
				long start = System.nanoTime();
				return client.headers(h -> h.set("authorization", "Bearer health-key").set("content-type", "application/json"))
					.post()
					.uri("http://127.0.0.1:" + this.port + "/v1/chat/completions")
					.send((request, out) -> out.sendString(Mono.just("{\"model\":\"" + model
							+ "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")))
					.responseSingle((response, body) -> body.asString().defaultIfEmpty("")
						.map(text -> new Answer(response.status().code(),
								response.responseHeaders().get("x-switchboard-provider"), text,
								(System.nanoTime() - start) / 1_000_000)));
			}, count)
			.collectList()
			.block(Duration.ofSeconds(20));
	}

	record Answer(int status, String provider, String body, long millis) {
	}

	/** A provider that takes 800 ms per call (requests sent together reach the gateway well within it) and remembers the most calls it held at once. */
	static final class Slow {

		final StubUpstream stub = new StubUpstream();

		final AtomicInteger atOnce = new AtomicInteger();

		final AtomicInteger mostAtOnce = new AtomicInteger();

		Slow() {
			this.stub.on("/v1/chat/completions", (request, response) -> {
				this.mostAtOnce.accumulateAndGet(this.atOnce.incrementAndGet(), Math::max);
				return Mono.delay(Duration.ofMillis(800))
					.then(response.status(200).header("content-type", "application/json").sendString(Mono.just(OK)).then())
					.doFinally(signal -> this.atOnce.decrementAndGet());
			});
		}

	}

}
