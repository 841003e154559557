package dev.switchboard.endpoint.responses.store;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The embedded store of one gateway: records in this JVM until their time to live, at most
 * {@code maxBytes} of them together, the oldest leaving first when a new one needs the room. Every
 * record lives as long, so the oldest is also the first to expire: both kinds of eviction take from
 * the head, and a write does only the work its own room needs. A record larger than the whole
 * budget is not kept (and said so in the log), so one huge conversation cannot empty the store of
 * everyone else's.
 */
public final class InMemoryResponseStore implements ResponseStore {

	private static final Logger log = LoggerFactory.getLogger(InMemoryResponseStore.class);

	private final long maxBytes;

	private final long ttlNanos;

	private final LongSupplier nanoClock;

	/** In the order written, which is the order they expire. Guarded by itself. */
	private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();

	private long bytes;

	public InMemoryResponseStore(long maxBytes, Duration ttl) {
		this(maxBytes, ttl, System::nanoTime);
	}

	/** With a clock for tests. */
	public InMemoryResponseStore(long maxBytes, Duration ttl, LongSupplier nanoClock) {
		if (maxBytes < 1) {
			throw new IllegalArgumentException("maxBytes must be at least 1, was " + maxBytes);
		}
		if (ttl.isNegative() || ttl.isZero()) {
			throw new IllegalArgumentException("ttl must be positive, was " + ttl);
		}
		this.maxBytes = maxBytes;
		this.ttlNanos = ttl.toNanos();
		this.nanoClock = nanoClock;
	}

	@Override
	public Mono<byte[]> read(String team, String id) {
		return Mono.fromSupplier(() -> find(key(team, id)));
	}

	@Override
	public Mono<Void> write(String team, String id, byte[] record) {
		return Mono.fromRunnable(() -> {
			if (record.length > this.maxBytes) {
				log.warn("Response {} of team '{}' not stored: {} bytes, more than the store's {} bytes", id, team,
						record.length, this.maxBytes);
				return;
			}
			long now = this.nanoClock.getAsLong();
			synchronized (this.entries) {
				String key = key(team, id);
				Entry previous = this.entries.remove(key);
				this.entries.put(key, new Entry(record, now + this.ttlNanos));
				if (previous != null) {
					this.bytes -= previous.record.length;
				}
				this.bytes += record.length;
				evict(now);
			}
		});
	}

	@Override
	public Mono<Boolean> delete(String team, String id) {
		return Mono.fromSupplier(() -> {
			long now = this.nanoClock.getAsLong();
			synchronized (this.entries) {
				Entry removed = this.entries.remove(key(team, id));
				if (removed == null) {
					return false;
				}
				this.bytes -= removed.record.length;
				return now - removed.expiresAtNanos < 0;
			}
		});
	}

	/** Bytes held now, expired records included until they are read or evicted. */
	public long bytes() {
		synchronized (this.entries) {
			return this.bytes;
		}
	}

	public int size() {
		synchronized (this.entries) {
			return this.entries.size();
		}
	}

	private byte @Nullable [] find(String key) {
		long now = this.nanoClock.getAsLong();
		synchronized (this.entries) {
			Entry entry = this.entries.get(key);
			if (entry == null) {
				return null;
			}
			if (now - entry.expiresAtNanos >= 0) {
				this.entries.remove(key);
				this.bytes -= entry.record.length;
				return null;
			}
			return entry.record;
		}
	}

	/** Drops expired records, then the oldest, until the budget holds: both from the head. */
	private void evict(long now) {
		Iterator<Entry> eldest = this.entries.values().iterator();
		while (eldest.hasNext()) {
			Entry entry = eldest.next();
			if (this.bytes <= this.maxBytes && now - entry.expiresAtNanos < 0) {
				return;
			}
			this.bytes -= entry.record.length;
			eldest.remove();
		}
	}

	/** Team names cannot hold a line feed (they come from configuration keys), so this key is unambiguous. */
	private static String key(String team, String id) {
		return team + '\n' + id;
	}

	private record Entry(byte[] record, long expiresAtNanos) {
	}

}
