package dev.switchboard.autoconfigure;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;

import dev.switchboard.auth.ApiKeyTeamResolver;
import dev.switchboard.auth.ConfiguredTeamResolver;
import dev.switchboard.auth.HeaderTeamResolver;
import dev.switchboard.auth.TeamResolver;
import dev.switchboard.autoconfigure.failover.FailoverAutoConfiguration;
import dev.switchboard.autoconfigure.live.LiveConfigAutoConfiguration;
import dev.switchboard.autoconfigure.observe.ObservabilityAutoConfiguration;
import dev.switchboard.catalog.CatalogException;
import dev.switchboard.catalog.ModelCatalog;
import dev.switchboard.catalog.ProviderType;
import dev.switchboard.catalog.ReasoningTable;
import dev.switchboard.catalog.ReasoningTable.Effort;
import dev.switchboard.core.AttemptSpans;
import dev.switchboard.dispatch.LlmDispatcher;
import dev.switchboard.dispatch.LlmRoutingFilter;
import dev.switchboard.endpoint.LlmEndpointGatewayFilterFactory;
import dev.switchboard.live.LiveConfig;
import dev.switchboard.observe.cost.CostLedger;
import dev.switchboard.observe.log.RequestLog;
import dev.switchboard.observe.metrics.GenAiMetrics;
import dev.switchboard.observe.tracing.TracerAttemptSpans;

import static org.assertj.core.api.Assertions.assertThat;

class SwitchboardAutoConfigurationTest {

	private static final String HASH = "554a0d05033791f46fede07b724fa246c95235f60a9fb74caad37d1408b4df58";

	private final ReactiveWebApplicationContextRunner runner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SwitchboardAutoConfiguration.class, LiveConfigAutoConfiguration.class,
				FailoverAutoConfiguration.class, ObservabilityAutoConfiguration.class))
		.withPropertyValues("switchboard.providers.sim.type=mock", "switchboard.models[0].id=echo",
				"switchboard.models[0].provider=sim", "switchboard.teams.a.key-hashes[0]=" + HASH);

	@Test
	void contributesTheFilterFactoryTheRoutingFilterAndAnEmbeddedMock() {
		this.runner.run(context -> {
			assertThat(context).hasSingleBean(LlmEndpointGatewayFilterFactory.class);
			assertThat(context).hasSingleBean(LlmRoutingFilter.class);
			assertThat(context.getBean(TeamResolver.class)).isInstanceOf(ConfiguredTeamResolver.class);
			assertThat(context.getBean(LiveConfig.class).current().part(TeamResolver.class))
				.as("the start-up version's built-in resolver")
				.isInstanceOf(ApiKeyTeamResolver.class);
			assertThat(context.getBean(EmbeddedMockProviders.class).servers()).containsKey("sim");
			ModelCatalog catalog = context.getBean(ModelCatalog.class);
			assertThat(catalog.provider("sim").baseUrl().toString()).startsWith("http://127.0.0.1:");
		});
	}

	@Test
	void openAiItselfServesTheResponsesApiAndOtherServersOnlyWhenSaidSo() {
		this.runner
			.withPropertyValues("switchboard.providers.openai.type=openai",
					"switchboard.providers.openai.base-url=https://api.openai.com/v1",
					"switchboard.providers.ollama.type=openai", "switchboard.providers.ollama.base-url=http://localhost:11434/v1",
					"switchboard.providers.vllm.type=openai", "switchboard.providers.vllm.base-url=http://localhost:8000/v1",
					"switchboard.providers.vllm.responses-api=true",
					"switchboard.providers.direct.type=openai", "switchboard.providers.direct.base-url=https://api.openai.com/v1",
					"switchboard.providers.direct.responses-api=false")
			.run(context -> {
				ModelCatalog catalog = context.getBean(ModelCatalog.class);
				assertThat(catalog.provider("openai").responsesApi()).isTrue();
				assertThat(catalog.provider("ollama").responsesApi()).isFalse();
				assertThat(catalog.provider("vllm").responsesApi()).isTrue();
				assertThat(catalog.provider("direct").responsesApi()).isFalse();
				assertThat(catalog.provider("sim").responsesApi()).isFalse();
			});
		this.runner
			.withPropertyValues("switchboard.providers.claude.type=anthropic",
					"switchboard.providers.claude.base-url=https://api.anthropic.com/v1",
					"switchboard.providers.claude.api-key=k", "switchboard.providers.claude.responses-api=true")
			.run(context -> assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("switchboard.providers.claude.responses-api: only openai providers serve OpenAI's "
						+ "Responses API"));
	}

	@Test
	void canBeSwitchedOff() {
		this.runner.withPropertyValues("switchboard.enabled=false")
			.run(context -> assertThat(context).doesNotHaveBean(LlmRoutingFilter.class)
				.doesNotHaveBean(EmbeddedMockProviders.class));
	}

	@Test
	void genAiMetricsFollowTheObservabilitySwitch() {
		ReactiveWebApplicationContextRunner withRegistry = this.runner
			.withBean(MeterRegistry.class, SimpleMeterRegistry::new);
		withRegistry.run(context -> assertThat(context.getBean("switchboardGenAiMetrics")).isInstanceOf(GenAiMetrics.class));
		withRegistry.withPropertyValues("switchboard.observability.enabled=false").run(context -> {
			assertThat(context).doesNotHaveBean(GenAiMetrics.class);
			// the request log and the cost ledger stay
			assertThat(context).hasSingleBean(RequestLog.class).hasSingleBean(CostLedger.class);
		});
	}

	@Test
	void attemptSpansNeedATracerAPropagatorAndTheObservabilitySwitch() {
		ReactiveWebApplicationContextRunner withTracer = this.runner.withBean(Tracer.class, () -> Tracer.NOOP)
			.withBean(Propagator.class, () -> Propagator.NOOP);
		withTracer.run(context -> assertThat(context.getBean(AttemptSpans.class)).isInstanceOf(TracerAttemptSpans.class));
		withTracer.withPropertyValues("switchboard.observability.enabled=false")
			.run(context -> assertThat(context.getBean(AttemptSpans.class)).isSameAs(AttemptSpans.NONE));
		this.runner.run(context -> assertThat(context.getBean(AttemptSpans.class)).isSameAs(AttemptSpans.NONE));
		// without Micrometer Tracing at all, the dispatcher is made all the same
		this.runner.withClassLoader(new FilteredClassLoader(Tracer.class)).run(context -> {
			assertThat(context).doesNotHaveBean(AttemptSpans.class);
			assertThat(context).hasSingleBean(LlmDispatcher.class);
		});
	}

	@Test
	void staysAwayWithoutSpringCloudGateway() {
		this.runner.withClassLoader(new FilteredClassLoader(GlobalFilter.class))
			.run(context -> assertThat(context).doesNotHaveBean(ModelCatalog.class));
	}

	@Test
	void aTeamHeaderSwitchesTheDefaultResolver() {
		this.runner.withPropertyValues("switchboard.auth.team-header=X-Team")
			.run(context -> assertThat(context.getBean(LiveConfig.class).current().part(TeamResolver.class))
				.isInstanceOf(HeaderTeamResolver.class));
	}

	@Test
	void aPrimaryTeamResolverBecomesEveryRoutesDefaultWhileANonPrimaryOneDoesNot() {
		this.runner.withUserConfiguration(PrimaryResolver.class).run(context -> {
			assertThat(context).hasBean("switchboardTeamResolver");
			assertThat(context.getBean(LlmEndpointGatewayFilterFactory.class).getDefaultTeamResolver())
				.isSameAs(context.getBean("customResolver"));
		});
		this.runner.withUserConfiguration(RouteOnlyResolver.class)
			.run(context -> assertThat(context.getBean(LlmEndpointGatewayFilterFactory.class).getDefaultTeamResolver())
				.isSameAs(context.getBean("switchboardTeamResolver")));
	}

	@Test
	void badConfigurationFailsAtStartUpNamingEachPropertyToFix() {
		this.runner
			.withPropertyValues("switchboard.providers.x.type=opneai", "switchboard.providers.y.type=openai",
					"switchboard.models[1].id=gpt", "switchboard.models[1].provider=nobody",
					"switchboard.models[1].capabilities=chat,telepathy")
			.run(context -> {
				assertThat(context).hasFailed();
				CatalogException problem = rootCause(context.getStartupFailure(), CatalogException.class);
				assertThat(problem.problems()).containsExactly(
						"switchboard.providers.x.type: 'opneai' is not a provider type; use one of [openai, azure-openai, anthropic, gemini, mock]",
						"switchboard.providers.y.base-url: required for type openai, e.g. https://api.openai.com/v1 "
								+ "or http://localhost:11434/v1 for Ollama",
						"switchboard.models[1].capabilities: 'telepathy' is unknown; use [chat, tools, vision, json, "
								+ "embeddings, reasoning]",
						"switchboard.models[1].provider: 'nobody' is not a configured provider; add it under "
								+ "switchboard.providers or use one of [sim]");
				FailureAnalysis analysis = new SwitchboardConfigFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis.getDescription()).startsWith("Switchboard's configuration has 4 problems:")
					.contains("'opneai' is not a provider type");
			});
	}

	@Test
	void reasoningTablesMergeDefaultsProviderAndModelInThatOrder() {
		this.runner
			.withPropertyValues("switchboard.providers.claude.type=anthropic",
					"switchboard.providers.claude.base-url=http://127.0.0.1:1/v1",
					"switchboard.providers.claude.reasoning.high=16000", "switchboard.providers.claude.reasoning.medium=4096",
					"switchboard.models[1].id=opus", "switchboard.models[1].provider=claude",
					"switchboard.models[1].capabilities=chat,reasoning", "switchboard.models[1].reasoning.medium=max")
			.run(context -> {
				ReasoningTable table = context.getBean(ModelCatalog.class)
					.find("opus")
					.orElseThrow()
					.reasoning(ProviderType.ANTHROPIC);
				assertThat(table.setting(Effort.LOW).budget()).as("default").isEqualTo(1024);
				assertThat(table.setting(Effort.HIGH).budget()).as("provider").isEqualTo(16000);
				assertThat(table.setting(Effort.MEDIUM).level()).as("model over provider").isEqualTo("max");
			});
	}

	@Test
	void wrongReasoningTablesFailAtStartUpSayingWhatToWrite() {
		this.runner
			.withPropertyValues("switchboard.providers.claude.type=anthropic",
					"switchboard.providers.claude.base-url=http://127.0.0.1:1/v1",
					"switchboard.providers.claude.reasoning.high=500", "switchboard.providers.oai.type=openai",
					"switchboard.providers.oai.base-url=http://127.0.0.1:1/v1", "switchboard.providers.oai.reasoning.high=9000",
					"switchboard.providers.gem.type=gemini", "switchboard.providers.gem.base-url=http://127.0.0.1:1/v1",
					"switchboard.models[1].id=g", "switchboard.models[1].provider=gem",
					"switchboard.models[1].reasoning.ultra=9000", "switchboard.models[2].id=g3",
					"switchboard.models[2].provider=gem", "switchboard.models[2].reasoning.high=max")
			.run(context -> {
				CatalogException problem = rootCause(context.getStartupFailure(), CatalogException.class);
				assertThat(problem.problems()).containsExactlyInAnyOrder(
						"switchboard.providers.claude.reasoning.high: '500' is below Anthropic's minimum thinking budget "
								+ "of 1024 tokens; use at least 1024 or off",
						"switchboard.providers.oai.reasoning: providers of type openai are sent reasoning_effort as the "
								+ "client wrote it; only anthropic and gemini providers take a reasoning table",
						"switchboard.models[1].reasoning.ultra: not a reasoning effort; use one of 'none', 'minimal', "
								+ "'low', 'medium', 'high', 'xhigh'",
						"switchboard.models[2].reasoning.high: 'max' is not a thinking setting; use off, dynamic, a "
								+ "number of tokens or a level [high, low, medium, minimal]");
			});
	}

	@Test
	void teamsAreValidatedAgainstTheCatalogAndKeyHashFormat() {
		this.runner.withPropertyValues("switchboard.teams.b.key-hashes[0]=my-plain-key", "switchboard.teams.b.models=gpt-5")
			.run(context -> {
				assertThat(context).hasFailed();
				CatalogException problem = rootCause(context.getStartupFailure(), CatalogException.class);
				assertThat(problem.problems()).containsExactly("switchboard.teams.b.models: 'gpt-5' is not a model id, "
						+ "alias or provider/model id of switchboard.models");
			});
		this.runner.withPropertyValues("switchboard.teams.b.key-hashes[0]=my-plain-key").run(context -> {
			CatalogException problem = rootCause(context.getStartupFailure(), CatalogException.class);
			assertThat(problem.getMessage()).contains("switchboard.teams.b.key-hashes")
				.contains("echo -n \"$KEY\" | sha256sum")
				.doesNotContain("my-plain-key");
		});
	}

	@Test
	void outOfRangeValuesAreRejectedByBeanValidation() {
		this.runner.withPropertyValues("switchboard.providers.sim.mock.hang-rate=1.5").run(context -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("hangRate");
		});
	}

	private static <T extends Throwable> T rootCause(Throwable failure, Class<T> type) {
		for (Throwable t = failure; t != null; t = t.getCause()) {
			if (type.isInstance(t)) {
				return type.cast(t);
			}
		}
		throw new AssertionError("no " + type.getSimpleName() + " in " + failure);
	}

	@Configuration(proxyBeanMethods = false)
	static class PrimaryResolver {

		@Bean
		@Primary
		TeamResolver customResolver() {
			return exchange -> Mono.empty();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class RouteOnlyResolver {

		@Bean
		TeamResolver customResolver() {
			return exchange -> Mono.empty();
		}

	}

}
