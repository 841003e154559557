package dev.switchboard.guard.filter;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.springframework.core.Ordered;

import dev.switchboard.cache.filter.LlmCacheGatewayFilterFactory;
import dev.switchboard.guard.GuardMetrics;
import dev.switchboard.guard.GuardService;
import dev.switchboard.guard.GuardedRail;
import dev.switchboard.guard.Stage;
import dev.switchboard.guard.regex.RegexGuardrail;
import dev.switchboard.testing.RouteFilters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** The route YAML of {@code LlmGuard}: its shortcut, its named argument, its checks and its place. */
class LlmGuardGatewayFilterFactoryTest {

	private final LlmGuardGatewayFilterFactory factory = new LlmGuardGatewayFilterFactory(new GuardService(Map.of(
			"pii", rail("pii"), "secrets", rail("secrets")), GuardMetrics.NONE));

	private final RouteFilters routes = new RouteFilters();

	@Test
	void theShortcutListsTheGuardrailsInOrder() {
		assertThat(this.factory.name()).isEqualTo("LlmGuard");
		assertThat(this.routes.bind(this.factory, "LlmGuard=secrets,pii").getGuardrails())
			.containsExactly("secrets", "pii");
		assertThat(this.routes.apply(this.factory, "LlmGuard=pii,secrets"))
			.hasToString("[LlmGuard guardrails = list['pii', 'secrets']]");
	}

	@Test
	void theGuardrailsAreANamedArgumentToo() {
		// As route YAML hands them over (args: {guardrails: [pii, secrets]}): flattened, in order.
		Map<String, String> args = new LinkedHashMap<>();
		args.put("guardrails[0]", "pii");
		args.put("guardrails[1]", "secrets");
		assertThat(this.routes.bind(this.factory, args).getGuardrails()).containsExactly("pii", "secrets");
	}

	@Test
	void anUnknownOrMissingGuardrailFailsTheRouteNamingWhatIsConfigured() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.routes.apply(this.factory, "LlmGuard=pii,pi"))
			.withMessage("LlmGuard: 'pi' is not a guardrail; define it under switchboard.guard.guardrails or as a "
					+ "Guardrail bean; configured: [pii, secrets]");
		assertThatIllegalArgumentException().isThrownBy(() -> this.routes.apply(this.factory, "LlmGuard"))
			.withMessage("LlmGuard needs at least one guardrail, e.g. LlmGuard=pii; configured: [pii, secrets]");
	}

	@Test
	void runsBeforeTheCacheSoAMaskedRequestIsCachedAsMasked() {
		Ordered filter = (Ordered) this.routes.apply(this.factory, "LlmGuard=pii");
		assertThat(filter.getOrder()).isLessThan(LlmCacheGatewayFilterFactory.ORDER);
	}

	private static GuardedRail rail(String name) {
		return new GuardedRail(new RegexGuardrail(name, List.of(), List.of("email"), Map.of()), Duration.ofSeconds(1),
				true, Set.of(Stage.PRE), Set.of(), Set.of(), GuardedRail.WHOLE_ANSWER);
	}

}
