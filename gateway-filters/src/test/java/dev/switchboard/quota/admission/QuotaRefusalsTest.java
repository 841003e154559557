package dev.switchboard.quota.admission;

import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.switchboard.quota.LimitSet;
import dev.switchboard.quota.QuotaLimit;
import dev.switchboard.quota.QuotaLimit.Dimension;
import dev.switchboard.quota.backend.BucketSpec;
import dev.switchboard.quota.backend.QuotaBackend;

import static org.assertj.core.api.Assertions.assertThat;

/** What a refusal and the rate-limit headers say, from the store's answer alone. */
class QuotaRefusalsTest {

	private final Instant now = Instant.parse("2026-12-07T10:00:30Z");

	private final LimitSet limits = LimitSet.of(Map.of(QuotaLimit.REQUESTS_PER_MINUTE, 10L,
			QuotaLimit.TOKENS_PER_MINUTE, 1_000L));

	private final List<BucketSpec> buckets = BucketSpec.forScope("sb:quota", "team-a", "team", this.limits,
			YearMonth.from(this.now.atZone(ZoneOffset.UTC)));

	@Test
	void aRefusalNamesTheTeamTheLimitWhatWasUsedAndWhenToRetry() {
		BucketSpec tokens = bucket(Dimension.TOKENS);
		Probed refused = new Probed(tokens, 300, new QuotaBackend.Probe(false, new long[] { 100 }));
		Demand demand = new Demand(1, 300, 0);

		QuotaLimit limit = QuotaRefusals.refusedLimit(refused, demand);
		QuotaExceededException error = QuotaRefusals.rejection("team-a", this.now, refused, limit, demand,
				RateLimitHeaders.of(this.now, List.of(refused), List.of(), null, "memory"));

		assertThat(limit).isEqualTo(QuotaLimit.TOKENS_PER_MINUTE);
		assertThat(error.getMessage()).startsWith("Rate limit reached for team 'team-a' on tokens per minute: Limit 1000, "
				+ "Used 900, Requested 300. Please try again in ");
		assertThat(error.retryAfter()).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(1));
	}

	@Test
	void aRequestLargerThanTheLimitItselfIsTooLargeNotToBeRetried() {
		BucketSpec tokens = bucket(Dimension.TOKENS);
		Probed refused = new Probed(tokens, 5_000, new QuotaBackend.Probe(false, new long[] { 1_000 }));
		Demand demand = new Demand(1, 5_000, 0);

		QuotaExceededException error = QuotaRefusals.rejection("team-a", this.now, refused,
				QuotaRefusals.refusedLimit(refused, demand), demand,
				RateLimitHeaders.of(this.now, List.of(refused), List.of(), null, "memory"));

		assertThat(error.getMessage()).isEqualTo("Request too large for team 'team-a' on tokens per minute: Limit 1000, "
				+ "Requested 5000. Lower max_tokens or the prompt, or ask for a higher limit.");
		assertThat(error.retryAfter()).as("no wait fixes it").isNull();
	}

	@Test
	void theHeadersReportEachDimensionsTightestEnforcedWindow() {
		Probed requests = new Probed(bucket(Dimension.REQUESTS), 1, new QuotaBackend.Probe(true, new long[] { 7 }));
		Probed tokens = new Probed(bucket(Dimension.TOKENS), 200, new QuotaBackend.Probe(true, new long[] { 450 }));

		Admission.Headers headers = RateLimitHeaders.of(this.now, List.of(requests, tokens),
				List.of(QuotaLimit.TOKENS_PER_MINUTE), "big-model", "redis");

		assertThat(headers.requests().limit()).isEqualTo(10);
		assertThat(headers.requests().remaining()).isEqualTo(7);
		assertThat(headers.tokens().limit()).isEqualTo(1_000);
		assertThat(headers.tokens().remaining()).isEqualTo(450);
		assertThat(headers.tokens().reset()).isPositive();
		assertThat(headers.dryRun()).containsExactly(QuotaLimit.TOKENS_PER_MINUTE);
		assertThat(headers.downgradedFrom()).isEqualTo("big-model");
	}

	private BucketSpec bucket(Dimension dimension) {
		return this.buckets.stream().filter(spec -> spec.dimension() == dimension).findFirst().orElseThrow();
	}

}
