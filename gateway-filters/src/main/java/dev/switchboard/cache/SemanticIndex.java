package dev.switchboard.cache;

import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * Hook for the semantic tier, asked after an exact miss: finds a stored answer to a request with the
 * same scope (team, model, system prompt, tools, parameters) whose user turns mean the same. Its
 * answer is read from the {@link CacheStore} under the matched key, and only within the same team
 * ({@link CacheService} drops a match from another team). No implementation yet: {@link #NONE}
 * never matches.
 */
public interface SemanticIndex {

	SemanticIndex NONE = new SemanticIndex() {
		@Override
		public Mono<Match> lookup(CacheKey exactKey, JsonNode request) {
			return Mono.empty();
		}

		@Override
		public Mono<Void> stored(CacheKey exactKey, JsonNode request) {
			return Mono.empty();
		}
	};

	/** The key of a stored answer meaning the same, with its similarity; empty when none is close enough. */
	Mono<Match> lookup(CacheKey exactKey, JsonNode request);

	/** An answer was stored under {@code exactKey}: index the request. */
	Mono<Void> stored(CacheKey exactKey, JsonNode request);

	/**
	 * @param key the exact key the matching answer is stored under
	 * @param similarity how close the requests are, 0 to 1
	 */
	record Match(CacheKey key, double similarity) {
	}

}
