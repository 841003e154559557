package dev.switchboard.cache.store;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

import reactor.core.publisher.Mono;

import dev.switchboard.cache.CacheKey;
import dev.switchboard.cache.CacheStore;

/**
 * The embedded store: at most {@code maxEntries} answers in this JVM, each until its TTL plus its
 * stale window, the least recently used leaving first when full. Entries past both are dropped when
 * read or evicted.
 */
public final class InMemoryCacheStore implements CacheStore {

	private final int maxEntries;

	private final LongSupplier nanoClock;

	private final LinkedHashMap<CacheKey, Entry> entries;

	public InMemoryCacheStore(int maxEntries) {
		this(maxEntries, System::nanoTime);
	}

	/** With a clock for tests. */
	public InMemoryCacheStore(int maxEntries, LongSupplier nanoClock) {
		if (maxEntries < 1) {
			throw new IllegalArgumentException("maxEntries must be at least 1, was " + maxEntries);
		}
		this.maxEntries = maxEntries;
		this.nanoClock = nanoClock;
		this.entries = new LinkedHashMap<>(16, 0.75f, true) {
			@Override
			protected boolean removeEldestEntry(Map.Entry<CacheKey, Entry> eldest) {
				return size() > InMemoryCacheStore.this.maxEntries;
			}
		};
	}

	@Override
	public Mono<Stored> read(CacheKey key) {
		return Mono.fromSupplier(() -> find(key));
	}

	@Override
	public Mono<Void> put(CacheKey key, byte[] completion, Duration ttl, Duration stale) {
		return Mono.fromRunnable(() -> {
			long freshUntil = this.nanoClock.getAsLong() + ttl.toNanos();
			synchronized (this.entries) {
				this.entries.put(key, new Entry(completion, freshUntil, freshUntil + stale.toNanos()));
			}
		});
	}

	public int size() {
		synchronized (this.entries) {
			return this.entries.size();
		}
	}

	private Stored find(CacheKey key) {
		long now = this.nanoClock.getAsLong();
		synchronized (this.entries) {
			Entry entry = this.entries.get(key);
			if (entry == null) {
				return null;
			}
			if (now - entry.keepUntilNanos >= 0) {
				this.entries.remove(key);
				return null;
			}
			return new Stored(entry.completion, now - entry.freshUntilNanos < 0);
		}
	}

	private record Entry(byte[] completion, long freshUntilNanos, long keepUntilNanos) {
	}

}
