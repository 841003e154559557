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
					"switchboard.guard.guardrails.scan.type=clamav", "switchboard.guard.guardrails.tone.deny=email",
					"switchboard.guard.guardrails.fast.deny=email", "switchboard.guard.guardrails.fast.timeout=0s",
					"switchboard.guard.guardrails.late.mask=email", "switchboard.guard.guardrails.late.stages=during",
					"switchboard.guard.guardrails.back.mask=email", "switchboard.guard.guardrails.back.stages=post",
					"switchboard.guard.guardrails.back.reversible=true",
					"switchboard.guard.guardrails.wide.deny=email", "switchboard.guard.guardrails.wide.stages=post",
					"switchboard.guard.guardrails.wide.stream-window=soon",
					"switchboard.guard.guardrails.presidio.type=presidio",
					"switchboard.guard.guardrails.presidio.entities.US_SSN=block",
					"switchboard.guard.guardrails.hook.type=webhook",
					"switchboard.guard.guardrails.hook.url=http://127.0.0.1:9/check")
			.run(context -> {
				assertThat(context).hasFailed();
				Throwable failure = context.getStartupFailure();
				while (!(failure instanceof CatalogException) && failure.getCause() != null) {
					failure = failure.getCause();
				}
				assertThat(((CatalogException) failure).problems()).containsExactlyInAnyOrder(
						"switchboard.guard.guardrails.pii.mask: 'emial' is not a pattern; use one of [api-key, card, "
								+ "email, iban, phone] or define it under patterns",
						"switchboard.guard.guardrails.scan.type: 'clamav' is not a guardrail type; use regex, presidio "
								+ "or webhook, or a Guardrail bean of your own",
						"switchboard.guard.guardrails.late.stages: a during check sees the request as it was sent and "
								+ "cannot mask it; run the masks before the call (stages: [pre]) and keep during for deny "
								+ "patterns",
						"switchboard.guard.guardrails.back.reversible: only a request's masks (stages: [pre]) can be "
								+ "put back in the answer",
						"switchboard.guard.guardrails.wide.stream-window: must be 'end' or a number of characters, was "
								+ "'soon'",
						"switchboard.guard.guardrails.presidio.analyzer-url: set the Presidio analyzer's base URL, e.g. "
								+ "http://presidio-analyzer:3000",
						"switchboard.guard.guardrails.hook.secret: set the key the calls are signed with (HMAC-SHA256), "
								+ "e.g. secret: ${GUARD_WEBHOOK_SECRET}",
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
