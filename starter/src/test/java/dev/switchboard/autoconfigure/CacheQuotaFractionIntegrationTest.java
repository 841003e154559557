package dev.switchboard.autoconfigure;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;

import org.junit.jupiter.api.BeforeEach;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.switchboard.quota.admission.TokenQuotaService;
import dev.switchboard.quota.backend.QuotaBackend;
import dev.switchboard.testing.StubUpstream;

import static dev.switchboard.autoconfigure.SemanticCacheGatewayIntegrationTest.TEAM_A;
import static dev.switchboard.autoconfigure.SemanticCacheGatewayIntegrationTest.ask;
import static dev.switchboard.autoconfigure.SemanticCacheGatewayIntegrationTest.post;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code switchboard.cache.quota-fraction}: a hit is charged that share of the stored answer's
 * usage to the team's quota, through real HTTP, with the stream guard left out of replays.
 */
@SpringBootTest(classes = GatewayTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "switchboard.cache.quota-fraction=0.5", "switchboard.quota.defaults.tokens-per-minute=100000" })
@ActiveProfiles("cache-it")
class CacheQuotaFractionIntegrationTest {

	@RegisterExtension
	static final StubProvider openai = new StubProvider();

	static final StubUpstream stub = openai.upstream();

	@LocalServerPort
	int port;

	@Autowired
	TokenQuotaService quotas;

	@DynamicPropertySource
	static void providers(DynamicPropertyRegistry registry) {
		openai.serve(registry, "openai");
	}

	@BeforeEach
	void answerEveryQuestion() {
		SemanticCacheGatewayIntegrationTest.answerEveryQuestionOn(stub);
	}

	@Test
	void aHitIsChargedTheConfiguredShareOfTheStoredUsage() throws InterruptedException {
		assertThat(post(this.port, TEAM_A, ask("What is a fraction?", false)).cache()).isEqualTo("miss");
		QuotaBackend.UsageRecord afterMiss = awaitRequests(1);
		assertThat(afterMiss.tokens()).as("the provider's usage: 10 + 3").isEqualTo(13);

		GatewayHttp.Answer hit = post(this.port, TEAM_A, ask("What is a fraction?", false));
		assertThat(hit.cache()).isEqualTo("hit");
		assertThat(hit.headers().get("x-ratelimit-remaining-tokens")).as("a charged hit passes through quotas")
			.isNotNull();
		QuotaBackend.UsageRecord afterHit = awaitRequests(2);
		assertThat(afterHit.promptTokens()).as("10 + half of 10").isEqualTo(15);
		assertThat(afterHit.completionTokens()).as("3 + half of 3, rounded").isEqualTo(5);

		GatewayHttp.Answer streamed = post(this.port, TEAM_A, ask("What is a fraction?", true));
		assertThat(streamed.cache()).isEqualTo("hit");
		assertThat(streamed.events().get(streamed.events().size() - 1)).isEqualTo("[DONE]");
		assertThat(awaitRequests(3).promptTokens()).isEqualTo(20);
		assertThat(stub.received()).hasSize(1);
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
