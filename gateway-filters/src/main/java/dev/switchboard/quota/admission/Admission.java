package dev.switchboard.quota.admission;

import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;

import dev.switchboard.quota.QuotaLimit;

/**
 * A request let through: what it reserved and what to tell the client.
 *
 * @param reservation what was reserved, settled when the request completes
 * @param headers the rate-limit headers to send
 */
public record Admission(Reservation reservation, Headers headers, Duration queued) {

	/** The rate-limit headers of the decision, and how long the request waited for it. */
	public void writeTo(HttpHeaders response) {
		this.headers.writeTo(response);
		if (!this.queued.isZero()) {
			response.set(dev.switchboard.core.Headers.QUEUED_MS, Long.toString(this.queued.toMillis()));
		}
	}

	/**
	 * Header values of one decision.
	 * @param requests the request window, or {@code null} when no request limit applies
	 * @param tokens the token window, or {@code null} when no token limit applies
	 * @param dryRun dry-run limits the request exceeded
	 * @param downgradedFrom the model asked for, when a soft limit rerouted the request
	 * @param backend the store that decided
	 */
	public record Headers(RateLimitHeaders.@Nullable Window requests, RateLimitHeaders.@Nullable Window tokens,
			List<QuotaLimit> dryRun, @Nullable String downgradedFrom, String backend) {

		public void writeTo(HttpHeaders headers) {
			RateLimitHeaders.write(headers, this.requests, this.tokens);
			if (!this.dryRun.isEmpty()) {
				headers.set(RateLimitHeaders.DRY_RUN,
						String.join(",", this.dryRun.stream().map(QuotaLimit::id).toList()));
			}
			if (this.downgradedFrom != null) {
				headers.set(RateLimitHeaders.DOWNGRADED_FROM, this.downgradedFrom);
			}
			headers.set(RateLimitHeaders.BACKEND, this.backend);
		}

	}

}
