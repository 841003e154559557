package dev.switchboard.quota.admission;

import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import dev.switchboard.core.Bill;
import dev.switchboard.core.Timers;
import dev.switchboard.core.Usage;
import dev.switchboard.quota.backend.BucketSpec;
import dev.switchboard.quota.backend.QuotaBackend;

/**
 * Settling a reservation: each bucket is corrected from what was reserved to what was billed
 * (unused tokens refunded, excess charged into debt) and the usage is added to the team's ledger,
 * in one backend call ({@link QuotaBackend#settle}), on the store that took the reservation (the
 * fallback's, when it was taken during an outage). The bill is the exchange's ({@link Bill}):
 * quota, ledgers and metrics count the same tokens at the same price.
 *
 * <p>A settlement that fails is logged and counted, never failing the request that already got
 * its answer; the backend applies a settlement id at most once, so a retried one is harmless.
 */
final class Settlement {

	private static final Logger log = LoggerFactory.getLogger(TokenQuotaService.class);

	private final Duration timeout;

	private final QuotaMetrics metrics;

	private final Clock clock;

	Settlement(Duration timeout, QuotaMetrics metrics, Clock clock) {
		this.timeout = timeout;
		this.metrics = metrics;
		this.clock = clock;
	}

	Mono<Void> settle(Reservation reservation, Bill bill) {
		QuotaBackend store = reservation.backend();
		Usage billed = bill.usage();
		long spend = bill.costNanos();
		List<QuotaBackend.Adjustment> corrections = corrections(reservation.charges(), billed.totalTokens(), spend);
		LocalDate day = LocalDate.now(this.clock.withZone(ZoneOffset.UTC));
		QuotaBackend.UsageRecord usage = new QuotaBackend.UsageRecord(1, billed.promptTokens(),
				billed.completionTokens(), spend);
		Mono<Void> settled = store.settle(reservation.id(), reservation.team(), corrections, day, usage,
				bill.target().model().id()).then();
		return (store.inProcess() ? settled : settled.timeout(Timers.delay(this.timeout)))
			.doOnError(error -> {
				this.metrics.backendFailure(store.name(), "settle");
				log.debug("Could not settle the quota reservation of team '{}' on {}", reservation.team(),
						store.name(), error);
			})
			.onErrorComplete();
	}

	/**
	 * Per bucket, the billed amount minus what was reserved in it (a stream may have reserved in
	 * several steps); requests are billed as reserved.
	 */
	static List<QuotaBackend.Adjustment> corrections(List<Reservation.Charge> charges, long tokens, long spend) {
		Map<String, Long> reserved = new LinkedHashMap<>();
		Map<String, BucketSpec> specs = new LinkedHashMap<>();
		for (Reservation.Charge charge : charges) {
			reserved.merge(charge.bucket().key(), charge.amount(), Long::sum);
			specs.put(charge.bucket().key(), charge.bucket());
		}
		List<QuotaBackend.Adjustment> corrections = new ArrayList<>();
		reserved.forEach((key, amount) -> {
			BucketSpec bucket = specs.get(key);
			long actual = switch (bucket.dimension()) {
				case REQUESTS -> amount;
				case TOKENS -> tokens;
				case SPEND -> spend;
			};
			if (actual != amount) {
				corrections.add(new QuotaBackend.Adjustment(bucket, actual - amount));
			}
		});
		return corrections;
	}

}
