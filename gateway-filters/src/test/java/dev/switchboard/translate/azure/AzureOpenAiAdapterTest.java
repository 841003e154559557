package dev.switchboard.translate.azure;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;

import dev.switchboard.catalog.ModelCatalog;
import dev.switchboard.catalog.ProviderSpec;
import dev.switchboard.catalog.ProviderType;
import dev.switchboard.catalog.Secret;
import dev.switchboard.catalog.UnsupportedParameters;
import dev.switchboard.core.Json;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.Operation;
import dev.switchboard.testing.TestCatalogs;
import dev.switchboard.translate.spi.UpstreamRequest;

import static org.assertj.core.api.Assertions.assertThat;

class AzureOpenAiAdapterTest {

	private final AzureOpenAiAdapter adapter = new AzureOpenAiAdapter();

	@Test
	void chatGoesToTheDeploymentWithTheApiVersionAndTheApiKeyHeader() {
		LlmExchange exchange = exchange(null, "{\"model\":\"fast\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
		UpstreamRequest request = this.adapter.chatRequest(exchange, exchange.route().primary());
		assertThat(request.path()).isEqualTo("/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21");
		assertThat(request.headers().getFirst("api-key")).isEqualTo("azure-key");
		assertThat(request.headers().containsHeader(HttpHeaders.AUTHORIZATION)).isFalse();
		assertThat(Json.MAPPER.readTree(request.body()).path("stream_options").path("include_usage").asBoolean())
			.isTrue();
	}

	@Test
	void apiVersionAndEmbeddingsPath() {
		LlmExchange exchange = exchange("2025-01-01-preview", "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
		assertThat(this.adapter.chatRequest(exchange, exchange.route().primary()).path())
			.endsWith("?api-version=2025-01-01-preview");
		assertThat(this.adapter.embeddingsRequest(exchange, exchange.route().primary()).path())
			.isEqualTo("/openai/deployments/gpt-4o-prod/embeddings?api-version=2025-01-01-preview");
	}

	private static LlmExchange exchange(String apiVersion, String body) {
		ProviderSpec azure = new ProviderSpec("azure", ProviderType.AZURE_OPENAI,
				URI.create("https://example.openai.azure.com"), Secret.of("azure-key"), Map.of(), Duration.ofSeconds(1),
				Duration.ofSeconds(1), true, apiVersion, 4096, UnsupportedParameters.REJECT);
		ModelCatalog catalog = new ModelCatalog(List.of(azure),
				List.of(TestCatalogs.chatModel("gpt-4o", "azure", "gpt-4o-prod", "fast")));
		return TestCatalogs.exchange(catalog, Operation.CHAT, body);
	}

}
