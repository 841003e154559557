package dev.switchboard.quota.admission;

import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

import dev.switchboard.quota.LimitSet;
import dev.switchboard.quota.QuotaPolicy;
import dev.switchboard.quota.backend.BucketSpec;

/**
 * Which buckets a request takes: its team's, its model's for the team and its client's, each
 * scope's buckets (keys, fingerprints, capacities) worked out from the policy once and kept.
 */
final class QuotaBuckets {

	/** Most team and model scopes kept with their buckets; far above a policy's, so only past months go. */
	private static final int MAX_SCOPES = 10_000;

	private final String keyPrefix;

	private final Map<ScopeKey, List<BucketSpec>> scopes = new ConcurrentHashMap<>();

	QuotaBuckets(String keyPrefix) {
		this.keyPrefix = keyPrefix;
	}

	/**
	 * The buckets of {@code mode} a request of {@code team} on {@code model} takes in {@code month}:
	 * the team's, the model's for the team, and the client's (its key or header) when the policy has
	 * a client layer.
	 */
	List<BucketSpec> of(QuotaPolicy policy, String team, String model, @Nullable String client, YearMonth month,
			LimitSet.Mode mode) {
		List<BucketSpec> buckets = new ArrayList<>();
		addOfMode(buckets, mode, scopeBuckets(policy, team, "team", month));
		addOfMode(buckets, mode, scopeBuckets(policy, team, "model:" + model, month));
		QuotaPolicy.ClientLayer layer = policy.clientLayer();
		if (layer != null && client != null && !layer.limits().isEmpty()) {
			// One scope per client key: not kept, there may be any number of them.
			addOfMode(buckets, mode, BucketSpec.forScope(this.keyPrefix, team, "client:" + client, layer.limits(),
					month));
		}
		return buckets;
	}

	private static void addOfMode(List<BucketSpec> buckets, LimitSet.Mode mode, List<BucketSpec> scope) {
		for (BucketSpec bucket : scope) {
			if (bucket.mode() == mode) {
				buckets.add(bucket);
			}
		}
	}

	/**
	 * The buckets of a team's or a model's limits in a month. They follow from the policy alone, so
	 * they are worked out once and kept (a request asks for them once per mode), not rebuilt, keys
	 * and fingerprints included, on every request. Bounded by the policy's teams and models times
	 * the months a gateway runs through; past {@link #MAX_SCOPES} entries the map starts afresh
	 * (correct, only recomputed), which drops the past months' entries.
	 */
	private List<BucketSpec> scopeBuckets(QuotaPolicy policy, String team, String scope, YearMonth month) {
		// Keyed by the policy too: requests of two configuration versions may be admitted at once.
		ScopeKey key = new ScopeKey(policy, team, scope, month);
		List<BucketSpec> buckets = this.scopes.get(key);
		if (buckets == null) {
			if (this.scopes.size() >= MAX_SCOPES) {
				this.scopes.clear();
			}
			buckets = BucketSpec.forScope(this.keyPrefix, team, scope, limitSet(policy, team, scope), month);
			this.scopes.put(key, buckets);
		}
		return buckets;
	}

	/** A scope under one policy, compared by the policy's identity: hashing a whole policy per request would cost more than the lookup saves. */
	private static final class ScopeKey {

		private final QuotaPolicy policy;

		private final String team;

		private final String scope;

		private final YearMonth month;

		private final int hash;

		ScopeKey(QuotaPolicy policy, String team, String scope, YearMonth month) {
			this.policy = policy;
			this.team = team;
			this.scope = scope;
			this.month = month;
			this.hash = ((System.identityHashCode(policy) * 31 + team.hashCode()) * 31 + scope.hashCode()) * 31
					+ month.hashCode();
		}

		@Override
		public boolean equals(Object other) {
			return other instanceof ScopeKey key && key.policy == this.policy && key.team.equals(this.team)
					&& key.scope.equals(this.scope) && key.month.equals(this.month);
		}

		@Override
		public int hashCode() {
			return this.hash;
		}

	}

	/** The limits of a scope as {@link #of} names it: {@code team}, {@code model:<id>} or {@code client:<id>}. */
	static LimitSet limitSet(QuotaPolicy policy, String team, String scope) {
		if (scope.equals("team")) {
			return policy.team(team);
		}
		if (scope.startsWith("model:")) {
			return policy.model(team, scope.substring("model:".length()));
		}
		return (policy.clientLayer() != null) ? policy.clientLayer().limits() : LimitSet.NONE;
	}

}
