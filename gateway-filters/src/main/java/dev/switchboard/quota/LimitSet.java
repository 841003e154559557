package dev.switchboard.quota;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * The limits of one scope (a team, a model within a team, one client key within a team), each
 * with how it acts when exceeded.
 *
 * <p>Amounts are in the unit of the limit's {@link QuotaLimit.Dimension}: requests, tokens, or
 * nano-USD for spend. A limit is enforced (429 when over), {@link #dryRun() dry-run} (counted,
 * logged and reported as if enforced, never rejects) or {@link #soft() soft} (over it, the request
 * is routed to {@link #downgradeTo()} instead of rejected).
 *
 * @param amounts the limits that are set, by kind
 * @param dryRun limits only counted and reported
 * @param soft limits that downgrade instead of rejecting; needs {@code downgradeTo}
 * @param downgradeTo model id or alias to route to when a soft limit is exceeded
 */
public record LimitSet(Map<QuotaLimit, Long> amounts, Set<QuotaLimit> dryRun, Set<QuotaLimit> soft,
		@Nullable String downgradeTo) {

	public static final LimitSet NONE = new LimitSet(Map.of(), Set.of(), Set.of(), null);

	/** How a limit acts when a request does not fit. */
	public enum Mode {
		ENFORCE, SOFT, DRY_RUN
	}

	public LimitSet {
		amounts = Collections.unmodifiableMap(amounts.isEmpty() ? new EnumMap<>(QuotaLimit.class) : new EnumMap<>(amounts));
		dryRun = Collections.unmodifiableSet(dryRun.isEmpty() ? EnumSet.noneOf(QuotaLimit.class) : EnumSet.copyOf(dryRun));
		soft = Collections.unmodifiableSet(soft.isEmpty() ? EnumSet.noneOf(QuotaLimit.class) : EnumSet.copyOf(soft));
	}

	public static LimitSet of(Map<QuotaLimit, Long> amounts) {
		return new LimitSet(amounts, Set.of(), Set.of(), null);
	}

	public boolean isEmpty() {
		return this.amounts.isEmpty();
	}

	public Mode mode(QuotaLimit limit) {
		if (this.dryRun.contains(limit)) {
			return Mode.DRY_RUN;
		}
		return this.soft.contains(limit) ? Mode.SOFT : Mode.ENFORCE;
	}

	/**
	 * This set over {@code base}: a limit set here replaces the base's amount and mode; limits only
	 * the base sets are kept with the base's mode.
	 */
	public LimitSet over(LimitSet base) {
		Map<QuotaLimit, Long> merged = new EnumMap<>(QuotaLimit.class);
		merged.putAll(base.amounts);
		merged.putAll(this.amounts);
		Set<QuotaLimit> dry = EnumSet.noneOf(QuotaLimit.class);
		Set<QuotaLimit> softs = EnumSet.noneOf(QuotaLimit.class);
		for (QuotaLimit limit : merged.keySet()) {
			LimitSet owner = this.amounts.containsKey(limit) ? this : base;
			if (owner.dryRun.contains(limit)) {
				dry.add(limit);
			}
			if (owner.soft.contains(limit)) {
				softs.add(limit);
			}
		}
		return new LimitSet(merged, dry, softs, (this.downgradeTo != null) ? this.downgradeTo : base.downgradeTo);
	}

}
