package dev.switchboard.autoconfigure;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.MeterRegistry;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.switchboard.cache.store.InMemoryCacheStore;
import dev.switchboard.core.Json;
import dev.switchboard.quota.admission.TokenQuotaService;
import dev.switchboard.quota.backend.QuotaBackend;
import dev.switchboard.testing.StubUpstream;

import static dev.switchboard.autoconfigure.SemanticCacheGatewayIntegrationTest.TEAM_A;
import static dev.switchboard.autoconfigure.SemanticCacheGatewayIntegrationTest.ask;
import static dev.switchboard.autoconfigure.SemanticCacheGatewayIntegrationTest.post;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code switchboard.cache.stale-if-error} through real HTTP: once the provider fails, an answer past
 * its TTL but within the stale window is served, as JSON or as a stream, marked
 * {@code x-switchboard-cache: stale} and charged nothing; a failure that is the client's own is not
 * papered over, nothing is served past the window, and a provider that answers again refreshes the
 * entry. The store's clock is the test's, so the TTL passes without waiting.
 */
@SpringBootTest(classes = GatewayTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "switchboard.cache.stale-if-error=1h", "switchboard.failover.initial-backoff=5ms",
				"switchboard.quota.defaults.tokens-per-minute=100000" })
@ActiveProfiles("cache-it")
@Import(StaleIfErrorIntegrationTest.ClockedStore.class)
class StaleIfErrorIntegrationTest {

	@RegisterExtension
	static final StubProvider openai = new StubProvider();

	static final StubUpstream stub = openai.upstream();

	static final AtomicLong clock = new AtomicLong();

	/** The route's TTL ({@code LlmCache=10m} in the profile) and then some. */
	static final Duration PAST_TTL = Duration.ofMinutes(11);

	@LocalServerPort
	int port;

	@Autowired
	TokenQuotaService quotas;

	@Autowired
	InMemoryCacheStore store;

	@TestConfiguration
	static class ClockedStore {

		@Bean
		InMemoryCacheStore clockedCacheStore() {
			return new InMemoryCacheStore(100, clock::get);
		}

	}

	@DynamicPropertySource
	static void providers(DynamicPropertyRegistry registry) {
		openai.serve(registry, "openai");
	}

	@BeforeEach
	void answerEveryQuestion() {
		SemanticCacheGatewayIntegrationTest.answerEveryQuestionOn(stub);
	}

	@Test
	void whenTheProviderIsDownAStaleAnswerIsServedAsJsonAndStreamAndChargedNothing(@Autowired MeterRegistry meters) {
		String question = "What is stale-if-error?";
		assertThat(post(this.port, TEAM_A, ask(question, false)).cache()).isEqualTo("miss");
		awaitStored(1);
		long tokensBefore = awaitRequests(1).tokens();

		clock.addAndGet(PAST_TTL.toNanos());
		failWith(503, "server_error", "overloaded");
		GatewayHttp.Answer json = post(this.port, TEAM_A, ask(question, false));
		assertThat(json.status()).isEqualTo(200);
		assertThat(json.cache()).isEqualTo("stale");
		assertThat(json.content()).isEqualTo("Answer to " + question);
		assertThat(json.headers().getAll("x-switchboard-cache")).as("the lookup's miss replaced").hasSize(1);
		assertThat(Integer.parseInt(json.headers().get("x-switchboard-attempts"))).as("the provider was asked first")
			.isPositive();

		GatewayHttp.Answer streamed = post(this.port, TEAM_A, ask(question, true));
		assertThat(streamed.status()).isEqualTo(200);
		assertThat(streamed.cache()).isEqualTo("stale");
		assertThat(streamed.headers().get("content-type")).startsWith("text/event-stream");
		assertThat(streamed.content()).isEqualTo("Answer to " + question);
		assertThat(streamed.events().get(streamed.events().size() - 1)).isEqualTo("[DONE]");
		assertThat(stub.received()).as("asked for both, retried until its breaker opened").hasSizeBetween(2, 4);

		assertThat(awaitRequests(3).tokens()).as("stale answers charge no tokens").isEqualTo(tokensBefore);
		assertThat(meters.get("switchboard.cache.stale.served").tag("team", "team-a").counter().count()).isEqualTo(2);
	}

	@Test
	void theClientsOwnMistakeIsNotAnsweredStaleAndNothingIsServedPastTheWindow() {
		String question = "Which errors are papered over?";
		assertThat(post(this.port, TEAM_A, ask(question, false)).cache()).isEqualTo("miss");
		awaitStored(1);
		clock.addAndGet(PAST_TTL.toNanos());

		failWith(400, "invalid_request_error", "bad_parameter");
		GatewayHttp.Answer refused = post(this.port, TEAM_A, ask(question, false));
		assertThat(refused.status()).as("every provider would refuse it alike").isEqualTo(400);
		assertThat(refused.cache()).isEqualTo("miss");

		clock.addAndGet(Duration.ofHours(1).toNanos());
		failWith(503, "server_error", "overloaded");
		GatewayHttp.Answer down = post(this.port, TEAM_A, ask(question, false));
		assertThat(down.status()).as("past the stale window: the provider's error").isEqualTo(503);
		assertThat(Json.MAPPER.readTree(down.body()).path("error").path("type").asString()).isNotBlank();
	}

	@Test
	void aProviderThatAnswersAgainRefreshesTheStaleEntry() {
		String question = "Is a stale answer ever refreshed?";
		assertThat(post(this.port, TEAM_A, ask(question, false)).cache()).isEqualTo("miss");
		awaitStored(1);
		clock.addAndGet(PAST_TTL.toNanos());

		GatewayHttp.Answer refreshed = post(this.port, TEAM_A, ask(question, false));
		assertThat(refreshed.cache()).as("stale is for errors only: the provider answers").isEqualTo("miss");
		assertThat(stub.received()).hasSize(2);
		Awaitility.await()
			.atMost(Duration.ofSeconds(5))
			.until(() -> "hit".equals(post(this.port, TEAM_A, ask(question, false)).cache()));
		assertThat(stub.received()).hasSize(2);
	}

	private static void failWith(int status, String type, String code) {
		stub.reset();
		stub.on("/v1/chat/completions", (request, response) -> response.status(status)
			.header("content-type", "application/json")
			.sendString(Mono.just("{\"error\":{\"message\":\"no\",\"type\":\"" + type + "\",\"code\":\"" + code + "\"}}"))
			.then());
	}

	/** Answers are stored just after they are sent. */
	private void awaitStored(int entries) {
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> this.store.size() >= entries);
	}

	/** The day's ledger once it holds {@code requests}: settling happens just after the answer is sent. */
	private QuotaBackend.UsageRecord awaitRequests(long requests) {
		return Awaitility.await()
			.atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(20))
			.until(this::ledger, day -> day.requests() >= requests);
	}

	private QuotaBackend.UsageRecord ledger() {
		return this.quotas.backend().ledger("team-a", LocalDate.now(ZoneOffset.UTC)).block(Duration.ofSeconds(5)).day();
	}

}
