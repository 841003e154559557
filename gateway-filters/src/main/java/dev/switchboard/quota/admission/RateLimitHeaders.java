package dev.switchboard.quota.admission;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;

import dev.switchboard.quota.LimitSet;
import dev.switchboard.quota.QuotaLimit;
import dev.switchboard.quota.QuotaLimit.Dimension;
import dev.switchboard.quota.backend.BucketSpec;

/**
 * OpenAI's rate-limit response headers, so official SDKs and clients written for OpenAI pace
 * themselves without knowing Switchboard.
 */
public final class RateLimitHeaders {

	public static final String LIMIT_REQUESTS = "x-ratelimit-limit-requests";

	public static final String REMAINING_REQUESTS = "x-ratelimit-remaining-requests";

	public static final String RESET_REQUESTS = "x-ratelimit-reset-requests";

	public static final String LIMIT_TOKENS = "x-ratelimit-limit-tokens";

	public static final String REMAINING_TOKENS = "x-ratelimit-remaining-tokens";

	public static final String RESET_TOKENS = "x-ratelimit-reset-tokens";

	/** Dry-run limits the request would have exceeded, comma-separated (Switchboard's own). */
	public static final String DRY_RUN = "x-switchboard-quota-dry-run";

	/** The model the request was downgraded from by a soft limit (Switchboard's own). */
	public static final String DOWNGRADED_FROM = "x-switchboard-downgraded-from";

	/** Which quota store answered: {@code redis}, {@code memory} (Switchboard's own). */
	public static final String BACKEND = "x-switchboard-quota-backend";

	private RateLimitHeaders() {
	}

	/**
	 * Values of one limit for the headers.
	 * @param limit capacity of the window
	 * @param remaining what is left, never negative
	 * @param reset time until the window is full again
	 */
	public record Window(long limit, long remaining, Duration reset) {
	}

	static void write(HttpHeaders headers, Window requests, Window tokens) {
		if (requests != null) {
			headers.set(LIMIT_REQUESTS, Long.toString(requests.limit()));
			headers.set(REMAINING_REQUESTS, Long.toString(requests.remaining()));
			headers.set(RESET_REQUESTS, format(requests.reset()));
		}
		if (tokens != null) {
			headers.set(LIMIT_TOKENS, Long.toString(tokens.limit()));
			headers.set(REMAINING_TOKENS, Long.toString(tokens.remaining()));
			headers.set(RESET_TOKENS, format(tokens.reset()));
		}
	}

	/** OpenAI's duration format: {@code 0s}, {@code 120ms}, {@code 1.5s}, {@code 6m0s}, {@code 2h3m4s}. */
	public static String format(Duration duration) {
		long millis = Math.max(0, duration.toMillis());
		if (millis == 0) {
			return "0s";
		}
		if (millis < 1000) {
			return millis + "ms";
		}
		if (millis < 60_000) {
			long tenths = (millis + 99) / 100;
			return (tenths % 10 == 0) ? (tenths / 10) + "s" : (tenths / 10) + "." + (tenths % 10) + "s";
		}
		long seconds = (millis + 999) / 1000;
		long hours = seconds / 3600;
		long minutes = (seconds % 3600) / 60;
		long rest = seconds % 60;
		return (hours > 0 ? hours + "h" : "") + minutes + "m" + rest + "s";
	}

	/**
	 * The headers of an admission: per dimension the tightest enforced window (the tokens-per-minute
	 * one first, as OpenAI reports it), with the dry-run limits that would have refused, the model a
	 * downgrade came from and the store that answered.
	 */
	static Admission.Headers of(Instant now, List<Probed> results, List<QuotaLimit> dryRun,
			@Nullable String downgradedFrom, String backendName) {
		Window requests = null;
		Window tokens = null;
		boolean tokensPerMinute = false;
		for (Probed result : results) {
			if (result.bucket().mode() != LimitSet.Mode.ENFORCE) {
				continue;
			}
			for (int i = 0; i < result.bucket().limits().size(); i++) {
				QuotaLimit limit = result.bucket().limits().get(i);
				long capacity = result.bucket().capacities().get(i);
				long available = result.probe().available()[i];
				Window window = new Window(capacity, Math.max(0, available),
						BucketSpec.resetIn(limit, capacity, available, now));
				if (limit == QuotaLimit.REQUESTS_PER_MINUTE) {
					if (requests == null || window.remaining() < requests.remaining()) {
						requests = window;
					}
				}
				else if (limit.dimension() == Dimension.TOKENS) {
					boolean minute = limit == QuotaLimit.TOKENS_PER_MINUTE;
					if (tokens == null || (minute && !tokensPerMinute)
							|| (minute == tokensPerMinute && window.remaining() < tokens.remaining())) {
						tokens = window;
						tokensPerMinute = minute;
					}
				}
			}
		}
		return new Admission.Headers(requests, tokens, List.copyOf(dryRun), downgradedFrom, backendName);
	}

}
