package dev.switchboard.autoconfigure;

import java.time.Clock;
import java.util.List;
import java.util.Map;

import org.redisson.api.RedissonClient;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.netty.http.client.HttpClient;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.gateway.config.GatewayAutoConfiguration;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.context.annotation.Configuration;
import org.springframework.cloud.circuitbreaker.resilience4j.ReactiveResilience4JCircuitBreakerFactory;

import dev.switchboard.auth.ApiKeyTeamResolver;
import dev.switchboard.auth.HeaderTeamResolver;
import dev.switchboard.auth.TeamResolver;
import dev.switchboard.catalog.ModelCatalog;
import dev.switchboard.core.LlmExchangeListener;
import dev.switchboard.core.Team;
import dev.switchboard.observe.AttemptSpans;
import dev.switchboard.observe.CostLedger;
import dev.switchboard.observe.InMemoryCostLedger;
import dev.switchboard.observe.RedisCostLedger;
import dev.switchboard.quota.QuotaBackend;
import dev.switchboard.quota.RedisQuotaBackend;
import dev.switchboard.catalog.CatalogException;
import dev.switchboard.observe.GenAiMetrics;
import dev.switchboard.observe.RequestLog;
import dev.switchboard.observe.TracerAttemptSpans;
import dev.switchboard.dispatch.LlmDispatcher;
import dev.switchboard.dispatch.LlmRoutingFilter;
import dev.switchboard.dispatch.ProviderClients;
import dev.switchboard.endpoint.LlmEndpoint;
import dev.switchboard.failover.FailoverPolicy;
import dev.switchboard.failover.LlmFailoverGatewayFilterFactory;
import dev.switchboard.failover.Resilience4jTargetBreakers;
import dev.switchboard.failover.TargetBreakers;
import dev.switchboard.endpoint.LlmEndpointGatewayFilterFactory;
import dev.switchboard.endpoint.ModelsEndpoint;
import dev.switchboard.route.ModelResolver;
import dev.switchboard.route.PoolBalancer;
import dev.switchboard.route.TargetStats;
import dev.switchboard.translate.ImageInliner;
import dev.switchboard.translate.ProviderAdapter;
import dev.switchboard.translate.ProviderAdapters;
import dev.switchboard.translate.anthropic.AnthropicAdapter;
import dev.switchboard.translate.azure.AzureOpenAiAdapter;
import dev.switchboard.translate.gemini.GeminiAdapter;
import dev.switchboard.translate.openai.OpenAiAdapter;

/**
 * Switchboard's core: the catalog, team resolution, the {@code LlmEndpoint} filter and the routing
 * filter that dispatches LLM routes over the gateway's own HTTP client.
 *
 * <p>Every bean backs off when the application defines its own, so a platform replaces one part
 * (its {@link TeamResolver}, an extra {@link ProviderAdapter}) without forking the rest.
 */
@AutoConfiguration(after = GatewayAutoConfiguration.class)
@ConditionalOnClass(GlobalFilter.class)
@ConditionalOnBooleanProperty(name = "switchboard.enabled", matchIfMissing = true)
@EnableConfigurationProperties(SwitchboardProperties.class)
public class SwitchboardAutoConfiguration {

	private static final Logger log = LoggerFactory.getLogger(SwitchboardAutoConfiguration.class);

	@Bean
	@ConditionalOnMissingBean
	EmbeddedMockProviders switchboardEmbeddedMockProviders(SwitchboardProperties properties) {
		return new EmbeddedMockProviders(properties);
	}

	@Bean
	@ConditionalOnMissingBean
	ModelCatalog switchboardModelCatalog(SwitchboardProperties properties, EmbeddedMockProviders mocks) {
		ModelCatalog catalog = SwitchboardConfiguration.catalog(properties, mocks::baseUrl);
		if (catalog.models().isEmpty()) {
			log.warn("Switchboard has no models: every LLM request will get 404 model_not_found. "
					+ "Declare providers and models under switchboard.providers and switchboard.models.");
		}
		return catalog;
	}

	/**
	 * The built-in resolver (bearer key hashes, or a trusted header). Routes use it unless they name
	 * another with {@code team-resolver: "#{@bean}"}; a {@code @Primary} {@link TeamResolver} bean
	 * replaces it as the default of every route.
	 */
	@Bean
	@ConditionalOnMissingBean(name = "switchboardTeamResolver")
	TeamResolver switchboardTeamResolver(SwitchboardProperties properties, ModelCatalog catalog) {
		Map<String, Team> teams = SwitchboardConfiguration.teams(properties, catalog);
		String header = properties.auth().teamHeader();
		if (header != null && !header.isBlank()) {
			return new HeaderTeamResolver(header, teams);
		}
		if (teams.isEmpty()) {
			log.warn("Switchboard has no teams: every LLM request will get 401. Declare switchboard.teams.<name>."
					+ "key-hashes, or define a TeamResolver bean.");
		}
		return new ApiKeyTeamResolver(SwitchboardConfiguration.teamsByKeyHash(properties, teams));
	}

	@Bean
	@ConditionalOnMissingBean
	TargetStats switchboardTargetStats(SwitchboardProperties properties) {
		return new TargetStats(properties.balancing().ejectAfterFailures(), properties.balancing().ejectFor());
	}

	@Bean
	@ConditionalOnMissingBean
	ModelResolver switchboardModelResolver(ModelCatalog catalog, SwitchboardProperties properties,
			TargetStats stats) {
		return new ModelResolver(catalog, SwitchboardConfiguration.pools(properties), new PoolBalancer(stats));
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

	@Bean
	@ConditionalOnMissingBean
	LlmDispatcher switchboardDispatcher(ProviderAdapters adapters, ObjectProvider<HttpClient> gatewayHttpClient,
			ModelCatalog catalog, SwitchboardProperties properties, FailoverPolicy failoverPolicy,
			ObjectProvider<TargetBreakers> breakers, TargetStats stats, ObjectProvider<AttemptSpans> spans) {
		SwitchboardConfiguration.checkAdapters(catalog, adapters);
		HttpClient client = gatewayHttpClient.getIfAvailable(HttpClient::create);
		SwitchboardProperties.ImageFetch images = properties.imageFetch();
		ImageInliner inliner = images.enabled() ? new ImageInliner(client, images.maxSize().toBytes(),
				images.timeout(), images.allowPrivateNetworks()) : null;
		return new LlmDispatcher(adapters, new ProviderClients(client, catalog), inliner, failoverPolicy,
				breakers.getIfAvailable(TargetBreakers::none), stats)
			.tracedBy(spans.getIfAvailable(() -> AttemptSpans.NONE));
	}

	@Bean
	@ConditionalOnMissingBean
	FailoverPolicy switchboardFailoverPolicy(SwitchboardProperties properties) {
		return SwitchboardConfiguration.failoverPolicy(properties.failover());
	}

	@Bean
	@ConditionalOnMissingBean
	LlmFailoverGatewayFilterFactory llmFailoverGatewayFilterFactory(FailoverPolicy failoverPolicy) {
		return new LlmFailoverGatewayFilterFactory(failoverPolicy);
	}

	@Bean
	@ConditionalOnMissingBean
	LlmRoutingFilter switchboardRoutingFilter(LlmDispatcher dispatcher, SwitchboardProperties properties) {
		return new LlmRoutingFilter(dispatcher, properties.observability().costHeaders());
	}

	@Bean
	@ConditionalOnMissingBean
	LlmEndpoint switchboardLlmEndpoint(ModelResolver resolver, ModelCatalog catalog,
			ObjectProvider<LlmExchangeListener> listeners) {
		return new LlmEndpoint(resolver, new ModelsEndpoint(catalog, resolver.poolNames()),
				listeners.orderedStream().toList());
	}

	/** Per instance, unless {@link RedisCostsConfiguration} put the ledger on Redis. */
	@Bean
	@ConditionalOnMissingBean(CostLedger.class)
	CostLedger switchboardCostLedger() {
		return new InMemoryCostLedger();
	}

	@Bean
	@ConditionalOnMissingBean
	RequestLog switchboardRequestLog(SwitchboardProperties properties) {
		SwitchboardProperties.LogContent content = properties.observability().logContent();
		if (content.enabled()) {
			log.warn("The request log keeps prompt and completion text (up to {} characters of each) in log lines "
					+ "and llmrequests records: switchboard.observability.log-content.enabled=true", content.maxChars());
		}
		return new RequestLog(properties.observability().recentRequests(), content.enabled() ? content.maxChars() : 0);
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
		SwitchedOffFilterFactory<dev.switchboard.cache.LlmCacheGatewayFilterFactory.Config> llmCacheSwitchedOff() {
			return new SwitchedOffFilterFactory<>("LlmCache", dev.switchboard.cache.LlmCacheGatewayFilterFactory.Config.class,
					List.of("ttl"), "switchboard.cache.enabled");
		}

		@Bean
		@ConditionalOnBooleanProperty(name = "switchboard.quota.enabled", havingValue = false)
		SwitchedOffFilterFactory<dev.switchboard.quota.LlmQuotaGatewayFilterFactory.Config> llmQuotaSwitchedOff() {
			return new SwitchedOffFilterFactory<>("LlmQuota", dev.switchboard.quota.LlmQuotaGatewayFilterFactory.Config.class,
					List.of("dryRun"), "switchboard.quota.enabled");
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

	/**
	 * GenAI metrics when Micrometer is there and {@code switchboard.observability.enabled} is not
	 * false; resolved at start so it does not depend on ordering.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterRegistry.class)
	static class MetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean(GenAiMetrics.class)
		LlmExchangeListener switchboardGenAiMetrics(ObjectProvider<MeterRegistry> registry,
				SwitchboardProperties properties) {
			MeterRegistry available = properties.observability().enabled() ? registry.getIfAvailable() : null;
			return (available != null) ? new GenAiMetrics(available) : new LlmExchangeListener() {
			};
		}

	}

	/**
	 * A client span per provider call when Micrometer Tracing is there with a tracer and a
	 * propagator (Boot configures both for Brave or OpenTelemetry), and
	 * {@code switchboard.observability.enabled} is not false. Looked up when the dispatcher is made,
	 * so it does not depend on the order of auto-configurations.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(Tracer.class)
	static class TracingConfiguration {

		@Bean
		@ConditionalOnMissingBean
		AttemptSpans switchboardAttemptSpans(ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator,
				SwitchboardProperties properties) {
			Tracer available = properties.observability().enabled() ? tracer.getIfUnique() : null;
			Propagator injector = propagator.getIfUnique();
			return (available != null && injector != null) ? new TracerAttemptSpans(available, injector)
					: AttemptSpans.NONE;
		}

	}

	/** The decision record of recent requests, by id. */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(Endpoint.class)
	static class EndpointConfiguration {

		@Bean
		@ConditionalOnMissingBean
		LlmRequestsEndpoint llmRequestsEndpoint(RequestLog log) {
			return new LlmRequestsEndpoint(log);
		}

		@Bean
		@ConditionalOnMissingBean
		LlmCostsEndpoint llmCostsEndpoint(CostLedger ledger) {
			return new LlmCostsEndpoint(ledger);
		}

	}

	/**
	 * The cost ledger on Redis, fleet-wide: when {@code switchboard.observability.costs.backend} is
	 * {@code redis}, or {@code auto} (the default) while quotas are on Redis. It reuses the quota
	 * backend's Redisson client, or else the application's {@code RedissonClient}.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "org.redisson.api.RedissonClient")
	@Conditional(RedisCostsCondition.class)
	static class RedisCostsConfiguration {

		@Bean
		@ConditionalOnMissingBean(CostLedger.class)
		CostLedger switchboardCostLedger(SwitchboardProperties properties, ObjectProvider<QuotaBackend> quotaBackend,
				ObjectProvider<RedissonClient> clients) {
			SwitchboardProperties.Costs costs = properties.observability().costs();
			if (quotaBackend.getIfAvailable() instanceof RedisQuotaBackend quota) {
				// The quota's own team ledgers: its settlement records quota routes per model in the same
				// script, so a request costs no extra Redis round trip for its cost.
				return RedisCostLedger.sharingQuotaLedger(quota.client(), quota.keyPrefix(), costs.timeout(),
						Clock.systemUTC(), properties.teams().keySet());
			}
			RedissonClient client = clients.getIfUnique();
			if (client == null) {
				if (costs.backend() == SwitchboardProperties.CostsBackend.REDIS) {
					throw new CatalogException(List.of("switchboard.observability.costs.backend: redis needs "
							+ "switchboard.quota.backend=redis or a RedissonClient bean"));
				}
				log.info("Cost ledger in memory: quotas are on Redis, but no Redisson client can be shared");
				return new InMemoryCostLedger();
			}
			return new RedisCostLedger(client, costs.keyPrefix(), costs.timeout(), Clock.systemUTC(),
					properties.teams().keySet());
		}

	}

	/** {@code costs.backend=redis}, or {@code auto} with {@code switchboard.quota.backend=redis}. */
	static class RedisCostsCondition extends SpringBootCondition {

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			String backend = context.getEnvironment().getProperty("switchboard.observability.costs.backend", "auto");
			if ("redis".equalsIgnoreCase(backend)) {
				return ConditionOutcome.match("switchboard.observability.costs.backend is redis");
			}
			String quota = context.getEnvironment().getProperty("switchboard.quota.backend", "memory");
			boolean quotaOnRedis = "redis".equalsIgnoreCase(quota)
					&& context.getEnvironment().getProperty("switchboard.quota.enabled", Boolean.class, true);
			if ("auto".equalsIgnoreCase(backend) && quotaOnRedis) {
				return ConditionOutcome.match("costs backend auto, quotas on Redis");
			}
			return ConditionOutcome.noMatch("costs backend " + backend + ", quota backend " + quota);
		}

	}

	/** A circuit breaker per target, when Spring Cloud CircuitBreaker's Resilience4j factory is there. */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(ReactiveResilience4JCircuitBreakerFactory.class)
	@ConditionalOnBooleanProperty(name = "switchboard.failover.circuit-breakers", matchIfMissing = true)
	static class CircuitBreakerConfiguration {

		/** Resolved when first needed, so it does not depend on auto-configuration order. */
		@Bean
		@ConditionalOnMissingBean(TargetBreakers.class)
		TargetBreakers switchboardTargetBreakers(ObjectProvider<ReactiveResilience4JCircuitBreakerFactory> factory) {
			ReactiveResilience4JCircuitBreakerFactory available = factory.getIfAvailable();
			return (available != null) ? new Resilience4jTargetBreakers(available) : TargetBreakers.none();
		}

	}

}
