package dev.switchboard.quota;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

/**
 * One kind of limit a team (or a model or client within it) can be given.
 *
 * <p>Limits that share a {@link Dimension} are enforced by one bucket with one bandwidth each,
 * so a single atomic consumption checks them all. Minute windows refill continuously (a token
 * bucket, like OpenAI's own limits); day windows refill all at once at 00:00 UTC; month windows
 * live in a bucket keyed by the calendar month, so a new month starts a new bucket.
 */
public enum QuotaLimit {

	REQUESTS_PER_MINUTE(Dimension.REQUESTS, Window.MINUTE),
	TOKENS_PER_MINUTE(Dimension.TOKENS, Window.MINUTE),
	TOKENS_PER_DAY(Dimension.TOKENS, Window.DAY),
	TOKENS_PER_MONTH(Dimension.TOKENS, Window.MONTH),
	SPEND_PER_DAY(Dimension.SPEND, Window.DAY),
	SPEND_PER_MONTH(Dimension.SPEND, Window.MONTH);

	/** What a limit counts; one bucket per dimension (and mode) of a scope. */
	public enum Dimension {
		/** Requests. */
		REQUESTS,
		/** Prompt plus completion tokens. */
		TOKENS,
		/** Spend in nano-USD (10<sup>-9</sup> USD), priced from the model catalog. */
		SPEND
	}

	/** How long a limit's window is. */
	public enum Window {
		MINUTE(Duration.ofMinutes(1)), DAY(Duration.ofDays(1)), MONTH(Duration.ofDays(31));

		private final Duration length;

		Window(Duration length) {
			this.length = length;
		}

		/** The window length; a month is at most 31 days. */
		public Duration length() {
			return this.length;
		}
	}

	private final Dimension dimension;

	private final Window window;

	QuotaLimit(Dimension dimension, Window window) {
		this.dimension = dimension;
		this.window = window;
	}

	public Dimension dimension() {
		return this.dimension;
	}

	public Window window() {
		return this.window;
	}

	/**
	 * Budgets over days and months answer {@code insufficient_quota}; per-minute rate limits answer
	 * {@code rate_limit_error}, as OpenAI does.
	 */
	public boolean isBudget() {
		return this.window != Window.MINUTE;
	}

	/** The property name: {@code tokens-per-minute}, {@code spend-per-day}... */
	public String id() {
		return name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

	public static @Nullable QuotaLimit find(String id) {
		for (QuotaLimit limit : values()) {
			if (limit.id().equals(id)) {
				return limit;
			}
		}
		return null;
	}

	public static String ids() {
		return Arrays.stream(values()).map(QuotaLimit::id).collect(Collectors.joining(", "));
	}

	@Override
	public String toString() {
		return id();
	}

}
