package dev.switchboard.cache;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.core.Ordered;

import dev.switchboard.quota.LlmQuotaGatewayFilterFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class LlmCacheGatewayFilterFactoryTest {

	private final LlmCacheGatewayFilterFactory factory = new LlmCacheGatewayFilterFactory(
			new CacheService(new InMemoryCacheStore(10), CachePolicy.defaults()));

	@Test
	void theShortcutIsTheTtl() {
		assertThat(this.factory.shortcutFieldOrder()).containsExactly("ttl");
		assertThat(this.factory.name()).isEqualTo("LlmCache");
	}

	@Test
	void runsBeforeQuotasSoAHitCostsNoTokens() {
		Ordered filter = (Ordered) this.factory.apply(new LlmCacheGatewayFilterFactory.Config());
		assertThat(filter.getOrder()).isLessThan(LlmQuotaGatewayFilterFactory.ORDER);
	}

	@Test
	void aRouteTtlMustBePositive() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.factory.apply(new LlmCacheGatewayFilterFactory.Config().setTtl(Duration.ZERO)))
			.withMessageContaining("ttl");
	}

}
