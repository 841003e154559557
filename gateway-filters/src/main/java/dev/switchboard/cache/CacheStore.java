package dev.switchboard.cache;

import java.time.Duration;

import reactor.core.publisher.Mono;

/**
 * Where cached answers live. Implementations never fail a request: a store that cannot answer in
 * time completes empty ({@link #read}) or silently ({@link #put}) and logs why.
 *
 * <p>An answer is fresh for its TTL and then, if it was stored with a stale window, kept that much
 * longer as {@linkplain Stored#fresh() stale}: served only when no provider can answer
 * (stale-if-error, as {@code Cache-Control: stale-if-error} of RFC 5861 does for HTTP caches). One
 * read returns either, so the stale copy costs no second round trip.
 */
public interface CacheStore {

	/** The stored answer, fresh or stale, or empty on a miss, an entry past its stale window or a store failure. */
	Mono<Stored> read(CacheKey key);

	/**
	 * Stores an answer, fresh for {@code ttl} and kept {@code stale} longer; completes empty, also
	 * when the store failed.
	 */
	Mono<Void> put(CacheKey key, byte[] completion, Duration ttl, Duration stale);

	/** The stored answer if it is still fresh. */
	default Mono<byte[]> get(CacheKey key) {
		return read(key).filter(Stored::fresh).map(Stored::completion);
	}

	/** Stores an answer for {@code ttl}, with no stale window. */
	default Mono<Void> put(CacheKey key, byte[] completion, Duration ttl) {
		return put(key, completion, ttl, Duration.ZERO);
	}

	/**
	 * A stored answer.
	 * @param completion the OpenAI {@code chat.completion} (or embeddings list) JSON
	 * @param fresh whether it is within its TTL; a stale one is past it, within its stale window
	 */
	record Stored(byte[] completion, boolean fresh) {
	}

}
