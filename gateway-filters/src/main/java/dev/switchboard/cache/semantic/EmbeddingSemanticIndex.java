package dev.switchboard.cache.semantic;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import dev.switchboard.cache.CacheKey;
import dev.switchboard.cache.SemanticIndex;
import dev.switchboard.core.Embedder;
import dev.switchboard.core.Timers;

/**
 * The semantic tier: embeds the last user turn, asks the {@link VectorStore} for candidates within
 * the request's {@link SemanticScope} (namespace and everything else matching exactly), and returns
 * the most similar entry at or above the threshold that the {@link LexicalGuard} does not veto.
 *
 * <p>A lookup is bounded by {@link SemanticPolicy#timeout()} and never fails: a slow embedder, a
 * store outage or a full embedding queue make it a miss. What a lookup computed for a miss (its
 * scope, fingerprint and vector) is kept briefly, so storing that request's answer computes none of
 * it a second time.
 */
public final class EmbeddingSemanticIndex implements SemanticIndex {

	private static final Logger log = LoggerFactory.getLogger(EmbeddingSemanticIndex.class);

	private static final int RECENT_VECTORS = 1024;

	private final Embedder embedder;

	private final VectorStore store;

	private final SemanticPolicy policy;

	private final LongSupplier clock;

	private final Map<String, Prepared> recent = new LinkedHashMap<>(64, 0.75f, true) {
		@Override
		protected boolean removeEldestEntry(Map.Entry<String, Prepared> eldest) {
			return size() > RECENT_VECTORS;
		}
	};

	public EmbeddingSemanticIndex(Embedder embedder, VectorStore store, SemanticPolicy policy) {
		this(embedder, store, policy, System::currentTimeMillis);
	}

	EmbeddingSemanticIndex(Embedder embedder, VectorStore store, SemanticPolicy policy, LongSupplier clock) {
		this.embedder = embedder;
		this.store = store;
		this.policy = policy;
		this.clock = clock;
	}

	public SemanticPolicy policy() {
		return this.policy;
	}

	public Embedder embedder() {
		return this.embedder;
	}

	@Override
	public Mono<Match> lookup(CacheKey exactKey, JsonNode request) {
		SemanticScope scope = SemanticScope.of(exactKey, request);
		if (scope == null) {
			return Mono.empty();
		}
		String fingerprint = LexicalGuard.fingerprint(scope.text());
		return this.embedder.embed(PromptText.forEmbedding(scope.text()))
			.doOnNext(vector -> remember(exactKey, new Prepared(scope, fingerprint, vector)))
			.flatMap(vector -> this.store.candidates(scope.namespace(), scope.scope(), vector)
				.mapNotNull(candidates -> best(vector, fingerprint, candidates)))
			.map(entry -> new Match(new CacheKey(scope.namespace(), entry.entry().keyHash()), entry.similarity(),
					this.policy.shadow()))
			.doOnNext(match -> {
				if (match.shadow()) {
					log.info("Semantic cache (shadow): {} would be served {} at similarity {}", exactKey, match.key(),
							String.format(Locale.ROOT, "%.4f", match.similarity()));
				}
			})
			.timeout(Timers.delay(this.policy.timeout()))
			.onErrorResume(error -> {
				log.debug("Semantic lookup of {} gave up: {}", exactKey, error.toString());
				return Mono.empty();
			});
	}

	@Override
	public Mono<Void> stored(CacheKey exactKey, JsonNode request, Duration ttl) {
		// The lookup of this request's miss prepared it already (scope, fingerprint, vector), as a rule.
		Prepared known = forget(exactKey);
		Mono<Prepared> prepared;
		if (known != null) {
			prepared = Mono.just(known);
		}
		else {
			SemanticScope scope = SemanticScope.of(exactKey, request);
			if (scope == null) {
				return Mono.empty();
			}
			prepared = this.embedder.embed(PromptText.forEmbedding(scope.text()))
				.map(vector -> new Prepared(scope, LexicalGuard.fingerprint(scope.text()), vector));
		}
		return prepared
			.flatMap(entry -> this.store.add(entry.scope().namespace(), entry.scope().scope(),
					new VectorEntry(exactKey.hash(), entry.vector(), vectorId(), this.policy.threshold(),
							entry.fingerprint(), this.clock.getAsLong() + ttl.toMillis()),
					ttl))
			.onErrorResume(error -> {
				log.warn("Semantic indexing of {} failed ({}); it stays an exact-only entry", exactKey, error.toString());
				return Mono.empty();
			});
	}

	private @Nullable Scored best(float[] vector, String fingerprint, List<VectorEntry> candidates) {
		Scored best = null;
		long now = this.clock.getAsLong();
		for (VectorEntry candidate : candidates) {
			if (!candidate.embedder().equals(vectorId()) || candidate.expired(now)) {
				continue;
			}
			double similarity = Embedder.dot(vector, candidate.vector());
			double needed = Math.max(this.policy.threshold(), candidate.threshold());
			if (similarity >= needed && (best == null || similarity > best.similarity())
					&& (!this.policy.lexicalGuard() || LexicalGuard.veto(candidate.fingerprint(), fingerprint) == null)) {
				best = new Scored(candidate, similarity);
			}
		}
		return best;
	}

	/** What a stored vector was made with: the model, and the version of the text it embedded. */
	private String vectorId() {
		return this.embedder.id() + "+" + PromptText.VERSION;
	}

	private void remember(CacheKey key, Prepared prepared) {
		synchronized (this.recent) {
			this.recent.put(key.team() + "/" + key.hash(), prepared);
		}
	}

	private @Nullable Prepared forget(CacheKey key) {
		synchronized (this.recent) {
			return this.recent.remove(key.team() + "/" + key.hash());
		}
	}

	private record Scored(VectorEntry entry, double similarity) {
	}

	/** What a lookup computed for a request, kept so that storing its answer does not compute it again. */
	private record Prepared(SemanticScope scope, String fingerprint, float[] vector) {
	}

}
