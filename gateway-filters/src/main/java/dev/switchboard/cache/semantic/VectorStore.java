package dev.switchboard.cache.semantic;

import java.time.Duration;
import java.util.List;

import reactor.core.publisher.Mono;

/**
 * Where the semantic tier keeps its vectors, by scope. A scope is a namespace (the team, or team and
 * user) plus the hash of everything in the request that must match exactly; the store never returns
 * an entry of another scope, so isolation does not depend on similarity. Implementations never fail
 * a request: a store that cannot answer completes with no candidates.
 */
public interface VectorStore {

	/** The live entries of the scope that may be near {@code vector}; a superset of the near ones is fine. */
	Mono<List<VectorEntry>> candidates(String namespace, String scope, float[] vector);

	/** Indexes an entry for {@code ttl} (the lifetime of the answer it points at). */
	Mono<Void> add(String namespace, String scope, VectorEntry entry, Duration ttl);

}
