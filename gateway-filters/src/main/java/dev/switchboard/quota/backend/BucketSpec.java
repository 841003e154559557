package dev.switchboard.quota.backend;

import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConfigurationBuilder;

import dev.switchboard.quota.LimitSet;
import dev.switchboard.quota.QuotaLimit.Dimension;
import dev.switchboard.quota.QuotaLimit;

/**
 * One Bucket4j bucket: the limits of one scope that share a dimension and a mode, one bandwidth
 * each, so that a single atomic consumption checks them all.
 *
 * <p>Key layout (the same in memory and in Redis):
 *
 * <pre>
 * {prefix}:{&lbrace;team&rbrace;}:{scope}:{dimension}[:{mode}][:{yyyy-MM}]
 * sb:quota:{search}:team:tokens:2026-11      tokens-per-minute/day/month of team search
 * sb:quota:{search}:model:gpt-4o:spend:dry   a dry-run spend limit on one model
 * sb:quota:{search}:client:1f2e3d4c5b6a7988:requests
 * </pre>
 *
 * The team in braces is a Redis Cluster hash tag: every key of a team, buckets and usage ledger
 * alike, lives in one slot, so multi-key scripts work on a cluster. Buckets with a monthly limit
 * carry the month, so a new month starts a new bucket. The limits' amounts are not in the key: a
 * limit changed live keeps its bucket, and both backends carry what was used over to the new
 * amount (available moves by the change of capacity, Bucket4j's {@code ADDITIVE} inheritance),
 * so raising a budget never hands out a fresh one and lowering it never forgets the spend.
 *
 * @param key the storage key
 * @param team the team the bucket belongs to
 * @param scope {@code team}, {@code model:<id>} or {@code client:<hash>}
 * @param dimension what the bucket counts
 * @param mode how its limits act
 * @param limits the limits, in bandwidth order
 * @param capacities the amount of each limit, in the same order
 */
public record BucketSpec(String key, String team, String scope, Dimension dimension, LimitSet.Mode mode,
		List<QuotaLimit> limits, List<Long> capacities) {

	/** Daily windows refill at 00:00 UTC: aligned on a fixed midnight in the past. */
	static final Instant DAY_ANCHOR = Instant.parse("2000-01-01T00:00:00Z");

	public BucketSpec {
		limits = List.copyOf(limits);
		capacities = List.copyOf(capacities);
	}

	/** The buckets of one scope's limits: one per (dimension, mode) that has limits. */
	public static List<BucketSpec> forScope(String prefix, String team, String scope, LimitSet set, YearMonth month) {
		Map<Dimension, Map<LimitSet.Mode, List<QuotaLimit>>> groups = new EnumMap<>(Dimension.class);
		set.amounts().keySet().forEach(limit -> groups.computeIfAbsent(limit.dimension(), d -> new EnumMap<>(LimitSet.Mode.class))
			.computeIfAbsent(set.mode(limit), m -> new ArrayList<>())
			.add(limit));
		List<BucketSpec> buckets = new ArrayList<>();
		groups.forEach((dimension, byMode) -> byMode.forEach((mode, limits) -> {
			List<Long> capacities = limits.stream().map(set.amounts()::get).toList();
			StringBuilder key = new StringBuilder(prefix).append(":{").append(team).append("}:").append(scope)
				.append(':').append(dimension.name().toLowerCase(java.util.Locale.ROOT));
			if (mode != LimitSet.Mode.ENFORCE) {
				key.append(':').append(mode == LimitSet.Mode.DRY_RUN ? "dry" : "soft");
			}
			if (limits.stream().anyMatch(limit -> limit.window() == QuotaLimit.Window.MONTH)) {
				key.append(':').append(month);
			}
			buckets.add(new BucketSpec(key.toString(), team, scope, dimension, mode, limits, capacities));
		}));
		return buckets;
	}

	/** The Bucket4j configuration: one bandwidth per limit, named by the limit's id. */
	public BucketConfiguration configuration() {
		ConfigurationBuilder builder = BucketConfiguration.builder();
		for (int i = 0; i < this.limits.size(); i++) {
			builder.addLimit(bandwidth(this.limits.get(i), this.capacities.get(i)));
		}
		return builder.build();
	}

	static Bandwidth bandwidth(QuotaLimit limit, long capacity) {
		Duration period = refillPeriod(limit.window());
		return switch (limit.window()) {
			// A token bucket, like OpenAI's per-minute limits: a spent minute comes back gradually.
			case MINUTE -> Bandwidth.builder().capacity(capacity).refillGreedy(capacity, period).id(limit.id()).build();
			// A budget: all back at once at 00:00 UTC.
			case DAY -> Bandwidth.builder().capacity(capacity)
				.refillIntervallyAligned(capacity, period, DAY_ANCHOR)
				.id(limit.id()).build();
			// The key carries the month, so this bucket never needs to refill before the month is over.
			case MONTH -> Bandwidth.builder().capacity(capacity).refillIntervally(capacity, period)
				.id(limit.id()).build();
		};
	}

	/** How long a bucket of the window takes to refill completely (a month bucket: never within its month). */
	private static Duration refillPeriod(QuotaLimit.Window window) {
		return switch (window) {
			case MINUTE -> Duration.ofMinutes(1);
			case DAY -> Duration.ofDays(1);
			case MONTH -> Duration.ofDays(32);
		};
	}

	/**
	 * The largest amount a limit can be given: Bucket4j refills at most one unit per nanosecond, and
	 * the in-memory buckets (also the fail-open fallback of the Redis backend) are Bucket4j's. Far
	 * above any real limit for requests and tokens; for spend, counted in nano-USD, it is 86,400 USD
	 * a day and 2,764,800 USD a month.
	 */
	public static long maxAmount(QuotaLimit limit) {
		return refillPeriod(limit.window()).toNanos();
	}

	public int indexOf(QuotaLimit limit) {
		return this.limits.indexOf(limit);
	}

	/** Longest a bucket of this spec can matter after its last write; idle buckets are dropped after it. */
	public Duration retention() {
		return this.limits.stream().map(limit -> limit.window().length()).max(Duration::compareTo).orElseThrow();
	}

	/** Time until the window of {@code limit} is full again, given what is available now. */
	public static Duration resetIn(QuotaLimit limit, long capacity, long available, Instant now) {
		if (available >= capacity) {
			return Duration.ZERO;
		}
		return switch (limit.window()) {
			case MINUTE -> Duration.ofMillis(Math.max(1, (long) Math.ceil((capacity - (double) available) * 60_000 / capacity)));
			case DAY -> Duration.between(now, now.atZone(ZoneOffset.UTC).toLocalDate().plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant());
			case MONTH -> Duration.between(now, YearMonth.from(now.atZone(ZoneOffset.UTC)).plusMonths(1).atDay(1)
				.atStartOfDay(ZoneOffset.UTC).toInstant());
		};
	}

	/** Time until {@code amount} fits in the window of {@code limit}; {@code null} if it never will. */
	public static Duration waitFor(QuotaLimit limit, long capacity, long available, long amount, Instant now) {
		if (amount > capacity) {
			return null;
		}
		if (available >= amount) {
			return Duration.ZERO;
		}
		if (limit.window() == QuotaLimit.Window.MINUTE) {
			return Duration.ofMillis(Math.max(1, (long) Math.ceil((amount - (double) available) * 60_000 / capacity)));
		}
		return resetIn(limit, capacity, available, now);
	}

}
