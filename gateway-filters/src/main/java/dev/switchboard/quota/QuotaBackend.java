package dev.switchboard.quota;

import java.time.LocalDate;
import java.util.List;

import reactor.core.publisher.Mono;

/**
 * Where buckets and the usage ledger live. Every operation on one bucket is atomic in the
 * backend; every call returns without blocking and fails (never hangs) when the store is away.
 *
 * <p>Two implementations: {@link InMemoryQuotaBackend} (Bucket4j local buckets, one gateway) and
 * {@link RedisQuotaBackend} (Bucket4j on Redisson, shared by a fleet).
 */
public interface QuotaBackend extends AutoCloseable {

	/** A short name for logs and metric tags: {@code memory}, {@code redis}. */
	String name();

	/**
	 * Takes {@code amount} from every bandwidth of the bucket, or from none if any lacks it.
	 * @return whether it was taken, and what every bandwidth holds afterwards
	 */
	Mono<Probe> tryConsume(BucketSpec bucket, long amount);

	/**
	 * Corrects a bucket after the fact, ignoring its limits: a positive amount charges (and may
	 * leave the bucket in debt, which later requests wait out), a negative one refunds (up to
	 * the capacity).
	 */
	Mono<Void> adjust(BucketSpec bucket, long amount);

	/** What every bandwidth of the bucket holds now, without consuming. */
	Mono<long[]> available(BucketSpec bucket);

	/** Adds settled usage to the team's ledger for the day and the month. */
	Mono<Void> record(String team, LocalDate day, UsageRecord usage);

	/** The team's ledger for a day and the month of that day. */
	Mono<Ledger> ledger(String team, LocalDate day);

	@Override
	default void close() {
	}

	/**
	 * The outcome of {@link #tryConsume}.
	 * @param consumed whether the amount was taken
	 * @param available what each bandwidth holds after the attempt, in bandwidth order
	 */
	record Probe(boolean consumed, long[] available) {
	}

	/** Settled usage of one request. */
	record UsageRecord(long requests, long promptTokens, long completionTokens, long spendNanoUsd) {

		public long tokens() {
			return this.promptTokens + this.completionTokens;
		}

	}

	/** A team's settled usage. */
	record Ledger(UsageRecord day, UsageRecord month) {

		public static final UsageRecord ZERO = new UsageRecord(0, 0, 0, 0);

	}

	/** Helper for backends: the fields of a ledger entry, in the order stored. */
	List<String> LEDGER_FIELDS = List.of("requests", "prompt", "completion", "spend");

}
