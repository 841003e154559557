package dev.switchboard.autoconfigure.guard;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.switchboard.catalog.CatalogException;
import dev.switchboard.catalog.Secret;
import dev.switchboard.guard.GuardMetrics;
import dev.switchboard.guard.GuardService;
import dev.switchboard.guard.GuardedRail;
import dev.switchboard.guard.Guardrail;
import dev.switchboard.guard.Stage;
import dev.switchboard.guard.filter.LlmGuardGatewayFilterFactory;
import dev.switchboard.guard.presidio.PresidioGuardrail;
import dev.switchboard.guard.regex.RegexGuardrail;
import dev.switchboard.guard.webhook.WebhookGuardrail;

/**
 * Guardrails ({@code switchboard.guard.*}, on by default): the {@link GuardService} of the
 * guardrails configured under {@code switchboard.guard.guardrails} (regex, Presidio, webhook) and
 * of the application's own {@link Guardrail} beans (in their own stages, two seconds to answer,
 * fail-closed), and the {@code LlmGuard} filter that routes name them with. Remote guardrails call
 * out on a connection pool of their own, so a slow policy service never holds the providers'
 * connections. Metrics when Micrometer is present: {@value #CHECKS} by guardrail, stage and
 * outcome, {@value #DURATION} by guardrail and stage.
 */
@AutoConfiguration
@ConditionalOnClass(GlobalFilter.class)
@ConditionalOnBooleanProperty(name = "switchboard.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "switchboard.guard.enabled", matchIfMissing = true)
@EnableConfigurationProperties(GuardProperties.class)
public class GuardAutoConfiguration {

	public static final String CHECKS = "switchboard.guard.checks";

	public static final String DURATION = "switchboard.guard.duration";

	/** The connections guardrails call their services on, apart from the providers' own. */
	@Bean(destroyMethod = "dispose")
	@ConditionalOnMissingBean(name = "switchboardGuardConnections")
	ConnectionProvider switchboardGuardConnections() {
		return ConnectionProvider.builder("switchboard-guard").maxConnections(200).pendingAcquireMaxCount(2000)
			.maxIdleTime(Duration.ofSeconds(30)).build();
	}

	@Bean
	@ConditionalOnMissingBean
	GuardService switchboardGuardService(GuardProperties properties, ObjectProvider<Guardrail> beans,
			ObjectProvider<GuardMetrics> metrics, ConnectionProvider switchboardGuardConnections) {
		HttpClient client = HttpClient.create(switchboardGuardConnections);
		List<String> problems = new ArrayList<>();
		Map<String, GuardedRail> rails = new LinkedHashMap<>();
		properties.guardrails().forEach((name, rule) -> {
			String where = "switchboard.guard.guardrails." + name;
			try {
				Set<Stage> stages = stages(rule);
				Guardrail guardrail = switch (rule.type()) {
					case "regex" -> regex(name, rule, stages);
					case "presidio" -> presidio(name, rule, stages, client);
					case "webhook" -> webhook(name, rule, stages, client);
					default -> throw new IllegalArgumentException("type: '" + rule.type() + "' is not a guardrail type; "
							+ "use regex, presidio or webhook, or a Guardrail bean of your own");
				};
				rails.put(name, new GuardedRail(guardrail, positive(rule.timeout()),
						rule.failMode() == GuardProperties.FailMode.CLOSED, stages, Set.copyOf(rule.teams()),
						Set.copyOf(rule.models()), window(rule.streamWindow())));
			}
			catch (IllegalArgumentException ex) {
				problems.add(where + "." + ex.getMessage());
			}
		});
		beans.orderedStream().forEach(bean -> {
			if (rails.containsKey(bean.name())) {
				problems.add("switchboard.guard.guardrails." + bean.name() + ": a Guardrail bean has this name too; "
						+ "rename one of them");
				return;
			}
			rails.put(bean.name(), new GuardedRail(bean, GuardedRail.DEFAULT_TIMEOUT, true));
		});
		if (!problems.isEmpty()) {
			throw new CatalogException(problems);
		}
		return new GuardService(rails, metrics.getIfAvailable(() -> GuardMetrics.NONE));
	}

	private static Duration positive(Duration timeout) {
		if (timeout.isZero() || timeout.isNegative()) {
			throw new IllegalArgumentException("timeout: must be positive, was " + timeout);
		}
		return timeout;
	}

	private static int window(String streamWindow) {
		String value = streamWindow.trim();
		if (value.equalsIgnoreCase("end")) {
			return GuardedRail.WHOLE_ANSWER;
		}
		try {
			return Integer.parseInt(value);
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException("stream-window: must be 'end' or a number of characters, was '"
					+ streamWindow + "'");
		}
	}

	private static Set<Stage> stages(GuardProperties.Guardrail rule) {
		if (rule.stages().isEmpty()) {
			throw new IllegalArgumentException("stages: name at least one of pre, during, post");
		}
		return EnumSet.copyOf(rule.stages());
	}

	private static Guardrail regex(String name, GuardProperties.Guardrail rule, Set<Stage> stages) {
		if (stages.contains(Stage.DURING) && !rule.mask().isEmpty()) {
			throw new IllegalArgumentException("stages: a during check sees the request as it was sent and cannot "
					+ "mask it; run the masks before the call (stages: [pre]) and keep during for deny patterns");
		}
		if (rule.reversible() && !stages.contains(Stage.PRE)) {
			throw new IllegalArgumentException("reversible: only a request's masks (stages: [pre]) can be put back in "
					+ "the answer");
		}
		return new RegexGuardrail(name, rule.deny(), rule.mask(), rule.patterns(), rule.reversible());
	}

	private static Guardrail presidio(String name, GuardProperties.Guardrail rule, Set<Stage> stages,
			HttpClient client) {
		if (rule.analyzerUrl() == null) {
			throw new IllegalArgumentException("analyzer-url: set the Presidio analyzer's base URL, e.g. "
					+ "http://presidio-analyzer:3000");
		}
		if (stages.contains(Stage.DURING) && rule.entities().containsValue(PresidioGuardrail.Action.MASK)) {
			throw new IllegalArgumentException("stages: a during check sees the request as it was sent and cannot "
					+ "mask it; block these entities or run the guardrail before the call (stages: [pre])");
		}
		return new PresidioGuardrail(name, rule.analyzerUrl(), rule.anonymizerUrl(), rule.language(),
				rule.scoreThreshold(), rule.entities(), rule.operators(), rule.reversible(), stages, client);
	}

	private static Guardrail webhook(String name, GuardProperties.Guardrail rule, Set<Stage> stages,
			HttpClient client) {
		if (rule.url() == null) {
			throw new IllegalArgumentException("url: set where the texts are posted, e.g. https://policy.internal/check");
		}
		return new WebhookGuardrail(name, rule.url(), Secret.of((rule.secret() != null) ? rule.secret() : ""), stages,
				client, Clock.systemUTC());
	}

	@Bean
	@ConditionalOnMissingBean
	LlmGuardGatewayFilterFactory llmGuardGatewayFilterFactory(GuardService guard) {
		return new LlmGuardGatewayFilterFactory(guard);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterRegistry.class)
	static class GuardMetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		GuardMetrics switchboardGuardMetrics(ObjectProvider<MeterRegistry> registry) {
			MeterRegistry meters = registry.getIfAvailable();
			if (meters == null) {
				return GuardMetrics.NONE;
			}
			return (guardrail, stage, outcome, nanos) -> {
				Counter.builder(CHECKS)
					.description("Guardrail checks, by stage and outcome: allowed, masked, denied, timeout, error")
					.tags("guardrail", guardrail, "stage", stage.name().toLowerCase(Locale.ROOT), "outcome", outcome)
					.register(meters)
					.increment();
				Timer.builder(DURATION)
					.description("Time a guardrail took to check a request or an answer")
					.tags("guardrail", guardrail, "stage", stage.name().toLowerCase(Locale.ROOT))
					.register(meters)
					.record(Duration.ofNanos(nanos));
			};
		}

	}

}
