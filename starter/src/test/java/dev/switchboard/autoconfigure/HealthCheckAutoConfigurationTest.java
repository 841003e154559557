package dev.switchboard.autoconfigure;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;

import dev.switchboard.autoconfigure.health.HealthCheckAutoConfiguration;
import dev.switchboard.autoconfigure.live.LiveConfigAutoConfiguration;
import dev.switchboard.catalog.CatalogException;
import dev.switchboard.dispatch.HealthProber;

import static org.assertj.core.api.Assertions.assertThat;

class HealthCheckAutoConfigurationTest {

	private final ReactiveWebApplicationContextRunner runner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SwitchboardAutoConfiguration.class, LiveConfigAutoConfiguration.class, HealthCheckAutoConfiguration.class))
		.withPropertyValues("switchboard.providers.p.type=openai", "switchboard.providers.p.base-url=http://127.0.0.1:9/v1",
				"switchboard.providers.q.type=openai", "switchboard.providers.q.base-url=http://127.0.0.1:9/v1",
				"switchboard.models[0].id=m", "switchboard.models[0].provider=p");

	@Test
	void offUnlessAProviderAsksForIt() {
		this.runner.run(context -> assertThat(context).doesNotHaveBean(HealthProber.class));
		this.runner.withPropertyValues("switchboard.providers.p.health-check.enabled=true")
			.run(context -> assertThat(context.getBean(HealthProber.class).health()).containsOnlyKeys("p"));
	}

	@Test
	void badSettingsFailStartUpNamingThePropertyToFix() {
		this.runner
			.withPropertyValues("switchboard.providers.p.health-check.enabled=true",
					"switchboard.providers.p.health-check.interval=0s", "switchboard.providers.q.health-check.enabled=true",
					"switchboard.providers.q.health-check.unhealthy-threshold=0")
			.run(context -> {
				assertThat(context).hasFailed();
				Throwable failure = context.getStartupFailure();
				while (!(failure instanceof CatalogException) && failure.getCause() != null) {
					failure = failure.getCause();
				}
				assertThat(((CatalogException) failure).problems()).containsExactlyInAnyOrder(
						"switchboard.providers.p.health-check.interval: must be positive, got PT0S",
						"switchboard.providers.q.health-check.unhealthy-threshold: must be at least 1, got 0");
			});
	}

}
