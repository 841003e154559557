package dev.switchboard.dispatch;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

import dev.switchboard.catalog.Capability;
import dev.switchboard.catalog.ModelCatalog;
import dev.switchboard.catalog.ModelSpec;
import dev.switchboard.core.Attempt;
import dev.switchboard.core.Json;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.LlmResponse;
import dev.switchboard.core.Operation;
import dev.switchboard.route.TargetStats;
import dev.switchboard.testing.StubUpstream;
import dev.switchboard.testing.TestCatalogs;
import dev.switchboard.translate.ProviderAdapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The failover walk without Spring: the dispatcher over two real loopback providers, a model with a
 * fallback, and a policy of one retry per target. What the walk decides (retry, move on, stop) is
 * read from the exchange's attempts and decision log, and from what each provider received.
 */
class FailoverWalkTest {

	private static final String OK = """
			{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,
			 "message":{"role":"assistant","content":"hello"},"finish_reason":"stop"}],
			 "usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}""";

	private static final String SERVER_ERROR = "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}";

	private static final StubUpstream primary = new StubUpstream();

	private static final StubUpstream secondary = new StubUpstream();

	private final FailoverPolicy policy = new FailoverPolicy(4, 1, Duration.ofMillis(10), Duration.ofMillis(50),
			Duration.ofSeconds(2), EnumSet.allOf(Trigger.class), null);

	private final LlmDispatcher dispatcher = new LlmDispatcher(ProviderAdapters.defaults(),
			new ProviderClients(HttpClient.create()), null, this.policy, TargetBreakers.none(), new TargetStats());

	private final ModelCatalog catalog = new ModelCatalog(
			List.of(TestCatalogs.openAi("primary", primary.baseUrl()), TestCatalogs.openAi("secondary", secondary.baseUrl())),
			List.of(model("smart", "primary", List.of("backup")), model("backup", "secondary", List.of())));

	private final List<LlmResponse> written = new ArrayList<>();

	@AfterAll
	static void close() {
		primary.close();
		secondary.close();
	}

	@BeforeEach
	void reset() {
		primary.reset();
		secondary.reset();
	}

	@Test
	void aServerErrorIsRetriedOnceThenTheFallbackServes() {
		primary.json("/v1/chat/completions", 500, SERVER_ERROR);
		secondary.json("/v1/chat/completions", 200, OK);
		LlmExchange exchange = exchange();

		dispatch(exchange).block(Duration.ofSeconds(5));

		assertThat(primary.received()).as("the call and its retry").hasSize(2);
		assertThat(secondary.received()).hasSize(1);
		assertThat(exchange.attempts().all()).extracting(Attempt::outcome).containsExactly(Attempt.Outcome.UPSTREAM_ERROR,
				Attempt.Outcome.UPSTREAM_ERROR, Attempt.Outcome.SUCCESS);
		assertThat(this.written).singleElement().satisfies(response -> {
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.servedBy().provider().name()).isEqualTo("secondary");
		});
		assertThat(exchange.decisions()).anyMatch(d -> d.startsWith("failover: SERVER_ERROR from") && d.contains("retry in"))
			.anyMatch(d -> d.startsWith("failover: SERVER_ERROR from") && d.endsWith("next target"));
		assertThat(Json.MAPPER.readTree(secondary.lastRequest().body()).path("model").asString())
			.as("translated afresh for the fallback's model").isEqualTo("backup-upstream");
	}

	@Test
	void aRateLimitMovesOnAtOnceAndAClientErrorNeverDoes() {
		primary.json("/v1/chat/completions", 429, "{\"error\":{\"message\":\"slow down\",\"type\":\"rate_limit_error\"}}");
		secondary.json("/v1/chat/completions", 200, OK);
		dispatch(exchange()).block(Duration.ofSeconds(5));
		assertThat(primary.received()).as("no retry of a rate limit while there is somewhere else to go").hasSize(1);
		assertThat(secondary.received()).hasSize(1);

		reset();
		primary.json("/v1/chat/completions", 400,
				"{\"error\":{\"message\":\"bad temperature\",\"type\":\"invalid_request_error\"}}");
		secondary.json("/v1/chat/completions", 200, OK);
		assertThatExceptionOfType(LlmApiException.class).isThrownBy(() -> dispatch(exchange()).block(Duration.ofSeconds(5)))
			.satisfies(error -> assertThat(error.status()).isEqualTo(400));
		assertThat(secondary.received()).as("the client's own mistake is not failed over").isEmpty();
		assertThat(this.written).as("the 429 walk wrote once, the refused request nothing").hasSize(1);
	}

	@Test
	void theDeadlineEndsAWalkWhoseProvidersNeverAnswer() {
		primary.on("/v1/chat/completions", (request, response) -> Mono.never());
		secondary.on("/v1/chat/completions", (request, response) -> Mono.never());
		LlmExchange exchange = exchange();
		exchange.put(FailoverPolicy.class, this.policy.withLimits(4, Duration.ofMillis(300)));
		long start = System.nanoTime();

		assertThatExceptionOfType(LlmApiException.class).isThrownBy(() -> dispatch(exchange).block(Duration.ofSeconds(5)))
			.satisfies(error -> assertThat(error.code()).isEqualTo("deadline_exceeded"));
		assertThat((System.nanoTime() - start) / 1_000_000).as("ms, against a 300 ms deadline").isLessThan(1500);
		assertThat(this.written).isEmpty();
	}

	private Mono<Void> dispatch(LlmExchange exchange) {
		return this.dispatcher.dispatch(exchange, response -> {
			this.written.add(response);
			return Mono.empty();
		});
	}

	private LlmExchange exchange() {
		return TestCatalogs.exchange(this.catalog, Operation.CHAT,
				"{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
	}

	private static ModelSpec model(String id, String provider, List<String> fallbacks) {
		return new ModelSpec(id, provider, id + "-upstream", List.of(), new BigDecimal("1.00"), new BigDecimal("2.00"),
				null, 128_000, Set.of(Capability.CHAT), fallbacks);
	}

}
