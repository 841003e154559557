package dev.switchboard.quota.admission;

import java.time.Duration;
import java.util.List;

import dev.switchboard.quota.LimitSet;
import dev.switchboard.quota.QuotaLimit;
import dev.switchboard.quota.backend.QuotaBackend;

/**
 * A team's quota at one moment: every team-level limit with what remains, and the settled usage of
 * the day and the month.
 *
 * @param team the team
 * @param backend the store the numbers come from
 * @param limits each limit with its remaining amount
 * @param usage settled usage today and this month (UTC)
 */
public record TeamQuota(String team, String backend, List<Limit> limits, QuotaBackend.Ledger usage) {

	/**
	 * One limit's state.
	 * @param limit which limit
	 * @param mode enforced, soft or dry-run
	 * @param capacity the limit (requests, tokens, or nano-USD)
	 * @param remaining what is left; negative while a settled excess is being paid back
	 * @param reset time until the window is full again
	 */
	public record Limit(QuotaLimit limit, LimitSet.Mode mode, long capacity, long remaining, Duration reset) {
	}

}
