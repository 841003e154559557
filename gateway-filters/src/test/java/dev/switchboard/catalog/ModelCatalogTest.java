package dev.switchboard.catalog;

import java.net.URI;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.switchboard.testing.TestCatalogs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class ModelCatalogTest {

	private final ProviderSpec openai = TestCatalogs.openAi("openai", URI.create("http://127.0.0.1:1/v1"));

	@Test
	void findsModelsByIdAliasAndProviderModelId() {
		ModelCatalog catalog = new ModelCatalog(List.of(this.openai),
				List.of(TestCatalogs.chatModel("gpt-test", "openai", "gpt-test-2026-01", "fast", "default")));
		assertThat(catalog.find("gpt-test")).isPresent();
		assertThat(catalog.find("fast")).get().extracting(ModelSpec::id).isEqualTo("gpt-test");
		assertThat(catalog.find("default")).isPresent();
		assertThat(catalog.find("openai/gpt-test-2026-01")).get().extracting(ModelSpec::id).isEqualTo("gpt-test");
		assertThat(catalog.find("openai/gpt-test")).isEmpty();
		assertThat(catalog.find("nope")).isEmpty();
	}

	@Test
	void reportsEveryProblemWithThePropertyToFix() {
		assertThatExceptionOfType(CatalogException.class)
			.isThrownBy(() -> new ModelCatalog(List.of(this.openai),
					List.of(TestCatalogs.chatModel("a", "opnai", "a"), TestCatalogs.chatModel("b", "openai", "b", "a"),
							new ModelSpec("c", "openai", "c", List.of(), null, null, null, null, Set.of()))))
			.satisfies(ex -> assertThat(ex.problems()).containsExactly(
					"switchboard.models[0].provider: 'opnai' is not a configured provider; add it under "
							+ "switchboard.providers or use one of [openai]",
					"switchboard.models[1].aliases: 'a' already names model 'a'; every id and alias must be unique",
					"switchboard.models[2].capabilities: list at least one of chat, tools, vision, json, embeddings"));
	}

	@Test
	void secretsNeverPrint() {
		assertThat(this.openai.toString()).doesNotContain(TestCatalogs.PROVIDER_KEY);
		assertThat(String.valueOf(this.openai.apiKey())).isEqualTo("******");
	}

}
