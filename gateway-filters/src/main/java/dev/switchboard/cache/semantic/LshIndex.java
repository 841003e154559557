package dev.switchboard.cache.semantic;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * The in-memory vector index of one scope: entries bucketed by {@link Lsh} signature, the oldest
 * leaving first past {@code maxEntries}. A lookup reads the query's bucket in each table, so its cost
 * follows the bucket sizes, not the scope's size. Not thread-safe: its owner locks.
 */
final class LshIndex {

	private final int maxEntries;

	private final List<Map<Integer, List<VectorEntry>>> tables = new ArrayList<>();

	private final ArrayDeque<Indexed> order = new ArrayDeque<>();

	/** Chosen by the first entry's dimensions; entries and queries of other dimensions never match. */
	private @Nullable Lsh lsh;

	LshIndex(int maxEntries) {
		this.maxEntries = maxEntries;
	}

	int size() {
		return this.order.size();
	}

	/** Adds an entry; returns how many old entries left to make room or because they expired. */
	int add(VectorEntry entry, long nowMillis) {
		if (this.lsh == null) {
			this.lsh = Lsh.forCapacity(entry.vector().length, this.maxEntries);
			for (int i = 0; i < this.lsh.tables(); i++) {
				this.tables.add(new HashMap<>());
			}
		}
		if (this.lsh.dimensions() != entry.vector().length) {
			return 0;
		}
		int[] signatures = this.lsh.signatures(entry.vector());
		for (int table = 0; table < signatures.length; table++) {
			this.tables.get(table).computeIfAbsent(signatures[table], key -> new ArrayList<>(2)).add(entry);
		}
		this.order.addLast(new Indexed(entry, signatures));
		return trimTo(this.maxEntries, nowMillis);
	}

	/** Drops expired entries at the head and the oldest ones beyond {@code size}; returns how many left. */
	int trimTo(int size, long nowMillis) {
		int removed = 0;
		while (!this.order.isEmpty()
				&& (this.order.size() > size || this.order.peekFirst().entry().expired(nowMillis))) {
			remove(this.order.pollFirst());
			removed++;
		}
		return removed;
	}

	/** The live entries sharing a bucket with {@code vector} in at least one table, each once. */
	List<VectorEntry> candidates(float[] vector, long nowMillis) {
		if (this.lsh == null || this.lsh.dimensions() != vector.length) {
			return List.of();
		}
		int[] signatures = this.lsh.signatures(vector);
		Set<VectorEntry> seen = Collections.newSetFromMap(new IdentityHashMap<>());
		List<VectorEntry> result = new ArrayList<>();
		for (int table = 0; table < signatures.length; table++) {
			List<VectorEntry> bucket = this.tables.get(table).get(signatures[table]);
			if (bucket != null) {
				for (VectorEntry entry : bucket) {
					if (!entry.expired(nowMillis) && seen.add(entry)) {
						result.add(entry);
					}
				}
			}
		}
		return result;
	}

	private void remove(Indexed indexed) {
		for (int table = 0; table < indexed.signatures().length; table++) {
			Map<Integer, List<VectorEntry>> buckets = this.tables.get(table);
			List<VectorEntry> bucket = buckets.get(indexed.signatures()[table]);
			if (bucket != null) {
				bucket.removeIf(entry -> entry == indexed.entry());
				if (bucket.isEmpty()) {
					buckets.remove(indexed.signatures()[table]);
				}
			}
		}
	}

	private record Indexed(VectorEntry entry, int[] signatures) {
	}

}
