package dev.switchboard.quota.admission;

import java.time.YearMonth;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.switchboard.quota.LimitSet;
import dev.switchboard.quota.QuotaLimit;
import dev.switchboard.quota.backend.BucketSpec;
import dev.switchboard.quota.backend.QuotaBackend;

import static org.assertj.core.api.Assertions.assertThat;

/** What settling corrects: billed minus reserved per bucket, a stream's several steps summed. */
class SettlementTest {

	private static final List<BucketSpec> BUCKETS = BucketSpec.forScope("sb:quota", "a", "team",
			LimitSet.of(Map.of(QuotaLimit.REQUESTS_PER_MINUTE, 10L, QuotaLimit.TOKENS_PER_MINUTE, 10_000L,
					QuotaLimit.SPEND_PER_DAY, 1_000_000_000L)),
			YearMonth.of(2026, 12));

	private static BucketSpec bucket(QuotaLimit.Dimension dimension) {
		return BUCKETS.stream().filter(b -> b.dimension() == dimension).findFirst().orElseThrow();
	}

	@Test
	void unusedTokensAreRefundedAndExcessIsChargedRequestsStayAsReserved() {
		BucketSpec requests = bucket(QuotaLimit.Dimension.REQUESTS);
		BucketSpec tokens = bucket(QuotaLimit.Dimension.TOKENS);
		BucketSpec spend = bucket(QuotaLimit.Dimension.SPEND);
		List<Reservation.Charge> charges = List.of(new Reservation.Charge(requests, 1),
				new Reservation.Charge(tokens, 1_100), new Reservation.Charge(spend, 5_000));

		assertThat(Settlement.corrections(charges, 300, 7_000)).containsExactlyInAnyOrder(
				new QuotaBackend.Adjustment(tokens, -800), new QuotaBackend.Adjustment(spend, 2_000));
	}

	@Test
	void aStreamsExtensionsAreSummedBeforeCorrecting() {
		BucketSpec tokens = bucket(QuotaLimit.Dimension.TOKENS);
		List<Reservation.Charge> charges = List.of(new Reservation.Charge(tokens, 1_000),
				new Reservation.Charge(tokens, 1_024), new Reservation.Charge(tokens, 1_024));

		assertThat(Settlement.corrections(charges, 3_048, 0)).isEmpty();
		assertThat(Settlement.corrections(charges, 2_000, 0))
			.containsExactly(new QuotaBackend.Adjustment(tokens, -1_048));
	}

}
