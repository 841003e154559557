package dev.switchboard.quota.admission;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import dev.switchboard.core.LlmApiException;
import dev.switchboard.quota.QuotaLimit;

/**
 * A 429 in OpenAI's shape: {@code rate_limit_error}/{@code rate_limit_exceeded} for per-minute
 * limits, {@code insufficient_quota} for day and month budgets, with {@code Retry-After} and the
 * rate-limit headers of the moment.
 */
public class QuotaExceededException extends LlmApiException {

	private final QuotaLimit limit;

	private final transient Admission.Headers headers;

	QuotaExceededException(QuotaLimit limit, String message, @Nullable Duration retryAfter, Admission.Headers headers) {
		super(429, limit.isBudget() ? "insufficient_quota" : RATE_LIMIT,
				limit.isBudget() ? "insufficient_quota" : "rate_limit_exceeded", null, message, retryAfter, null);
		this.limit = limit;
		this.headers = headers;
	}

	/** The same refusal (limit, wait, headers) told otherwise: a full queue says so. */
	QuotaExceededException withMessage(String message) {
		return new QuotaExceededException(this.limit, message, retryAfter(), this.headers);
	}

	public QuotaLimit limit() {
		return this.limit;
	}

	public Admission.Headers headers() {
		return this.headers;
	}

	/** 503 while the quota store is away and the failure mode is closed. */
	public static LlmApiException unavailable() {
		return new LlmApiException(503, API_ERROR, "quota_unavailable", null,
				"The gateway cannot check your quota right now; please retry shortly.", Duration.ofSeconds(1), null);
	}

}
