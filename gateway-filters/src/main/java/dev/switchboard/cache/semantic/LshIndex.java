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
 * The in-memory vector index of one scope, the oldest entry leaving first past {@code maxEntries}.
 *
 * <p>Most scopes stay small (a conversation prefix, a rare system prompt): up to
 * {@value #LINEAR_MAX} entries a lookup compares the query with each of them, which is cheaper than
 * hashing it and costs no tables. Past that, entries are bucketed by {@link Lsh} signature and a
 * lookup reads the query's bucket in each table, so its cost follows the bucket sizes, not the
 * scope's size. Not thread-safe: its owner locks.
 */
final class LshIndex {

	static final int LINEAR_MAX = 64;

	private final int maxEntries;

	private final ArrayDeque<Indexed> order = new ArrayDeque<>();

	/** Built when the scope outgrows a linear scan; shaped by its capacity and its vectors' dimensions. */
	private @Nullable Lsh lsh;

	private final List<Map<Integer, List<VectorEntry>>> tables = new ArrayList<>();

	/** Dimensions of the first entry; entries and queries of others never match. */
	private int dimensions;

	LshIndex(int maxEntries) {
		this.maxEntries = maxEntries;
	}

	int size() {
		return this.order.size();
	}

	/** Adds an entry; returns how many old entries left to make room or because they expired. */
	int add(VectorEntry entry, long nowMillis) {
		if (this.dimensions == 0) {
			this.dimensions = entry.vector().length;
		}
		if (entry.vector().length != this.dimensions) {
			return 0;
		}
		Indexed indexed = new Indexed(entry, (this.lsh != null) ? this.lsh.signatures(entry.vector()) : null);
		this.order.addLast(indexed);
		if (this.lsh != null) {
			bucket(indexed);
		}
		else if (this.order.size() > LINEAR_MAX) {
			buildTables();
		}
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

	/** The live entries that may be near {@code vector}: all of a small scope, else those sharing a bucket. */
	List<VectorEntry> candidates(float[] vector, long nowMillis) {
		if (vector.length != this.dimensions) {
			return List.of();
		}
		List<VectorEntry> result = new ArrayList<>();
		if (this.lsh == null) {
			for (Indexed indexed : this.order) {
				if (!indexed.entry().expired(nowMillis)) {
					result.add(indexed.entry());
				}
			}
			return result;
		}
		int[] signatures = this.lsh.signatures(vector);
		Set<VectorEntry> seen = Collections.newSetFromMap(new IdentityHashMap<>());
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

	private void buildTables() {
		this.lsh = Lsh.forCapacity(this.dimensions, this.maxEntries);
		for (int i = 0; i < this.lsh.tables(); i++) {
			this.tables.add(new HashMap<>());
		}
		List<Indexed> entries = new ArrayList<>(this.order);
		this.order.clear();
		for (Indexed old : entries) {
			Indexed indexed = new Indexed(old.entry(), this.lsh.signatures(old.entry().vector()));
			this.order.addLast(indexed);
			bucket(indexed);
		}
	}

	private void bucket(Indexed indexed) {
		for (int table = 0; table < indexed.signatures().length; table++) {
			this.tables.get(table).computeIfAbsent(indexed.signatures()[table], key -> new ArrayList<>(2))
				.add(indexed.entry());
		}
	}

	private void remove(Indexed indexed) {
		if (indexed.signatures() == null) {
			return;
		}
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

	private record Indexed(VectorEntry entry, int @Nullable [] signatures) {
	}

}
