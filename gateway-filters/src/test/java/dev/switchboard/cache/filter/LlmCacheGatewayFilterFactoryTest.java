package dev.switchboard.cache.filter;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.core.Ordered;

import dev.switchboard.cache.CacheMetrics;
import dev.switchboard.cache.CachePolicy;
import dev.switchboard.cache.CacheService;
import dev.switchboard.cache.ExchangeCache;
import dev.switchboard.cache.store.InMemoryCacheStore;
import dev.switchboard.quota.filter.LlmQuotaGatewayFilterFactory;
import dev.switchboard.testing.RouteFilters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class LlmCacheGatewayFilterFactoryTest {

	private final LlmCacheGatewayFilterFactory factory = new LlmCacheGatewayFilterFactory(
			new ExchangeCache(new CacheService(new InMemoryCacheStore(10), CachePolicy.defaults())));

	private final RouteFilters routes = new RouteFilters();

	@Test
	void theShortcutIsTheTtl() {
		assertThat(this.factory.name()).isEqualTo("LlmCache");
		assertThat(this.routes.bind(this.factory, "LlmCache=10m").getTtl()).isEqualTo(Duration.ofMinutes(10));
		assertThat(this.routes.bind(this.factory, "LlmCache").getTtl()).isNull();
	}

	@Test
	void theTtlIsANamedArgumentToo() {
		assertThat(this.routes.bind(this.factory, Map.of("ttl", "90s")).getTtl()).isEqualTo(Duration.ofSeconds(90));
		assertThat(this.routes.apply(this.factory, "LlmCache=90s")).hasToString("[LlmCache ttl = PT1M30S]");
	}

	@Test
	void runsBeforeQuotasSoAHitCostsNoTokens() {
		Ordered filter = (Ordered) this.routes.apply(this.factory, "LlmCache");
		assertThat(filter.getOrder()).isLessThan(LlmQuotaGatewayFilterFactory.ORDER);
	}

	@Test
	void aRouteTtlMustBePositive() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.routes.apply(this.factory, "LlmCache=0s"))
			.withMessage("LlmCache ttl must be positive, was PT0S");
	}

	@Test
	void aQuotaFractionOutsideZeroToOneIsRefused() {
		CacheService service = new CacheService(new InMemoryCacheStore(10), CachePolicy.defaults());
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new ExchangeCache(service, CacheMetrics.NONE, 1.5))
			.withMessageContaining("quotaFraction");
	}

}
