package dev.switchboard.autoconfigure;

import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.gateway.config.GatewayAutoConfiguration;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.support.ShortcutConfigurable.ShortcutType;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.validation.Validator;

import dev.switchboard.auth.ConfiguredTeamResolver;
import dev.switchboard.auth.TeamResolver;
import dev.switchboard.catalog.ModelCatalog;
import dev.switchboard.core.AttemptSpans;
import dev.switchboard.core.LlmExchangeListener;
import dev.switchboard.dispatch.FailoverPolicy;
import dev.switchboard.dispatch.LlmDispatcher;
import dev.switchboard.dispatch.LlmRoutingFilter;
import dev.switchboard.dispatch.ProviderClients;
import dev.switchboard.dispatch.ProviderLimits;
import dev.switchboard.dispatch.TargetBreakers;
import dev.switchboard.endpoint.LlmEndpoint;
import dev.switchboard.endpoint.compare.ComparePolicy;
import dev.switchboard.endpoint.responses.store.ResponseStore;
import dev.switchboard.endpoint.LlmEndpointGatewayFilterFactory;
import dev.switchboard.live.LiveConfig;
import dev.switchboard.route.ModelResolver;
import dev.switchboard.route.PoolBalancer;
import dev.switchboard.route.Rollouts;
import dev.switchboard.route.TargetStats;
import dev.switchboard.translate.ImageInliner;
import dev.switchboard.translate.ProviderAdapters;
import dev.switchboard.translate.anthropic.AnthropicAdapter;
import dev.switchboard.translate.azure.AzureOpenAiAdapter;
import dev.switchboard.translate.gemini.GeminiAdapter;
import dev.switchboard.translate.openai.OpenAiAdapter;
import dev.switchboard.translate.spi.ProviderAdapter;

/**
 * Switchboard's core: the catalog, team resolution, the {@code LlmEndpoint} filter and the routing
 * filter that dispatches LLM routes over the gateway's own HTTP client.
 *
 * <p>Every bean backs off when the application defines its own, so a platform replaces one part
 * (its {@link TeamResolver}, an extra {@link ProviderAdapter}) without forking the rest. The
 * catalog, the resolver and the capabilities' policies are the exception in kind: each request
 * uses the ones of its configuration version, built from the settings by the
 * {@link SnapshotContributor} beans, so they are changed through settings (or a contributor of the
 * application's own, which adds or replaces parts), and the beans of these types are the start-up
 * version's, for what reads them once.
 */
@AutoConfiguration(after = GatewayAutoConfiguration.class)
@ConditionalOnClass(GlobalFilter.class)
@ConditionalOnBooleanProperty(name = "switchboard.enabled", matchIfMissing = true)
@EnableConfigurationProperties(SwitchboardProperties.class)
public class SwitchboardAutoConfiguration {

	private static final Logger log = LoggerFactory.getLogger(SwitchboardAutoConfiguration.class);

	/**
	 * The core's share of every configuration version: catalog, pools, teams. Built from the
	 * candidate's {@code switchboard.*} by the same checks at start-up and on every live change.
	 */
	@Bean
	@Order(Ordered.HIGHEST_PRECEDENCE)
	SnapshotContributor switchboardCoreSnapshot(ProviderAdapters adapters, ObjectProvider<EmbeddedMockProviders> mocks,
			TargetStats stats, Rollouts rollouts) {
		EmbeddedMockProviders simulators = mocks.getIfAvailable();
		Function<String, URI> mockUrls = (simulators != null) ? simulators::baseUrl : provider -> null;
		PoolBalancer balancer = new PoolBalancer(stats);
		return candidate -> SwitchboardBinder.contribute(candidate, mockUrls, adapters, balancer, rollouts);
	}

	/**
	 * The progress and guards of every canary rollout, across configuration versions; it hears every
	 * exchange for the guards' samples.
	 */
	@Bean
	@ConditionalOnMissingBean
	Rollouts switchboardRollouts(ObjectProvider<Rollouts.Metrics> metrics) {
		return new Rollouts(System::nanoTime, metrics.getIfAvailable(() -> Rollouts.Metrics.NONE));
	}

	/**
	 * Builds each configuration version: binds and checks the candidate's settings through every
	 * capability's {@link SnapshotContributor}, JSR-303 constraints included.
	 */
	@Bean
	@ConditionalOnMissingBean
	SnapshotAssembler switchboardSnapshotAssembler(ObjectProvider<SnapshotContributor> contributors,
			@Qualifier("defaultValidator") ObjectProvider<Validator> validator) {
		return new SnapshotAssembler(contributors.orderedStream().toList(), validator.getIfAvailable(),
				Clock.systemUTC());
	}

	/** The catalog as the gateway started; requests use the catalog of their configuration version. */
	@Bean
	@ConditionalOnMissingBean
	ModelCatalog switchboardModelCatalog(LiveConfig live) {
		return live.current().require(ModelCatalog.class);
	}

	/**
	 * The built-in resolver (bearer key hashes, or a trusted header) of each request's configuration
	 * version. Routes use it unless they name another with {@code team-resolver: "#{@bean}"}; a
	 * {@code @Primary} {@link TeamResolver} bean replaces it as the default of every route.
	 */
	@Bean
	@ConditionalOnMissingBean(name = "switchboardTeamResolver")
	TeamResolver switchboardTeamResolver(LiveConfig live) {
		return new ConfiguredTeamResolver(live);
	}

	@Bean
	@ConditionalOnMissingBean
	TargetStats switchboardTargetStats(SwitchboardProperties properties) {
		return new TargetStats(properties.balancing().ejectAfterFailures(), properties.balancing().ejectFor());
	}

	/** The resolver as the gateway started; requests resolve with the one of their configuration version. */
	@Bean
	@ConditionalOnMissingBean
	ModelResolver switchboardModelResolver(LiveConfig live) {
		return live.current().require(ModelResolver.class);
	}

	@Bean
	@ConditionalOnMissingBean
	OpenAiAdapter switchboardOpenAiAdapter() {
		return new OpenAiAdapter();
	}

	@Bean
	@ConditionalOnMissingBean
	AzureOpenAiAdapter switchboardAzureOpenAiAdapter() {
		return new AzureOpenAiAdapter();
	}

	@Bean
	@ConditionalOnMissingBean
	AnthropicAdapter switchboardAnthropicAdapter() {
		return new AnthropicAdapter();
	}

	@Bean
	@ConditionalOnMissingBean
	GeminiAdapter switchboardGeminiAdapter() {
		return new GeminiAdapter();
	}

	@Bean
	@ConditionalOnMissingBean
	ProviderAdapters switchboardProviderAdapters(List<ProviderAdapter> adapters) {
		return new ProviderAdapters(adapters);
	}

	/** What each provider allows (switchboard.providers.*.limits), counted on timers of Reactor's parallel scheduler. */
	@Bean
	@ConditionalOnMissingBean
	ProviderLimits switchboardProviderLimits(SwitchboardProperties properties,
			ObjectProvider<ProviderLimits.Metrics> metrics) {
		return new ProviderLimits(SwitchboardBinder.providerLimits(properties), Schedulers.parallel(),
				metrics.getIfAvailable(() -> ProviderLimits.Metrics.NONE));
	}

	/** One HTTP client per provider, derived from the gateway's: for calls and health probes alike. */
	@Bean
	@ConditionalOnMissingBean
	ProviderClients switchboardProviderClients(ObjectProvider<HttpClient> gatewayHttpClient) {
		return new ProviderClients(gatewayHttpClient.getIfAvailable(HttpClient::create));
	}

	@Bean
	@ConditionalOnMissingBean
	LlmDispatcher switchboardDispatcher(ProviderAdapters adapters, ObjectProvider<HttpClient> gatewayHttpClient,
			SwitchboardProperties properties, ObjectProvider<FailoverPolicy> failoverPolicy,
			ObjectProvider<TargetBreakers> breakers, TargetStats stats, ObjectProvider<AttemptSpans> spans,
			ProviderLimits limits, ProviderClients clients) {
		HttpClient client = gatewayHttpClient.getIfAvailable(HttpClient::create);
		SwitchboardProperties.ImageFetch images = properties.imageFetch();
		ImageInliner inliner = images.enabled() ? new ImageInliner(client, images.maxSize().toBytes(),
				images.timeout(), images.allowPrivateNetworks()) : null;
		return new LlmDispatcher(adapters, clients, inliner,
				failoverPolicy.getIfAvailable(FailoverPolicy::none),
				breakers.getIfAvailable(TargetBreakers::none), stats)
			.tracedBy(spans.getIfAvailable(() -> AttemptSpans.NONE))
			.limitedBy(limits);
	}

	@Bean
	@ConditionalOnMissingBean
	LlmRoutingFilter switchboardRoutingFilter(LlmDispatcher dispatcher,
			@Value("${switchboard.observability.cost-headers:false}") boolean costHeaders) {
		// Observability's switch (ObservabilityProperties documents it), read by name: the core
		// configuration does not reach into a capability's properties.
		return new LlmRoutingFilter(dispatcher, costHeaders);
	}

	@Bean
	@ConditionalOnMissingBean
	LlmEndpoint switchboardLlmEndpoint(LiveConfig live, ObjectProvider<LlmExchangeListener> listeners,
			ObjectProvider<ResponseStore> responseStore, ObjectProvider<ComparePolicy> compare) {
		return new LlmEndpoint(live, listeners.orderedStream().toList(), responseStore.getIfUnique(),
				compare.getIfUnique());
	}

	@Bean
	@ConditionalOnMissingBean
	LlmEndpointGatewayFilterFactory llmEndpointGatewayFilterFactory(LlmEndpoint endpoint,
			ObjectProvider<TeamResolver> teamResolvers,
			@Qualifier("switchboardTeamResolver") TeamResolver switchboardTeamResolver,
			SwitchboardProperties properties) {
		TeamResolver defaultResolver = teamResolvers.getIfUnique(() -> switchboardTeamResolver);
		return new LlmEndpointGatewayFilterFactory(endpoint, defaultResolver, properties.maxBodySize());
	}

	/**
	 * A capability switched off keeps its filter name: routes that list it pass through
	 * ({@link SwitchedOffFilterFactory}) instead of failing start-up or disappearing.
	 */
	@Configuration(proxyBeanMethods = false)
	static class SwitchedOffCapabilitiesConfiguration {

		@Bean
		@ConditionalOnBooleanProperty(name = "switchboard.cache.enabled", havingValue = false)
		SwitchedOffFilterFactory<dev.switchboard.cache.filter.LlmCacheGatewayFilterFactory.Config> llmCacheSwitchedOff() {
			return new SwitchedOffFilterFactory<>("LlmCache", dev.switchboard.cache.filter.LlmCacheGatewayFilterFactory.Config.class,
					List.of("ttl"), "switchboard.cache.enabled");
		}

		@Bean
		@ConditionalOnBooleanProperty(name = "switchboard.quota.enabled", havingValue = false)
		SwitchedOffFilterFactory<dev.switchboard.quota.filter.LlmQuotaGatewayFilterFactory.Config> llmQuotaSwitchedOff() {
			return new SwitchedOffFilterFactory<>("LlmQuota", dev.switchboard.quota.filter.LlmQuotaGatewayFilterFactory.Config.class,
					List.of("dryRun"), "switchboard.quota.enabled");
		}

		@Bean
		@ConditionalOnBooleanProperty(name = "switchboard.guard.enabled", havingValue = false)
		SwitchedOffFilterFactory<dev.switchboard.guard.filter.LlmGuardGatewayFilterFactory.Config> llmGuardSwitchedOff() {
			return new SwitchedOffFilterFactory<>("LlmGuard", dev.switchboard.guard.filter.LlmGuardGatewayFilterFactory.Config.class,
					List.of("guardrails"), ShortcutType.GATHER_LIST, "switchboard.guard.enabled");
		}

	}

	/**
	 * Providers of {@code type: mock} without a {@code base-url} run the simulator in-process, when
	 * {@code switchboard-mock-provider} is on the classpath (the sample's, a test's); without it
	 * such a provider fails start-up asking for a base URL or the module.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "dev.switchboard.mock.MockLlmServer")
	static class EmbeddedMockProvidersConfiguration {

		@Bean
		@ConditionalOnMissingBean
		EmbeddedMockProviders switchboardEmbeddedMockProviders(SwitchboardProperties properties) {
			return new EmbeddedMockProviders(properties);
		}

	}

	/**
	 * Requests Netty cannot decode (headers past {@code server.max-http-request-header-size}, a
	 * request line too long, a header that is not valid HTTP) get an OpenAI-shaped JSON error, not
	 * Reactor Netty's empty body. {@code switchboard.json-decoding-errors=false} keeps the empty body.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "org.springframework.boot.reactor.netty.NettyServerCustomizer")
	@ConditionalOnBooleanProperty(name = "switchboard.json-decoding-errors", matchIfMissing = true)
	static class DecodingErrorsConfiguration {

		@Bean
		org.springframework.boot.reactor.netty.NettyServerCustomizer switchboardMalformedRequestResponder() {
			return dev.switchboard.endpoint.MalformedRequestResponder::install;
		}

	}

}
