package dev.switchboard.quota.admission;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import dev.switchboard.quota.QuotaLimit;
import dev.switchboard.quota.QuotaPolicy;
import dev.switchboard.quota.backend.BucketSpec;
import dev.switchboard.quota.backend.QuotaBackend;

/**
 * Reading a team's quota for the {@code llmquotas} endpoint and the gauges: what each of its
 * buckets has left, when it is full again, and the day's and month's ledger. Read through the
 * same {@link StoreGuard} as admission, so a report during an outage shows the fallback's counts
 * (open) or fails like a request would (closed) instead of hanging.
 */
final class QuotaSnapshots {

	private final Supplier<QuotaPolicy> policy;

	private final StoreGuard store;

	private final String keyPrefix;

	private final Clock clock;

	/** @param policy the current policy: a snapshot shows the limits of the configuration version serving now */
	QuotaSnapshots(Supplier<QuotaPolicy> policy, StoreGuard store, String keyPrefix, Clock clock) {
		this.policy = policy;
		this.store = store;
		this.keyPrefix = keyPrefix;
		this.clock = clock;
	}

	Mono<TeamQuota> snapshot(String team) {
		return this.store.call("read", store -> {
			YearMonth month = YearMonth.now(this.clock.withZone(ZoneOffset.UTC));
			List<BucketSpec> buckets = BucketSpec.forScope(this.keyPrefix, team, "team", this.policy.get().team(team), month);
			Instant now = this.clock.instant();
			Mono<List<TeamQuota.Limit>> limits = Flux.fromIterable(buckets)
				.flatMapSequential(bucket -> store.available(bucket).map(available -> {
					List<TeamQuota.Limit> out = new ArrayList<>();
					for (int i = 0; i < bucket.limits().size(); i++) {
						QuotaLimit limit = bucket.limits().get(i);
						long capacity = bucket.capacities().get(i);
						out.add(new TeamQuota.Limit(limit, bucket.mode(), capacity, available[i],
								BucketSpec.resetIn(limit, capacity, available[i], now)));
					}
					return out;
				}))
				.flatMapIterable(list -> list)
				.sort(Comparator.comparing(TeamQuota.Limit::limit))
				.collectList();
			Mono<QuotaBackend.Ledger> ledger = store.ledger(team, LocalDate.now(this.clock.withZone(ZoneOffset.UTC)));
			return Mono.zip(limits, ledger, (l, u) -> new TeamQuota(team, store.name(), l, u));
		});
	}

}
