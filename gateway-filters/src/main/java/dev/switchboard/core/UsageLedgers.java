package dev.switchboard.core;

import java.time.Duration;

/**
 * Where and how long a team's usage per day and per month is kept in a shared store. The quota's
 * Redis ledger and the fleet's cost ledger may be the same hashes ({@code llmcosts} reads what
 * quota settlement writes), so both name them with {@link #key} and renew them with these TTLs,
 * stated once.
 */
public final class UsageLedgers {

	/** TTL of a team's day ledger, renewed by each write. */
	public static final Duration DAY_TTL = Duration.ofDays(3);

	/** TTL of a team's month ledger, renewed by each write. */
	public static final Duration MONTH_TTL = Duration.ofDays(62);

	private UsageLedgers() {
	}

	/**
	 * The hash of {@code team}'s usage in {@code period} ({@code yyyy-MM-dd} or {@code yyyy-MM}):
	 * {@code <prefix>:{team}:usage:<period>}, the team in braces so that a team's keys share a
	 * Redis Cluster slot (one script may write its day and its month).
	 */
	public static String key(String prefix, String team, String period) {
		return prefix + ":{" + team + "}:usage:" + period;
	}

}
