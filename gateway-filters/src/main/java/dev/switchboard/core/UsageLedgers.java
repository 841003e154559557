package dev.switchboard.core;

import java.time.Duration;

/**
 * How long a team's usage per day and per month is kept in a shared store. The quota's Redis
 * ledger and the fleet's cost ledger may be the same hashes ({@code llmcosts} reads what quota
 * settlement writes), so both renew them with these TTLs, stated once.
 */
public final class UsageLedgers {

	/** TTL of a team's day ledger, renewed by each write. */
	public static final Duration DAY_TTL = Duration.ofDays(3);

	/** TTL of a team's month ledger, renewed by each write. */
	public static final Duration MONTH_TTL = Duration.ofDays(62);

	private UsageLedgers() {
	}

}
