package dev.switchboard.dispatch;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.switchboard.testing.RouteFilters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class LlmFailoverGatewayFilterFactoryTest {

	private final FailoverPolicy defaults = FailoverPolicy.defaults();

	private final LlmFailoverGatewayFilterFactory factory = new LlmFailoverGatewayFilterFactory(this.defaults);

	private final RouteFilters routes = new RouteFilters();

	@Test
	void theShortcutIsMaxAttemptsThenDeadline() {
		assertThat(this.factory.name()).isEqualTo("LlmFailover");
		FailoverPolicy policy = this.routes.bind(this.factory, "LlmFailover=2, 15s").over(this.defaults);
		assertThat(policy.maxAttempts()).isEqualTo(2);
		assertThat(policy.deadline()).isEqualTo(Duration.ofSeconds(15));
		assertThat(policy.retriesPerTarget()).isEqualTo(this.defaults.retriesPerTarget());
		assertThat(policy.triggers()).isEqualTo(this.defaults.triggers());
	}

	@Test
	void namedArgumentsOverrideOnlyWhatTheyName() {
		FailoverPolicy policy = this.routes.bind(this.factory, Map.of("retries-per-target", "0",
				"triggers", "RATE_LIMITED, TIMEOUT", "total-timeout", "5m")).over(this.defaults);
		assertThat(policy.retriesPerTarget()).isZero();
		assertThat(policy.triggers()).isEqualTo(EnumSet.of(Trigger.RATE_LIMITED, Trigger.TIMEOUT));
		assertThat(policy.totalTimeout()).isEqualTo(Duration.ofMinutes(5));
		assertThat(policy.maxAttempts()).isEqualTo(this.defaults.maxAttempts());
		assertThat(policy.deadline()).isEqualTo(this.defaults.deadline());
	}

	@Test
	void anEmptyTriggerListTurnsRetriesOff() {
		assertThat(this.routes.bind(this.factory, Map.of("triggers", "")).over(this.defaults).triggers()).isEmpty();
	}

	@Test
	void aBadArgumentFailsTheRouteNamingIt() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.routes.apply(this.factory, "LlmFailover=0"))
			.withMessage("LlmFailover max-attempts must be at least 1, got 0");
		assertThatIllegalArgumentException().isThrownBy(() -> this.routes.apply(this.factory, "LlmFailover=2, 0s"))
			.withMessage("LlmFailover deadline must be positive, got PT0S");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.factory.apply(this.routes.bind(this.factory, Map.of("total-timeout", "-1s"))))
			.withMessage("LlmFailover total-timeout must be positive, got PT-1S");
	}

}
