package dev.switchboard.autoconfigure;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.switchboard.cache.semantic.InMemoryVectorStore;
import dev.switchboard.testing.StubUpstream;

import static dev.switchboard.autoconfigure.SemanticCacheGatewayIntegrationTest.TEAM_A;
import static dev.switchboard.autoconfigure.SemanticCacheGatewayIntegrationTest.ask;
import static dev.switchboard.autoconfigure.SemanticCacheGatewayIntegrationTest.post;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Shadow mode and per-user isolation over real HTTP: a would-be semantic hit is counted and left to
 * the provider; with {@code isolation: user} one user's answer is never another's, and a request
 * naming no user bypasses the cache.
 */
@SpringBootTest(classes = GatewayTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "switchboard.cache.semantic.shadow=true", "switchboard.cache.isolation=user" })
@ActiveProfiles("semantic-it")
class SemanticCacheShadowIntegrationTest {

	@RegisterExtension
	static final StubProvider openai = new StubProvider();

	static final StubUpstream stub = openai.upstream();

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void providers(DynamicPropertyRegistry registry) {
		openai.serve(registry, "openai");
	}

	@BeforeEach
	void answerEveryQuestion() {
		SemanticCacheGatewayIntegrationTest.answerEveryQuestionOn(stub);
	}

	@Test
	void aWouldBeHitIsCountedAndTheProviderStillAnswers(@Autowired MeterRegistry meters,
			@Autowired InMemoryVectorStore vectors) {
		int indexed = vectors.size();
		assertThat(post(this.port, TEAM_A, asUser("u1", "Who painted the Mona Lisa?")).cache()).isEqualTo("miss");
		SemanticCacheGatewayIntegrationTest.awaitIndexed(vectors, indexed + 1);
		var shadowed = post(this.port, TEAM_A, asUser("u1", "Which artist painted the Mona Lisa?"));
		assertThat(shadowed.cache()).isEqualTo("miss");
		assertThat(shadowed.content()).isEqualTo("Answer to Which artist painted the Mona Lisa?");
		assertThat(stub.received()).hasSize(2);
		assertThat(meters.get("switchboard.cache.semantic.shadow.hits").tag("team", "team-a").counter().count())
			.isEqualTo(1);
		assertThat(post(this.port, TEAM_A, asUser("u1", "Who painted the Mona Lisa?")).cache())
			.as("the exact tier still serves")
			.isEqualTo("hit");
	}

	@Test
	void usersOfOneTeamDoNotShareAndAnonymousRequestsBypass() {
		assertThat(post(this.port, TEAM_A, asUser("u1", "What is the boiling point of water?")).cache())
			.isEqualTo("miss");
		assertThat(post(this.port, TEAM_A, asUser("u1", "What is the boiling point of water?")).cache())
			.isEqualTo("hit");
		assertThat(post(this.port, TEAM_A, asUser("u2", "What is the boiling point of water?")).cache())
			.isEqualTo("miss");
		assertThat(post(this.port, TEAM_A, ask("What is the boiling point of water?", false)).cache())
			.isEqualTo("bypass");
		assertThat(stub.received()).hasSize(3);
	}

	private static String asUser(String user, String question) {
		return ask(question, false).replace("\"model\"", "\"user\":\"" + user + "\",\"model\"");
	}

}
