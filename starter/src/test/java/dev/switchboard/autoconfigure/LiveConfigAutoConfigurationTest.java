package dev.switchboard.autoconfigure;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.core.env.MapPropertySource;

import dev.switchboard.autoconfigure.cache.CacheAutoConfiguration;
import dev.switchboard.autoconfigure.failover.FailoverAutoConfiguration;
import dev.switchboard.autoconfigure.live.ConfigReloader;
import dev.switchboard.autoconfigure.live.LiveConfigAutoConfiguration;
import dev.switchboard.autoconfigure.quota.QuotaAutoConfiguration;
import dev.switchboard.cache.CachePolicy;
import dev.switchboard.dispatch.FailoverPolicy;
import dev.switchboard.live.LiveConfig;
import dev.switchboard.quota.QuotaLimit;
import dev.switchboard.quota.admission.TokenQuotaService;
import dev.switchboard.route.ModelResolver;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A live change is checked by exactly the checks of start-up, constraints included, and names what
 * to fix; each capability's part of a version follows its own settings.
 */
class LiveConfigAutoConfigurationTest {

	private static final String HASH = "554a0d05033791f46fede07b724fa246c95235f60a9fb74caad37d1408b4df58";

	private final Map<String, Object> settings = new HashMap<>(Map.of("switchboard.providers.sim.type", "mock",
			"switchboard.providers.sim.base-url", "http://127.0.0.1:9/v1", "switchboard.models[0].id", "echo",
			"switchboard.models[0].provider", "sim", "switchboard.teams.a.key-hashes[0]", HASH));

	private final ReactiveWebApplicationContextRunner runner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SwitchboardAutoConfiguration.class, LiveConfigAutoConfiguration.class,
				FailoverAutoConfiguration.class, CacheAutoConfiguration.class, QuotaAutoConfiguration.class,
				ValidationAutoConfiguration.class))
		.withInitializer(context -> context.getEnvironment()
			.getPropertySources()
			.addFirst(new MapPropertySource("live", this.settings)));

	@Test
	void aChangeBecomesTheNextVersionWithEachCapabilitysPart() {
		this.runner.run(context -> {
			LiveConfig live = context.getBean(LiveConfig.class);
			String first = live.current().version();
			assertThat(live.current().require(CachePolicy.class).staleIfError()).isZero();

			this.settings.put("switchboard.models[0].aliases[0]", "fast");
			this.settings.put("switchboard.cache.stale-if-error", "1h");
			this.settings.put("switchboard.failover.max-attempts", "2");
			LiveConfig.Change change = context.getBean(ConfigReloader.class).reload("test");

			assertThat(change.summary().toString()).isEqualTo("aliases +fast; cache ~policy; failover ~defaults; models ~echo");
			assertThat(live.current().version()).isNotEqualTo(first).hasSize(12);
			assertThat(live.current().require(CachePolicy.class).staleIfError()).hasHours(1);
			assertThat(live.current().require(FailoverPolicy.class).maxAttempts()).isEqualTo(2);
			assertThat(live.current().require(ModelResolver.class).catalog().knows("fast")).isTrue();

			this.settings.remove("switchboard.models[0].aliases[0]");
			this.settings.remove("switchboard.cache.stale-if-error");
			this.settings.remove("switchboard.failover.max-attempts");
			context.getBean(ConfigReloader.class).reload("test");
			assertThat(live.current().version()).as("the same settings, the same id").isEqualTo(first);
		});
	}

	@Test
	void aTeamsQuotaChangesLiveAndIsCheckedAgainstTheVersionsOwnCatalog() {
		this.settings.put("switchboard.quota.teams.a.tokens-per-day", "1000");
		this.runner.run(context -> {
			TokenQuotaService quotas = context.getBean(TokenQuotaService.class);
			assertThat(quotas.policy().team("a").amounts()).containsEntry(QuotaLimit.TOKENS_PER_DAY, 1000L);

			this.settings.put("switchboard.quota.teams.a.tokens-per-day", "5000");
			LiveConfig.Change change = context.getBean(ConfigReloader.class).reload("test");
			assertThat(change.summary().toString()).isEqualTo("quotas ~team a");
			assertThat(quotas.policy().team("a").amounts()).containsEntry(QuotaLimit.TOKENS_PER_DAY, 5000L);

			this.settings.put("switchboard.quota.teams.a.models.ghost.tokens-per-day", "10");
			assertThat(context.getBean(ConfigReloader.class).reload("test")).isNull();
			assertThat(context.getBean(LiveConfig.class).lastRejection().problems())
				.anySatisfy(problem -> assertThat(problem).contains("switchboard.quota.teams.a.models").contains("ghost"));
		});
	}

	/**
	 * The id is a hash of the settings as written, not of runtime objects: two gateways whose
	 * simulated provider listens on a port of its own, started one after the other, agree.
	 */
	@Test
	void twoGatewaysWithTheSameSettingsReportTheSameVersion() {
		this.settings.remove("switchboard.providers.sim.base-url");
		String[] versions = new String[2];
		for (int i = 0; i < 2; i++) {
			int gateway = i;
			this.runner.run(context -> versions[gateway] = context.getBean(LiveConfig.class).current().version());
		}
		assertThat(versions[0]).hasSize(12).isEqualTo(versions[1]);

		this.settings.put("switchboard.providers.sim.response-timeout", "7s");
		this.runner.run(context -> versions[1] = context.getBean(LiveConfig.class).current().version());
		assertThat(versions[1]).as("a provider's timeout is part of its settings").isNotEqualTo(versions[0]);
		this.settings.put("switchboard.providers.sim.api-key", "rotated-key-0123456789");
		this.runner.run(context -> assertThat(context.getBean(LiveConfig.class).current().version())
			.as("and so is its key, masked as it is in the properties' toString")
			.isNotEqualTo(versions[1]));
	}

	@Test
	void aBadChangeIsRefusedWithTheMessagesOfStartUp() {
		this.runner.run(context -> {
			LiveConfig live = context.getBean(LiveConfig.class);
			String good = live.current().version();
			this.settings.put("switchboard.models[1].id", "ghost");
			this.settings.put("switchboard.models[1].provider", "nowhere");
			this.settings.put("switchboard.cache.ttl", "0s");
			assertThat(context.getBean(ConfigReloader.class).reload("test")).isNull();
			assertThat(live.current().version()).isEqualTo(good);
			assertThat(live.lastRejection().problems()).anySatisfy(problem -> assertThat(problem).contains("nowhere"))
				.anySatisfy(problem -> assertThat(problem).isEqualTo("switchboard.cache.ttl: must be positive, was PT0S"));

			this.settings.remove("switchboard.models[1].id");
			this.settings.remove("switchboard.models[1].provider");
			this.settings.put("switchboard.cache.ttl", "1m");
			this.settings.put("switchboard.providers.sim.default-max-tokens", "0");
			assertThat(context.getBean(ConfigReloader.class).reload("test")).isNull();
			assertThat(live.lastRejection().problems()).singleElement()
				.asString()
				.as("the JSR-303 constraints of the properties, as at start-up")
				.startsWith("switchboard")
				.contains("default-max-tokens");
		});
	}

	@Test
	void badLiveSettingsFailStartUp() {
		this.runner.withPropertyValues("switchboard.config.history=1")
			.run(context -> assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("switchboard.config.history: must be at least 2"));
	}

}
