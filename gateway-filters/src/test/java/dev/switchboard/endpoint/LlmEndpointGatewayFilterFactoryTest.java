package dev.switchboard.endpoint;

import java.net.URI;
import java.util.Map;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.util.unit.DataSize;

import dev.switchboard.auth.HeaderTeamResolver;
import dev.switchboard.auth.TeamResolver;
import dev.switchboard.catalog.ModelCatalog;
import dev.switchboard.route.ModelResolver;
import dev.switchboard.testing.RouteFilters;
import dev.switchboard.testing.TestCatalogs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class LlmEndpointGatewayFilterFactoryTest {

	private final ModelCatalog catalog = TestCatalogs.catalog(URI.create("http://127.0.0.1:9/v1"));

	private final TeamResolver byDefault = new HeaderTeamResolver("x-team", Map.of());

	private final LlmEndpointGatewayFilterFactory factory = new LlmEndpointGatewayFilterFactory(
			new LlmEndpoint(new ModelResolver(this.catalog), new ModelsEndpoint(this.catalog)), this.byDefault,
			DataSize.ofMegabytes(10));

	@Test
	void theShortcutIsTheMaximumBodySize() {
		RouteFilters routes = new RouteFilters();
		assertThat(this.factory.name()).isEqualTo("LlmEndpoint");
		assertThat(routes.bind(this.factory, "LlmEndpoint=2MB").getMaxBodySize()).isEqualTo(DataSize.ofMegabytes(2));
		assertThat(routes.apply(this.factory, "LlmEndpoint")).hasToString(
				"[LlmEndpoint maxBodySize = 10485760B, teamResolver = 'HeaderTeamResolver']");
	}

	@Test
	void aTeamResolverIsABeanReference() {
		TeamResolver jwt = exchange -> Mono.empty();
		RouteFilters routes = new RouteFilters().bean("jwtTeamResolver", jwt);
		LlmEndpointGatewayFilterFactory.Config config = routes.bind(this.factory,
				Map.of("team-resolver", "#{@jwtTeamResolver}", "max-body-size", "512KB"));
		assertThat(config.getTeamResolver()).isSameAs(jwt);
		assertThat(config.getMaxBodySize()).isEqualTo(DataSize.ofKilobytes(512));
	}

	@Test
	void aBodySizeMustBePositive() {
		assertThatIllegalArgumentException().isThrownBy(() -> new RouteFilters().apply(this.factory, "LlmEndpoint=0B"))
			.withMessage("LlmEndpoint max-body-size must be positive, got 0B");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new LlmEndpointGatewayFilterFactory(new LlmEndpoint(new ModelResolver(this.catalog),
					new ModelsEndpoint(this.catalog)), this.byDefault, DataSize.ofBytes(0)))
			.withMessageContaining("switchboard.max-body-size");
	}

}
