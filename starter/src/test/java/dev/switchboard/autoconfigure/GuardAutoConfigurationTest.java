package dev.switchboard.autoconfigure;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.switchboard.autoconfigure.guard.GuardAutoConfiguration;
import dev.switchboard.autoconfigure.live.LiveConfigAutoConfiguration;
import dev.switchboard.catalog.CatalogException;
import dev.switchboard.guard.GuardRequest;
import dev.switchboard.guard.GuardService;
import dev.switchboard.guard.GuardVerdict;
import dev.switchboard.guard.Guardrail;
import dev.switchboard.guard.filter.LlmGuardGatewayFilterFactory;

import static org.assertj.core.api.Assertions.assertThat;

/** Guardrails from configuration and beans, and what start-up says when they are set wrong. */
class GuardAutoConfigurationTest {

	private final ReactiveWebApplicationContextRunner runner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SwitchboardAutoConfiguration.class, LiveConfigAutoConfiguration.class,
				GuardAutoConfiguration.class))
		.withPropertyValues("switchboard.providers.sim.type=mock", "switchboard.models[0].id=echo",
				"switchboard.models[0].provider=sim");

	@Test
	void configuredGuardrailsAndGuardrailBeansAreKnownByName() {
		this.runner.withUserConfiguration(OwnGuardrail.class)
			.withPropertyValues("switchboard.guard.guardrails.pii.mask=email,card")
			.run(context -> {
				GuardService guard = context.getBean(GuardService.class);
				assertThat(guard.names()).containsExactly("pii", "tone");
				assertThat(context).hasSingleBean(LlmGuardGatewayFilterFactory.class);
			});
	}

	@Test
	void wrongGuardrailsFailStartUpNamingThePropertyToFix() {
		this.runner.withUserConfiguration(OwnGuardrail.class)
			.withPropertyValues("switchboard.guard.guardrails.pii.mask=emial",
					"switchboard.guard.guardrails.scan.type=presidio", "switchboard.guard.guardrails.tone.deny=email",
					"switchboard.guard.guardrails.fast.deny=email", "switchboard.guard.guardrails.fast.timeout=0s")
			.run(context -> {
				assertThat(context).hasFailed();
				Throwable failure = context.getStartupFailure();
				while (!(failure instanceof CatalogException) && failure.getCause() != null) {
					failure = failure.getCause();
				}
				assertThat(((CatalogException) failure).problems()).containsExactlyInAnyOrder(
						"switchboard.guard.guardrails.pii.mask: 'emial' is not a pattern; use one of [api-key, card, "
								+ "email, iban, phone] or define it under patterns",
						"switchboard.guard.guardrails.scan.type: 'presidio' is not a guardrail type; use regex, or a "
								+ "Guardrail bean of your own",
						"switchboard.guard.guardrails.fast.timeout: must be positive, was PT0S",
						"switchboard.guard.guardrails.tone: a Guardrail bean has this name too; rename one of them");
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class OwnGuardrail {

		@Bean
		Guardrail toneGuardrail() {
			return new Guardrail() {
				@Override
				public String name() {
					return "tone";
				}

				@Override
				public Mono<GuardVerdict> checkRequest(GuardRequest request) {
					return Mono.just(GuardVerdict.allow());
				}
			};
		}

	}

}
