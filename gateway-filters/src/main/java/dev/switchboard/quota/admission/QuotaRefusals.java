package dev.switchboard.quota.admission;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;

import dev.switchboard.quota.QuotaLimit.Dimension;
import dev.switchboard.quota.QuotaLimit;
import dev.switchboard.quota.backend.BucketSpec;

/**
 * What a refused admission tells the client: which limit refused it, and the message and wait of
 * the 429 (or the 400-like "too large" that no wait fixes). Kept apart from the admission itself,
 * which only decides whether the buckets took the request.
 */
final class QuotaRefusals {

	private QuotaRefusals() {
	}

	/** The first limit of a refused bucket that lacks the amount. */
	static QuotaLimit refusedLimit(Probed result, Demand demand) {
		long amount = demand.of(result.bucket().dimension());
		long[] available = result.probe().available();
		for (int i = 0; i < result.bucket().limits().size(); i++) {
			if (available[i] < amount) {
				return result.bucket().limits().get(i);
			}
		}
		return result.bucket().limits().get(0);
	}

	/**
	 * The refusal of {@code team}'s request by {@code limit} of the {@code refused} bucket, in
	 * OpenAI's words ("Rate limit reached ... Please try again in 1.2s", "You exceeded your current
	 * quota"), with when to retry: never, for a request larger than the limit itself.
	 */
	static QuotaExceededException rejection(String team, Instant now, Probed refused, QuotaLimit limit, Demand demand,
			Admission.Headers headers) {
		long amount = demand.of(refused.bucket().dimension());
		Duration wait = Duration.ZERO;
		boolean never = false;
		for (int i = 0; i < refused.bucket().limits().size(); i++) {
			Duration needed = BucketSpec.waitFor(refused.bucket().limits().get(i), refused.bucket().capacities().get(i),
					refused.probe().available()[i], amount, now);
			if (needed == null) {
				never = true;
			}
			else if (needed.compareTo(wait) > 0) {
				wait = needed;
			}
		}
		int index = refused.bucket().indexOf(limit);
		long capacity = refused.bucket().capacities().get(index);
		long available = refused.probe().available()[index];
		String scope = refused.bucket().scope().equals("team") ? "" : " (" + refused.bucket().scope() + ")";
		String message;
		if (never) {
			message = "Request too large for team '" + team + "' on " + describe(limit) + scope + ": Limit "
					+ format(limit, capacity) + ", Requested " + format(limit, amount)
					+ ". Lower max_tokens or the prompt, or ask for a higher limit.";
			return new QuotaExceededException(limit, message, null, headers);
		}
		String used = format(limit, capacity - Math.max(available, 0) + Math.max(0, -available));
		message = (limit.isBudget() ? "You exceeded your current quota: team '" : "Rate limit reached for team '")
				+ team + "' on " + describe(limit) + scope + ": Limit " + format(limit, capacity) + ", Used " + used
				+ ", Requested " + format(limit, amount) + ". Please try again in " + RateLimitHeaders.format(wait) + ".";
		return new QuotaExceededException(limit, message, wait.isZero() ? Duration.ofMillis(1) : wait, headers);
	}

	private static String describe(QuotaLimit limit) {
		return limit.id().replace('-', ' ');
	}

	private static String format(QuotaLimit limit, long amount) {
		if (limit.dimension() == Dimension.SPEND) {
			return "$" + BigDecimal.valueOf(amount, 9).setScale(4, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
		}
		return Long.toString(amount);
	}

}
