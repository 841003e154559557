package dev.switchboard.quota.filter;

import java.net.URI;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.cloud.gateway.filter.NettyRoutingFilter;
import org.springframework.core.Ordered;

import dev.switchboard.endpoint.LlmEndpointGatewayFilterFactory;
import dev.switchboard.quota.LimitSet;
import dev.switchboard.quota.QuotaPolicy;
import dev.switchboard.quota.admission.TokenQuotaService;
import dev.switchboard.quota.backend.InMemoryQuotaBackend;
import dev.switchboard.route.ModelResolver;
import dev.switchboard.testing.RouteFilters;
import dev.switchboard.testing.TestCatalogs;

import static org.assertj.core.api.Assertions.assertThat;

class LlmQuotaGatewayFilterFactoryTest {

	private final LlmQuotaGatewayFilterFactory factory = new LlmQuotaGatewayFilterFactory(TokenQuotaService
		.builder(new QuotaPolicy(LimitSet.NONE, Map.of(), Map.of(), Map.of(), null, 1024), new InMemoryQuotaBackend(),
				new ModelResolver(TestCatalogs.catalog(URI.create("http://127.0.0.1:9/v1"))))
		.build());

	private final RouteFilters routes = new RouteFilters();

	@Test
	void theShortcutIsDryRun() {
		assertThat(this.factory.name()).isEqualTo("LlmQuota");
		assertThat(this.routes.bind(this.factory, "LlmQuota=true").isDryRun()).isTrue();
		assertThat(this.routes.bind(this.factory, "LlmQuota").isDryRun()).isFalse();
		assertThat(this.routes.bind(this.factory, Map.of("dry-run", "true")).isDryRun()).isTrue();
		assertThat(this.routes.apply(this.factory, "LlmQuota=true")).hasToString("[LlmQuota dryRun = true]");
	}

	@Test
	void runsAfterTheEndpointAndBeforeRouting() {
		Ordered filter = (Ordered) this.routes.apply(this.factory, "LlmQuota");
		assertThat(filter.getOrder()).isGreaterThan(LlmEndpointGatewayFilterFactory.ORDER)
			.isLessThan(NettyRoutingFilter.ORDER);
	}

}
