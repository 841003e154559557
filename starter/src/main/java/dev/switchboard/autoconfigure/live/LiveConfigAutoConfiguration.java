package dev.switchboard.autoconfigure.live;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.context.environment.EnvironmentChangeEvent;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;

import dev.switchboard.autoconfigure.SnapshotAssembler;
import dev.switchboard.catalog.ModelCatalog;
import dev.switchboard.catalog.ModelSpec;
import dev.switchboard.dispatch.TargetBreakers;
import dev.switchboard.live.LiveConfig;
import dev.switchboard.route.ModelResolver;
import dev.switchboard.route.Rollout;
import dev.switchboard.route.Rollouts;
import dev.switchboard.route.TargetStats;

/**
 * Live configuration: the {@link LiveConfig} every request binds its configuration version from,
 * and what changes it without a restart. Spring Cloud's environment refresh
 * ({@code POST /actuator/refresh}, Spring Cloud Config, Kubernetes ConfigMaps, Bus: anything that
 * publishes an {@link EnvironmentChangeEvent}) when spring-cloud-context is there, and a watched
 * YAML file ({@code switchboard.config.watch.file}) for gateways without a config server.
 * {@code /actuator/llmconfig} shows the versions and rolls back.
 */
@AutoConfiguration
@ConditionalOnClass(GlobalFilter.class)
@ConditionalOnBooleanProperty(name = "switchboard.enabled", matchIfMissing = true)
@EnableConfigurationProperties(LiveConfigProperties.class)
public class LiveConfigAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ConfigReloader switchboardConfigReloader(ConfigurableEnvironment environment, SnapshotAssembler assembler,
			LiveConfigProperties properties, ObjectProvider<LiveConfig.Listener> listeners) {
		properties.validate();
		return new ConfigReloader(environment, assembler, properties.watch().file(), properties.history(),
				listeners.orderedStream().toList());
	}

	@Bean
	@ConditionalOnMissingBean
	LiveConfig switchboardLiveConfig(ConfigReloader reloader, Rollouts rollouts) {
		LiveConfig live = reloader.live();
		// The start-up version's rollouts start now; later versions' as they are applied.
		rollouts.retain(live.current().require(ModelResolver.class).rollouts());
		return live;
	}

	/**
	 * Keeps the breakers and statistics (latency, failures, ejection) of targets that are still
	 * there after a change, and drops those of targets that are gone.
	 */
	@Bean
	LiveConfig.Listener switchboardTargetStateCarryOver(TargetStats stats, ObjectProvider<TargetBreakers> breakers,
			Rollouts rollouts) {
		return new LiveConfig.Listener() {
			@Override
			public void applied(LiveConfig.Change change) {
				ModelCatalog catalog = change.current().require(ModelCatalog.class);
				Set<String> labels = new HashSet<>();
				for (ModelSpec model : catalog.models()) {
					labels.add(model.provider() + "/" + model.upstreamModel());
				}
				stats.retain(labels);
				breakers.ifAvailable(targets -> targets.retain(labels));
				// A rollout keeps its progress while its own settings stay; changed or gone, it starts afresh.
				rollouts.retain(change.current().require(ModelResolver.class).rollouts());
			}
		};
	}

	@Bean
	@ConditionalOnProperty("switchboard.config.watch.file")
	ConfigFileWatcher switchboardConfigFileWatcher(ConfigReloader reloader, LiveConfigProperties properties) {
		return new ConfigFileWatcher(reloader, properties.watch().file(), properties.watch().interval());
	}

	/** Spring Cloud's refresh: a change of any {@code switchboard.*} key builds a new version. */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(EnvironmentChangeEvent.class)
	static class RefreshConfiguration {

		@Bean
		SwitchboardRefreshListener switchboardEnvironmentChangeListener(ConfigReloader reloader) {
			return new SwitchboardRefreshListener(reloader);
		}

	}

	/** Reloads when a refresh changed a {@code switchboard.*} key (in any relaxed form). */
	static final class SwitchboardRefreshListener implements ApplicationListener<EnvironmentChangeEvent> {

		private final ConfigReloader reloader;

		SwitchboardRefreshListener(ConfigReloader reloader) {
			this.reloader = reloader;
		}

		@Override
		public void onApplicationEvent(EnvironmentChangeEvent event) {
			Set<String> keys = new HashSet<>();
			event.getKeys().forEach(key -> keys.add(key.toLowerCase(Locale.ROOT).replace('_', '.')));
			if (keys.stream().anyMatch(key -> key.startsWith("switchboard.") && !key.startsWith("switchboard.config."))) {
				this.reloader.reload("refresh");
			}
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(Endpoint.class)
	static class EndpointConfiguration {

		@Bean
		@ConditionalOnMissingBean
		@ConditionalOnAvailableEndpoint
		LlmConfigEndpoint llmConfigEndpoint(LiveConfig live, Rollouts rollouts) {
			return new LlmConfigEndpoint(live, rollouts);
		}

	}

	/** {@code switchboard.config.changes}, tag {@code outcome}: applied, rolled-back, rejected. */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterRegistry.class)
	static class MetricsConfiguration {

		/** The rollouts of the start-up version; those of later versions are added as they come. */
		@Bean
		MeterBinder switchboardRolloutGauges(LiveConfig live, Rollouts rollouts) {
			return registry -> live.current().require(ModelResolver.class).rollouts()
				.forEach(rollout -> share(registry, rollouts, rollout));
		}

		/**
		 * {@code switchboard.rollout.share}: the share on the new model of a rollout (0 once aborted), by
		 * name; its aborted counter is there from the start too, at 0.
		 */
		static void share(MeterRegistry registry, Rollouts rollouts, Rollout rollout) {
			registry.counter("switchboard.rollout.aborted", "rollout", rollout.name());
			Gauge.builder("switchboard.rollout.share", rollouts, running -> running.share(rollout.name()))
				.tag("rollout", rollout.name())
				.baseUnit("percent")
				.register(registry);
		}

		/** {@code switchboard.rollout.aborted} (tag {@code rollout}). */
		@Bean
		Rollouts.Metrics switchboardRolloutMetrics(ObjectProvider<MeterRegistry> registry) {
			return new Rollouts.Metrics() {
				@Override
				public void aborted(String rollout) {
					registry.ifAvailable(r -> r.counter("switchboard.rollout.aborted", "rollout", rollout).increment());
				}
			};
		}

		/** Each outcome's counter exists from start-up at 0, so dashboards and alerts see a series before the first change. */
		@Bean
		LiveConfig.Listener switchboardConfigMetrics(ObjectProvider<MeterRegistry> registry, Rollouts rollouts,
				LiveConfigProperties properties) {
			registry.ifAvailable(r -> List.of("applied", "rolled-back", "rejected")
				.forEach(outcome -> r.counter("switchboard.config.changes", "outcome", outcome)));
			return new LiveConfig.Listener() {
				@Override
				public void applied(LiveConfig.Change change) {
					String outcome = "rollback".equals(change.current().source()) ? "rolled-back" : "applied";
					registry.ifAvailable(r -> {
						r.counter("switchboard.config.changes", "outcome", outcome).increment();
						change.current().require(ModelResolver.class).rollouts().forEach(rollout -> share(r, rollouts, rollout));
					});
				}

				@Override
				public void rejected(LiveConfig.Rejection rejection) {
					registry.ifAvailable(r -> r.counter("switchboard.config.changes", "outcome", "rejected").increment());
				}
			};
		}

	}

}
