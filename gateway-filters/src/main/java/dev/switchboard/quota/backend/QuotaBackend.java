package dev.switchboard.quota.backend;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Where buckets and the usage ledger live. Every operation on one bucket is atomic in the
 * backend; every call returns without blocking and fails (never hangs) when the store is away.
 *
 * <p>Two implementations: {@link InMemoryQuotaBackend} (Bucket4j local buckets, one gateway) and
 * {@link RedisQuotaBackend} (Lua scripts on Redisson, shared by a fleet). The service reserves with
 * {@link #tryConsumeAll} and settles with {@link #settle}, one call each per request: a backend
 * that can do each in one atomic step (Redis: one script) overrides them; the defaults compose the
 * per-bucket operations.
 */
public interface QuotaBackend extends AutoCloseable {

	/** A short name for logs and metric tags: {@code memory}, {@code redis}. */
	String name();

	/**
	 * Whether this store answers in the gateway's own process, without I/O: then it cannot be down
	 * and a call cannot hang, so the service neither times its calls out (a timer per call, armed
	 * and cancelled on a shared scheduler, is a real cost at thousands of requests a second) nor
	 * keeps a fallback for it.
	 */
	default boolean inProcess() {
		return false;
	}

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

	/**
	 * Takes from several buckets as one: every {@linkplain Take#required() required} take or none;
	 * when they are all taken, each optional take (a dry-run limit) that fits is taken too.
	 * <p>The default consumes bucket by bucket and gives back what was taken when a required bucket
	 * refuses: never more than any bucket holds, but not atomic across buckets (a concurrent request
	 * may see the amount held for an instant and be refused early: the safe side).
	 * @return whether the required takes were taken, and a probe per take, in order: {@code
	 * consumed} says whether that bucket held the amount
	 */
	default Mono<Batch> tryConsumeAll(List<Take> takes) {
		return Flux.fromIterable(takes)
			.flatMapSequential(take -> tryConsume(take.bucket(), take.amount()))
			.collectList()
			.flatMap(probes -> {
				boolean admitted = true;
				for (int i = 0; i < takes.size(); i++) {
					if (takes.get(i).required() && !probes.get(i).consumed()) {
						admitted = false;
					}
				}
				Batch batch = new Batch(admitted, probes);
				if (admitted) {
					return Mono.just(batch);
				}
				return Flux.fromIterable(batch.taken(takes))
					.flatMap(take -> adjust(take.bucket(), -take.amount()))
					.then(Mono.just(batch));
			});
	}

	/**
	 * Settles one reservation: corrects each bucket (see {@link #adjust}) and adds the usage to the
	 * team's ledger, at most once per {@code id}. A backend that also keeps the fleet's cost report
	 * (Redis) adds the usage under {@code model} there, in the same round trip.
	 * <p>The default ignores the model.
	 * @return {@code true} when applied, {@code false} when {@code id} was settled before
	 */
	default Mono<Boolean> settle(String id, String team, List<Adjustment> adjustments, LocalDate day,
			UsageRecord usage, @Nullable String model) {
		return settle(id, team, adjustments, day, usage);
	}

	/**
	 * Settles one reservation without a per-model record.
	 * <p>The default adjusts and records without remembering the id: the caller settles once.
	 * @return {@code true} when applied, {@code false} when {@code id} was settled before
	 */
	default Mono<Boolean> settle(String id, String team, List<Adjustment> adjustments, LocalDate day,
			UsageRecord usage) {
		List<Mono<Void>> steps = new ArrayList<>();
		adjustments.forEach(adjustment -> steps.add(adjust(adjustment.bucket(), adjustment.amount())));
		steps.add(record(team, day, usage));
		return Flux.merge(steps).then(Mono.just(true));
	}

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

	/**
	 * One bucket's part of a {@link #tryConsumeAll} call.
	 * @param required whether the whole call fails when this bucket lacks the amount (enforced
	 * limits) or only this take is skipped (dry-run limits)
	 */
	record Take(BucketSpec bucket, long amount, boolean required) {
	}

	/**
	 * The outcome of {@link #tryConsumeAll}.
	 * @param admitted whether every required take was taken
	 * @param probes per take: whether that bucket held the amount, and what it holds afterwards
	 */
	record Batch(boolean admitted, List<Probe> probes) {

		/** The takes whose bucket held the amount (and a positive one): what was taken, when admitted. */
		public List<Take> taken(List<Take> takes) {
			List<Take> taken = new ArrayList<>();
			for (int i = 0; i < takes.size(); i++) {
				if (this.probes.get(i).consumed() && takes.get(i).amount() > 0) {
					taken.add(takes.get(i));
				}
			}
			return taken;
		}

	}

	/** A correction of one bucket at settlement: positive charges, negative refunds. */
	record Adjustment(BucketSpec bucket, long amount) {
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
