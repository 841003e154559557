package dev.switchboard.cache.semantic;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * The embedded vector store: one {@link LshIndex} per scope in this JVM, at most {@code maxEntries}
 * vectors in all. When full, the least recently used scope gives up its oldest entry. Candidate
 * selection is a few bucket reads, so it stays fast as the store grows; see the cache benchmark.
 */
public final class InMemoryVectorStore implements VectorStore {

	private final int maxEntries;

	private final LongSupplier clock;

	private final LinkedHashMap<String, Scope> scopes = new LinkedHashMap<>(16, 0.75f, true);

	private int size;

	public InMemoryVectorStore(int maxEntries) {
		this(maxEntries, System::currentTimeMillis);
	}

	/** With a wall clock in milliseconds, for tests. */
	public InMemoryVectorStore(int maxEntries, LongSupplier clock) {
		if (maxEntries < 1) {
			throw new IllegalArgumentException("maxEntries must be at least 1, was " + maxEntries);
		}
		this.maxEntries = maxEntries;
		this.clock = clock;
	}

	@Override
	public Mono<List<VectorEntry>> candidates(String namespace, String scope, float[] vector) {
		return Mono.fromSupplier(() -> candidatesNow(namespace + "/" + scope, vector));
	}

	@Override
	public Mono<Void> add(String namespace, String scope, VectorEntry entry, Duration ttl) {
		return Mono.fromRunnable(() -> addNow(namespace + "/" + scope, entry));
	}

	/** How many vectors are held, all scopes together. */
	public synchronized int size() {
		return this.size;
	}

	synchronized List<VectorEntry> candidatesNow(String scope, float[] vector) {
		Scope held = this.scopes.get(scope);
		return (held != null) ? held.index.candidates(vector, this.clock.getAsLong()) : List.of();
	}

	synchronized void addNow(String scope, VectorEntry entry) {
		add(scope(scope), entry);
		trim();
	}


	/**
	 * For a store that mirrors a shared log: the position up to which a scope's log was read, or
	 * {@code null} when this store holds nothing of it (never read, or evicted since).
	 */
	synchronized @Nullable StreamPosition position(String scope) {
		Scope held = this.scopes.get(scope);
		return (held != null) ? held.position : null;
	}

	/** Adds the entries read from a scope's log after its position; entries at or before it were added already. */
	synchronized void addFromLog(String scope, List<Map.Entry<StreamPosition, VectorEntry>> entries) {
		if (entries.isEmpty()) {
			// Nothing to hold: no scope is made for a lookup that found nothing (one per conversation prefix).
			return;
		}
		Scope held = scope(scope);
		for (Map.Entry<StreamPosition, VectorEntry> logged : entries) {
			if (held.position == null || logged.getKey().compareTo(held.position) > 0) {
				VectorEntry entry = logged.getValue();
				if (entry.vector().length > 0 && !entry.expired(this.clock.getAsLong())) {
					add(held, entry);
				}
				held.position = logged.getKey();
			}
		}
		if (held.index.size() == 0) {
			// Only expired or unreadable entries: forgotten, so scopes never outnumber live entries.
			this.scopes.remove(scope);
		}
		trim();
	}

	private Scope scope(String scope) {
		return this.scopes.computeIfAbsent(scope, key -> new Scope(new LshIndex(this.maxEntries)));
	}

	private void add(Scope scope, VectorEntry entry) {
		this.size += 1 - scope.index.add(entry, this.clock.getAsLong());
	}

	private void trim() {
		Iterator<Map.Entry<String, Scope>> eldest = this.scopes.entrySet().iterator();
		while (this.size > this.maxEntries && eldest.hasNext()) {
			// The least recently used scope gives up its oldest entries; emptied, it is forgotten.
			Map.Entry<String, Scope> scope = eldest.next();
			LshIndex index = scope.getValue().index;
			this.size -= index.trimTo(Math.max(0, index.size() - (this.size - this.maxEntries)), this.clock.getAsLong());
			if (index.size() == 0) {
				eldest.remove();
			}
		}
	}

	private static final class Scope {

		final LshIndex index;

		@Nullable StreamPosition position;

		Scope(LshIndex index) {
			this.index = index;
		}

	}

}
