package dev.switchboard.autoconfigure.health;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import reactor.core.scheduler.Schedulers;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

import dev.switchboard.autoconfigure.SwitchboardAutoConfiguration;
import dev.switchboard.autoconfigure.SwitchboardProperties;
import dev.switchboard.catalog.CatalogException;
import dev.switchboard.catalog.ModelCatalog;
import dev.switchboard.catalog.ProviderSpec;
import dev.switchboard.dispatch.HealthProber;
import dev.switchboard.dispatch.ProviderClients;
import dev.switchboard.route.TargetStats;
import dev.switchboard.translate.ProviderAdapters;

/**
 * Active health checks, when a provider sets {@code health-check.enabled}: a {@link HealthProber}
 * started with the application and stopped with it, its verdict in the {@link TargetStats} that
 * pools, fallbacks and passive ejection share, an {@code llm} contributor in
 * {@code /actuator/health} with the actuator, and probe metrics with Micrometer.
 */
@AutoConfiguration(after = SwitchboardAutoConfiguration.class)
@ConditionalOnClass(GlobalFilter.class)
@ConditionalOnBooleanProperty(name = "switchboard.enabled", matchIfMissing = true)
@Conditional(OnHealthChecks.class)
@EnableConfigurationProperties(SwitchboardProperties.class)
public class HealthCheckAutoConfiguration {

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	HealthProber switchboardHealthProber(SwitchboardProperties properties, ModelCatalog catalog,
			ProviderAdapters adapters, ProviderClients clients, TargetStats stats,
			ObjectProvider<HealthProber.Listener> listener) {
		List<String> problems = new ArrayList<>();
		Map<ProviderSpec, HealthProber.Settings> probed = new LinkedHashMap<>();
		properties.providers().forEach((name, provider) -> {
			SwitchboardProperties.HealthCheck check = provider.healthCheck();
			if (!check.enabled()) {
				return;
			}
			ProviderSpec spec = catalog.provider(name);
			if (spec.apiKey() == null && spec.type() != dev.switchboard.catalog.ProviderType.OPENAI
					&& spec.type() != dev.switchboard.catalog.ProviderType.MOCK) {
				problems.add("switchboard.providers." + name + ".health-check.enabled: the probe uses the provider's "
						+ "credential; set switchboard.providers." + name + ".api-key");
				return;
			}
			if (adapters.forType(spec.type()).modelsRequest(spec) == null) {
				problems.add("switchboard.providers." + name + ".health-check.enabled: the adapter of type " + provider.type()
						+ " has no models request to probe with; turn the health check off for this provider");
				return;
			}
			try {
				probed.put(spec, new HealthProber.Settings(check.interval(), check.timeout(),
						check.jitter(), check.healthyThreshold(), check.unhealthyThreshold()));
			}
			catch (IllegalArgumentException ex) {
				// "interval must be positive, got PT0S" -> "...health-check.interval: must be positive, got PT0S"
				String message = ex.getMessage();
				int space = message.indexOf(' ');
				problems.add("switchboard.providers." + name + ".health-check." + message.substring(0, space) + ":"
						+ message.substring(space));
			}
		});
		if (!problems.isEmpty()) {
			throw new CatalogException(problems);
		}
		return new HealthProber(adapters, clients, stats, probed, Schedulers.parallel(),
				listener.getIfAvailable(() -> HealthProber.Listener.NONE), Clock.systemUTC());
	}

	/** Probes from start-up to shutdown; stopped before the web server, like any background work. */
	@Bean
	SmartLifecycle switchboardHealthProberLifecycle(HealthProber prober) {
		return new SmartLifecycle() {

			private volatile boolean running;

			@Override
			public void start() {
				prober.start();
				this.running = true;
			}

			@Override
			public void stop() {
				prober.close();
				this.running = false;
			}

			@Override
			public boolean isRunning() {
				return this.running;
			}
		};
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(ReactiveHealthIndicator.class)
	static class HealthIndicatorConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "llmHealthIndicator")
		LlmHealthIndicator llmHealthIndicator(HealthProber prober, Environment environment) {
			return new LlmHealthIndicator(prober,
					environment.getProperty("switchboard.health-checks.down-when-unhealthy", Boolean.class, false));
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterRegistry.class)
	static class HealthMetricsConfiguration {

		/**
		 * {@code switchboard.health.probes} (timer by provider and result), {@code switchboard.health.changes}
		 * (counter by provider and new state), {@code switchboard.health.healthy} (gauge, 1 or 0, per provider).
		 */
		@Bean
		@ConditionalOnMissingBean
		HealthProber.Listener switchboardHealthMetrics(ObjectProvider<MeterRegistry> registries) {
			return new HealthProber.Listener() {
				@Override
				public void probed(String provider, boolean ok, Duration took) {
					registries.ifAvailable(registry -> Timer.builder("switchboard.health.probes")
						.description("Active health checks of providers, by result")
						.tags("provider", provider, "result", ok ? "ok" : "failed")
						.register(registry)
						.record(took));
				}

				@Override
				public void changed(String provider, boolean healthy) {
					registries.ifAvailable(registry -> Counter.builder("switchboard.health.changes")
						.description("Providers becoming healthy or unhealthy")
						.tags("provider", provider, "state", healthy ? "healthy" : "unhealthy")
						.register(registry)
						.increment());
				}
			};
		}

		@Bean
		MeterBinder switchboardHealthGauges(HealthProber prober) {
			return registry -> prober.health().keySet().forEach(provider -> Gauge
				.builder("switchboard.health.healthy", prober, p -> {
					HealthProber.Health health = p.health().get(provider);
					return (health != null && health.healthy()) ? 1 : 0;
				})
				.description("1 while the provider passes its health checks, 0 while it fails them")
				.tag("provider", provider)
				.register(registry));
		}

	}

}
