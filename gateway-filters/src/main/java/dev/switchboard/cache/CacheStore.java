package dev.switchboard.cache;


import java.time.Duration;

import reactor.core.publisher.Mono;

/**
 * Where cached answers live. Implementations never fail a request: a store that cannot answer in
 * time completes empty ({@link #get}) or silently ({@link #put}) and logs why.
 */
public interface CacheStore {

	/** The stored OpenAI {@code chat.completion} JSON, or empty on a miss, an expired entry or a store failure. */
	Mono<byte[]> get(CacheKey key);

	/** Stores an answer for {@code ttl}; completes empty, also when the store failed. */
	Mono<Void> put(CacheKey key, byte[] completion, Duration ttl);

}
