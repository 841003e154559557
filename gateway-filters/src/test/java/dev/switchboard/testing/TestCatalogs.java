package dev.switchboard.testing;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.catalog.Capability;
import dev.switchboard.catalog.ModelCatalog;
import dev.switchboard.catalog.ModelSpec;
import dev.switchboard.catalog.ProviderSpec;
import dev.switchboard.catalog.ProviderType;
import dev.switchboard.catalog.Secret;
import dev.switchboard.core.Json;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.Operation;
import dev.switchboard.core.Team;
import dev.switchboard.route.ModelResolver;

/** Small catalogs and exchanges for tests that need no Spring context. */
public final class TestCatalogs {

	public static final String PROVIDER_KEY = "provider-secret-key-0123456789";

	private TestCatalogs() {
	}

	public static ProviderSpec openAi(String name, URI baseUrl) {
		return new ProviderSpec(name, ProviderType.OPENAI, baseUrl, Secret.of(PROVIDER_KEY),
				Map.of("OpenAI-Organization", "org-test"), Duration.ofSeconds(2), Duration.ofSeconds(5), true);
	}

	public static ModelSpec chatModel(String id, String provider, String upstream, String... aliases) {
		return new ModelSpec(id, provider, upstream, List.of(aliases), new BigDecimal("1.00"), new BigDecimal("2.00"),
				null, 128_000, Set.of(Capability.CHAT, Capability.TOOLS));
	}

	public static ModelCatalog catalog(URI baseUrl) {
		return new ModelCatalog(List.of(openAi("openai", baseUrl)),
				List.of(chatModel("gpt-test", "openai", "gpt-test-2026-01", "fast"),
						new ModelSpec("embed-test", "openai", "embed-test", List.of(), null, null, null, null,
								Set.of(Capability.EMBEDDINGS))));
	}

	/** A parsed exchange for {@code body}, routed through {@code catalog} for an unrestricted team. */
	public static LlmExchange exchange(ModelCatalog catalog, Operation operation, String body) {
		return exchange("req_test", catalog, operation, body);
	}

	/** An exchange of team-a with its own request id. */
	public static LlmExchange exchange(String requestId, ModelCatalog catalog, Operation operation, String body) {
		ObjectNode node = (ObjectNode) Json.MAPPER.readTree(body);
		Team team = Team.unrestricted("team-a");
		return new LlmExchange(requestId, operation, team, node,
				new ModelResolver(catalog).resolve(node.path("model").asString(), team, operation));
	}

}
