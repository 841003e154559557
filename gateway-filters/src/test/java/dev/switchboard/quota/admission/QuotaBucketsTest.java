package dev.switchboard.quota.admission;

import java.time.YearMonth;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.switchboard.quota.LimitSet;
import dev.switchboard.quota.QuotaLimit;
import dev.switchboard.quota.QuotaPolicy;
import dev.switchboard.quota.backend.BucketSpec;

import static org.assertj.core.api.Assertions.assertThat;

/** Which buckets a request takes, from the policy alone, and that a scope's are worked out once. */
class QuotaBucketsTest {

	private final QuotaBuckets buckets = new QuotaBuckets("sb:quota");

	private final YearMonth month = YearMonth.of(2026, 12);

	private final QuotaPolicy policy = new QuotaPolicy(LimitSet.of(Map.of(QuotaLimit.REQUESTS_PER_MINUTE, 60L)),
			Map.of("search", LimitSet.of(Map.of(QuotaLimit.TOKENS_PER_DAY, 100_000L))),
			Map.of("gpt-4o", LimitSet.of(Map.of(QuotaLimit.TOKENS_PER_MINUTE, 5_000L))), Map.of(), null,
			QuotaPolicy.DEFAULT_COMPLETION_RESERVATION);

	@Test
	void aRequestTakesItsTeamsAndItsModelsBucketsEachScopeWorkedOutOnce() {
		List<BucketSpec> first = this.buckets.of(this.policy, "search", "gpt-4o", null, this.month, LimitSet.Mode.ENFORCE);
		List<BucketSpec> again = this.buckets.of(this.policy, "search", "gpt-4o", null, this.month, LimitSet.Mode.ENFORCE);

		assertThat(first).extracting(BucketSpec::scope).containsOnly("team", "model:gpt-4o");
		assertThat(first).flatExtracting(BucketSpec::limits).contains(QuotaLimit.REQUESTS_PER_MINUTE,
				QuotaLimit.TOKENS_PER_DAY, QuotaLimit.TOKENS_PER_MINUTE);
		assertThat(first).allMatch(bucket -> bucket.key().startsWith("sb:quota:{search}:"));
		for (int i = 0; i < first.size(); i++) {
			assertThat(again.get(i)).as("kept, not rebuilt").isSameAs(first.get(i));
		}
		assertThat(this.buckets.of(this.policy, "search", "claude", null, this.month, LimitSet.Mode.ENFORCE))
			.as("a model without limits of its own adds none").extracting(BucketSpec::scope).containsOnly("team");
		assertThat(this.buckets.of(this.policy, "search", "gpt-4o", null, this.month, LimitSet.Mode.DRY_RUN)).isEmpty();
	}

	@Test
	void aClientLayerAddsTheClientsOwnBucketsAndAnotherPolicyVersionItsOwn() {
		QuotaPolicy layered = this.policy.withClientLayer(new QuotaPolicy.ClientLayer(QuotaPolicy.ClientLayer.Source.KEY,
				null, LimitSet.of(Map.of(QuotaLimit.REQUESTS_PER_MINUTE, 5L))));

		List<BucketSpec> taken = this.buckets.of(layered, "search", "gpt-4o", "c0ffee", this.month, LimitSet.Mode.ENFORCE);

		assertThat(taken).extracting(BucketSpec::scope).contains("client:c0ffee");
		assertThat(this.buckets.of(this.policy, "search", "gpt-4o", "c0ffee", this.month, LimitSet.Mode.ENFORCE))
			.as("the policy without the layer: no client bucket").extracting(BucketSpec::scope)
			.doesNotContain("client:c0ffee");
	}

}
