package dev.switchboard.route;

import java.net.URI;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.ModelRoute;
import dev.switchboard.core.Operation;
import dev.switchboard.core.Team;
import dev.switchboard.testing.TestCatalogs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class ModelResolverTest {

	private final ModelResolver resolver = new ModelResolver(TestCatalogs.catalog(URI.create("http://127.0.0.1:1/v1")));

	@Test
	void aliasResolvesToTheProviderAndUpstreamModelAndSaysWhy() {
		ModelRoute route = this.resolver.resolve("fast", Team.unrestricted("a"), Operation.CHAT);
		assertThat(route.requestedModel()).isEqualTo("fast");
		assertThat(route.primary().label()).isEqualTo("openai/gpt-test-2026-01");
		assertThat(route.reason()).isEqualTo("alias 'fast' -> 'gpt-test'");
	}

	@Test
	void unknownModelIs404() {
		assertThatExceptionOfType(LlmApiException.class)
			.isThrownBy(() -> this.resolver.resolve("gpt-9", Team.unrestricted("a"), Operation.CHAT))
			.satisfies(ex -> {
				assertThat(ex.status()).isEqualTo(404);
				assertThat(ex.code()).isEqualTo("model_not_found");
			});
	}

	@Test
	void aTeamAllowedOnlyAnAliasCannotUseTheModelUnderAnotherName() {
		Team team = new Team("interns", List.of("fast"));
		assertThat(this.resolver.resolve("fast", team, Operation.CHAT).primary().model().id()).isEqualTo("gpt-test");
		assertThatExceptionOfType(LlmApiException.class)
			.isThrownBy(() -> this.resolver.resolve("gpt-test", team, Operation.CHAT))
			.satisfies(ex -> {
				assertThat(ex.status()).isEqualTo(403);
				assertThat(ex.getMessage()).contains("interns").contains("gpt-test");
			});
	}

	@Test
	void aTeamAllowedAModelMayUseItsAliases() {
		Team team = new Team("core", List.of("gpt-test"));
		assertThat(this.resolver.resolve("fast", team, Operation.CHAT).primary().model().id()).isEqualTo("gpt-test");
		assertThat(this.resolver.resolve("openai/gpt-test-2026-01", team, Operation.CHAT).reason())
			.isEqualTo("provider/model id 'openai/gpt-test-2026-01'");
	}

	@Test
	void operationMustMatchTheModelsCapabilities() {
		assertThatExceptionOfType(LlmApiException.class)
			.isThrownBy(() -> this.resolver.resolve("embed-test", Team.unrestricted("a"), Operation.CHAT))
			.satisfies(ex -> assertThat(ex.status()).isEqualTo(400));
		assertThatExceptionOfType(LlmApiException.class)
			.isThrownBy(() -> this.resolver.resolve("fast", Team.unrestricted("a"), Operation.EMBEDDINGS))
			.satisfies(ex -> assertThat(ex.getMessage()).contains("does not support embeddings"));
	}

}
