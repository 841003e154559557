package dev.switchboard.quota.backend;

import java.time.Clock;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.github.bucket4j.VerboseResult;
import io.github.bucket4j.local.LocalBucketBuilder;
import io.github.bucket4j.local.SynchronizationStrategy;
import reactor.core.publisher.Mono;

/**
 * Buckets in this JVM: Bucket4j local buckets (lock-free compare-and-swap, so exact under any
 * concurrency) and an in-memory ledger. The embedded default, right for one gateway; a fleet needs
 * {@link RedisQuotaBackend}. It is also where a fail-open Redis backend counts while Redis is away.
 *
 * <p>Idle buckets are dropped once they cannot matter any more (a minute, a day or a month after
 * their last use, by their longest window), checked every few thousand operations.
 */
public final class InMemoryQuotaBackend implements QuotaBackend {

	private static final int SWEEP_EVERY = 4096;

	private final Map<String, Entry> buckets = new ConcurrentHashMap<>();

	private final Map<String, AtomicLongArray> ledger = new ConcurrentHashMap<>();

	private final AtomicLong operations = new AtomicLong();

	private final Clock clock;

	private final TimeMeter timeMeter;

	public InMemoryQuotaBackend() {
		this(Clock.systemUTC());
	}

	/** @param clock the wall clock of buckets and ledger (tests move it) */
	public InMemoryQuotaBackend(Clock clock) {
		this.clock = clock;
		this.timeMeter = new TimeMeter() {
			@Override
			public long currentTimeNanos() {
				return clock.millis() * 1_000_000L;
			}

			@Override
			public boolean isWallClockBased() {
				return true;
			}
		};
	}

	@Override
	public String name() {
		return "memory";
	}

	@Override
	public boolean inProcess() {
		return true;
	}

	@Override
	public Mono<Probe> tryConsume(BucketSpec spec, long amount) {
		return Mono.fromSupplier(() -> {
			Bucket bucket = bucket(spec);
			if (amount <= 0) {
				return new Probe(true, bucket.asVerbose().getAvailableTokens().getDiagnostics()
					.getAvailableTokensPerEachBandwidth());
			}
			VerboseResult<ConsumptionProbe> result = bucket.asVerbose().tryConsumeAndReturnRemaining(amount);
			return new Probe(result.getValue().isConsumed(),
					result.getDiagnostics().getAvailableTokensPerEachBandwidth());
		});
	}

	@Override
	public Mono<Void> adjust(BucketSpec spec, long amount) {
		return Mono.fromRunnable(() -> {
			// A settlement corrects what its reservation took, on the bucket as it is now: a request of
			// an earlier configuration version never takes the limits back to its own.
			Bucket bucket = bucket(spec, false);
			if (amount < 0) {
				bucket.addTokens(-amount);
			}
			else if (amount > 0) {
				Buckets.charge(bucket, amount);
			}
		});
	}

	@Override
	public Mono<long[]> available(BucketSpec spec) {
		return Mono.fromSupplier(
				() -> bucket(spec).asVerbose().getAvailableTokens().getDiagnostics().getAvailableTokensPerEachBandwidth());
	}

	@Override
	public Mono<Void> record(String team, LocalDate day, UsageRecord usage) {
		return Mono.fromRunnable(() -> {
			add(ledgerKey(team, day.toString()), usage);
			add(ledgerKey(team, YearMonth.from(day).toString()), usage);
		});
	}

	@Override
	public Mono<Ledger> ledger(String team, LocalDate day) {
		return Mono.fromSupplier(() -> new Ledger(read(ledgerKey(team, day.toString())),
				read(ledgerKey(team, YearMonth.from(day).toString()))));
	}

	/** How many buckets are held; for tests of the idle sweep. */
	public int size() {
		return this.buckets.size();
	}

	/** The bucket of the spec, reconfigured first when the spec's limits changed (a reservation's: see {@link #adjust}). */
	private Bucket bucket(BucketSpec spec) {
		return bucket(spec, true);
	}

	private Bucket bucket(BucketSpec spec, boolean reconfigure) {
		long now = this.clock.millis();
		if (this.operations.incrementAndGet() % SWEEP_EVERY == 0) {
			sweep(now);
		}
		Entry entry = this.buckets.computeIfAbsent(spec.key(), key -> new Entry(spec, newBucket(spec)));
		entry.lastUsedMillis = now;
		BucketSpec current = entry.spec;
		if (reconfigure
				&& (!current.capacities().equals(spec.capacities()) || !current.limits().equals(spec.limits()))) {
			synchronized (entry) {
				if (!entry.spec.capacities().equals(spec.capacities()) || !entry.spec.limits().equals(spec.limits())) {
					reconfigure(entry, spec);
				}
			}
		}
		return entry.bucket;
	}

	/**
	 * A limit changed live: the bucket keeps what was used, each limit's available moving by the
	 * change of its capacity (a lowered one to none at worst, never to a new debt), as the Redis
	 * scripts do. Bucket4j takes from every limit of a bucket alike, so the bucket is refilled and
	 * charged the largest shortfall: exact for the limits that share the bucket's usage (a day and a
	 * month budget), and for a per-minute limit beside a budget at worst short for up to a minute,
	 * never over.
	 */
	private static void reconfigure(Entry entry, BucketSpec spec) {
		BucketSpec old = entry.spec;
		long[] available = entry.bucket.asVerbose().getAvailableTokens().getDiagnostics()
			.getAvailableTokensPerEachBandwidth();
		long shortfall = 0;
		for (int j = 0; j < spec.limits().size(); j++) {
			long capacity = spec.capacities().get(j);
			int before = old.indexOf(spec.limits().get(j));
			if (before >= 0) {
				long was = old.capacities().get(before);
				long moved = available[before] + capacity - was;
				if (capacity < was) {
					moved = Math.max(moved, Math.min(available[before], 0));
				}
				shortfall = Math.max(shortfall, capacity - Math.min(capacity, moved));
			}
		}
		entry.bucket.replaceConfiguration(spec.configuration(), TokensInheritanceStrategy.RESET);
		if (shortfall > 0) {
			entry.bucket.consumeIgnoringRateLimits(shortfall);
		}
		entry.spec = spec;
	}

	private LocalBucketBuilder builder() {
		return Bucket.builder()
			.withCustomTimePrecision(this.timeMeter)
			.withSynchronizationStrategy(SynchronizationStrategy.LOCK_FREE);
	}

	private Bucket newBucket(BucketSpec spec) {
		LocalBucketBuilder builder = builder();
		for (Bandwidth bandwidth : spec.configuration().getBandwidths()) {
			builder.addLimit(bandwidth);
		}
		return builder.build();
	}

	/** Drops buckets idle for longer than their longest window: a fresh bucket would be identical. */
	public void sweep(long nowMillis) {
		this.buckets.values().removeIf(entry -> nowMillis - entry.lastUsedMillis > entry.spec.retention().toMillis());
	}

	private static String ledgerKey(String team, String period) {
		return team + "|" + period;
	}

	private void add(String key, UsageRecord usage) {
		AtomicLongArray values = this.ledger.computeIfAbsent(key, k -> new AtomicLongArray(4));
		values.addAndGet(0, usage.requests());
		values.addAndGet(1, usage.promptTokens());
		values.addAndGet(2, usage.completionTokens());
		values.addAndGet(3, usage.spendNanoUsd());
	}

	private UsageRecord read(String key) {
		AtomicLongArray values = this.ledger.get(key);
		return (values == null) ? Ledger.ZERO
				: new UsageRecord(values.get(0), values.get(1), values.get(2), values.get(3));
	}

	private final class Entry {

		volatile BucketSpec spec;

		final Bucket bucket;

		volatile long lastUsedMillis;

		Entry(BucketSpec spec, Bucket bucket) {
			this.spec = spec;
			this.bucket = bucket;
		}

	}

}
