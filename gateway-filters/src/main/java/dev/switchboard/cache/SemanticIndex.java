package dev.switchboard.cache;


import java.time.Duration;

import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * The semantic tier, asked after an exact miss: finds a stored answer to a request with the same
 * scope (namespace, model, system prompt, tools, parameters, earlier turns) whose last user turn
 * means the same. Its answer is read from the {@link CacheStore} under the matched key, and only
 * within the same namespace ({@link CacheService} drops a match from another one, whatever the
 * index says). {@link #NONE} never matches; {@code dev.switchboard.cache.semantic} has the
 * embedding implementation.
 */
public interface SemanticIndex {

	SemanticIndex NONE = new SemanticIndex() {
		@Override
		public Mono<Match> lookup(CacheKey exactKey, JsonNode request) {
			return Mono.empty();
		}

		@Override
		public Mono<Void> stored(CacheKey exactKey, JsonNode request, Duration ttl) {
			return Mono.empty();
		}
	};

	/** The key of a stored answer meaning the same, with its similarity; empty when none is close enough. */
	Mono<Match> lookup(CacheKey exactKey, JsonNode request);

	/** An answer was stored under {@code exactKey} for {@code ttl}: index the request. */
	Mono<Void> stored(CacheKey exactKey, JsonNode request, Duration ttl);

	/**
	 * @param key the exact key the matching answer is stored under
	 * @param similarity how close the requests are, cosine similarity, at most 1
	 * @param shadow whether the match is only to be reported (shadow mode), not served
	 */
	record Match(CacheKey key, double similarity, boolean shadow) {
	}

}
