package dev.switchboard.autoconfigure;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;

import dev.switchboard.autoconfigure.live.LiveConfigAutoConfiguration;
import dev.switchboard.catalog.CatalogException;
import dev.switchboard.dispatch.ProviderLimits;

import static org.assertj.core.api.Assertions.assertThat;

class ProviderLimitsConfigurationTest {

	private final ReactiveWebApplicationContextRunner runner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SwitchboardAutoConfiguration.class, LiveConfigAutoConfiguration.class))
		.withPropertyValues("switchboard.providers.p.type=openai", "switchboard.providers.p.base-url=http://127.0.0.1:9/v1",
				"switchboard.models[0].id=m", "switchboard.models[0].provider=p");

	@Test
	void limitsBindPerProviderAndAreOffUnlessSet() {
		this.runner.run(context -> assertThat(context.getBean(ProviderLimits.class).inFlight()).isEmpty());
		this.runner.withPropertyValues("switchboard.providers.p.limits.max-in-flight=8",
				"switchboard.providers.p.limits.tokens-per-minute=90000", "switchboard.providers.p.limits.max-wait=2s")
			.run(context -> assertThat(context.getBean(ProviderLimits.class).inFlight()).containsEntry("p", 0));
	}

	@Test
	void aBadLimitFailsStartUpNamingTheProvider() {
		this.runner.withPropertyValues("switchboard.providers.p.limits.max-in-flight=1",
				"switchboard.providers.p.limits.max-wait=-1s")
			.run(context -> {
				assertThat(context).hasFailed();
				Throwable failure = context.getStartupFailure();
				while (!(failure instanceof CatalogException) && failure.getCause() != null) {
					failure = failure.getCause();
				}
				assertThat(((CatalogException) failure).problems())
					.containsExactly("switchboard.providers.p.limits: max-wait must not be negative, got PT-1S");
			});
	}

}
