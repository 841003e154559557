package dev.switchboard.translate.spi;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;

import dev.switchboard.catalog.Secret;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.RouteTarget;

/**
 * The status mapping every adapter shares once it has read the provider's own error fields.
 *
 * <p>Rules: the gateway's provider credentials failing (401/403) is the gateway's problem, not the
 * client's, so it becomes a 502 that names the provider but never the key; overload (529) becomes
 * 503 so SDKs retry it; {@code Retry-After} and {@code retry-after-ms} survive so SDKs back off on
 * their own. An account the provider refuses to serve (no credit, billing not set up, a region it
 * does not serve) is the operator's problem as well: {@link #billing} makes it a 502 too.
 */
public final class UpstreamErrors {

	private UpstreamErrors() {
	}

	public static LlmApiException map(RouteTarget target, int status, HttpHeaders headers, @Nullable String type,
			@Nullable String code, @Nullable String param, @Nullable String message) {
		String provider = target.provider().name();
		String text = scrub(message, target.provider().apiKey());
		Duration retryAfter = retryAfter(headers);
		if (status == 401 || status == 403) {
			return new LlmApiException(502, LlmApiException.API_ERROR, "upstream_auth_failed", null,
					"The provider '" + provider + "' rejected the gateway's credentials (HTTP " + status
							+ "); contact the gateway operator.",
					null, null);
		}
		if (status == 429) {
			return new LlmApiException(429, (type != null) ? type : LlmApiException.RATE_LIMIT, code, param,
					(text != null) ? text : "The provider '" + provider + "' is rate limiting requests.", retryAfter,
					null);
		}
		if (status == 529 || status == 503) {
			return new LlmApiException(503, LlmApiException.SERVER_ERROR, (code != null) ? code : "overloaded", null,
					(text != null) ? text : "The provider '" + provider + "' is overloaded.", retryAfter, null);
		}
		if (status >= 500) {
			return new LlmApiException(status, LlmApiException.SERVER_ERROR, code, null,
					(text != null) ? text : "The provider '" + provider + "' failed (HTTP " + status + ").", retryAfter,
					null);
		}
		return new LlmApiException(status, (type != null) ? type : LlmApiException.INVALID_REQUEST, code, param,
				(text != null) ? text : "The provider '" + provider + "' refused the request (HTTP " + status + ").",
				retryAfter, null);
	}

	private static @Nullable Duration millis(@Nullable String value, double unitMillis) {
		if (value == null) {
			return null;
		}
		try {
			double number = Double.parseDouble(value.trim()) * unitMillis;
			if (!Double.isFinite(number) || number < 0) {
				return null;
			}
			return Duration.ofMillis((long) Math.min(number, MAX_RETRY_AFTER.toMillis()));
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	/**
	 * The provider refuses the gateway's account rather than the request: out of credit, billing
	 * not set up, or not offered where the account is. Every client would get the same answer and
	 * none could fix it, so it is a 502 naming the provider, with code {@code upstream_billing}
	 * (failed over like a rejected key); the provider's own message is not passed on, since it
	 * addresses the account holder ("your credit balance...") and may describe the account.
	 */
	public static LlmApiException billing(RouteTarget target, int status) {
		return new LlmApiException(502, LlmApiException.API_ERROR, "upstream_billing", null,
				"The provider '" + target.provider().name() + "' refused to serve the gateway's account (HTTP " + status
						+ ": billing, credit or availability); contact the gateway operator.",
				null, null);
	}

	/**
	 * A stream that ended before the provider's protocol says it finished ({@code how}: what was
	 * missing): a 502, never the {@code [DONE]} that would present a partial answer as complete.
	 */
	public static LlmApiException streamTruncated(RouteTarget target, String how) {
		return new LlmApiException(502, LlmApiException.API_ERROR, "upstream_stream_truncated", null,
				"The provider '" + target.provider().name() + "' ended the stream before it was complete (" + how + ").",
				null, null);
	}

	/** A provider answer the gateway cannot read ({@code what} it sent): a 502 naming the provider. */
	public static LlmApiException invalidResponse(RouteTarget target, String what) {
		return new LlmApiException(502, LlmApiException.API_ERROR, "invalid_upstream_response", null,
				"The provider '" + target.provider().name() + "' sent " + what + ".", null, null);
	}

	/** Removes the provider key from a provider message, in case the provider echoed it. */
	static @Nullable String scrub(@Nullable String message, @Nullable Secret key) {
		if (message == null || message.isBlank()) {
			return null;
		}
		if (key != null && !key.isEmpty() && message.contains(key.reveal())) {
			return message.replace(key.reveal(), "******");
		}
		return message;
	}

	/** Longest {@code Retry-After} believed; a provider's odd value must not park requests for days. */
	static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);

	/**
	 * Reads {@code retry-after-ms} (OpenAI) or {@code Retry-After} in seconds or as an HTTP date;
	 * negative, non-finite and absurd values are ignored or clamped to an hour.
	 */
	public static @Nullable Duration retryAfter(HttpHeaders headers) {
		Duration millis = millis(headers.getFirst("retry-after-ms"), 1);
		if (millis != null) {
			return millis;
		}
		String value = headers.getFirst(HttpHeaders.RETRY_AFTER);
		if (value == null || value.isBlank()) {
			return null;
		}
		Duration seconds = millis(value, 1000);
		if (seconds != null) {
			return seconds;
		}
		try {
			Duration until = Duration.between(ZonedDateTime.now(),
					ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME));
			return until.isNegative() ? Duration.ZERO
					: (until.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : until);
		}
		catch (RuntimeException notADate) {
			return null;
		}
	}

}
