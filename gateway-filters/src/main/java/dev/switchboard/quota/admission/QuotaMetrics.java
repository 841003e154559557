package dev.switchboard.quota.admission;

import dev.switchboard.quota.FailureMode;
import dev.switchboard.quota.QuotaLimit;

/**
 * What the quota service reports to a metrics system; the starter binds it to Micrometer when
 * Micrometer is present. Tags stay low-cardinality: team, limit id, backend.
 */
public interface QuotaMetrics {

	QuotaMetrics NONE = new QuotaMetrics() {
	};

	/** A request did not fit a limit: rejected, or only counted when the limit is dry-run. */
	default void rejected(String team, QuotaLimit limit, boolean dryRun) {
	}

	/** A soft limit sent a request to a cheaper model. */
	default void downgraded(String team) {
	}

	/** A stream was ended early because a hard budget ran out while it ran. */
	default void streamCut(String team) {
	}

	/** A backend call failed or timed out; {@code operation} is reserve, settle, read or refund. */
	default void backendFailure(String backend, String operation) {
	}

	/**
	 * A call was decided without the store, which is away: served from the gateway's own count
	 * ({@code open}) or answered 503 ({@code closed}); one count per request, {@code operation}
	 * reserve or read.
	 */
	default void degraded(String backend, String operation, FailureMode mode) {
	}

}
