package dev.switchboard.autoconfigure.quota;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.validation.Valid;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import dev.switchboard.quota.FailureMode;
import dev.switchboard.quota.QueuePolicy;

/**
 * Token quotas and budgets of the {@code LlmQuota} filter. Values are checked at start-up against
 * the catalog and the teams; every problem is reported with the property to fix.
 *
 * @param enabled Whether to provide the LlmQuota filter
 * @param backend Where buckets live: memory (this gateway only) or redis (shared by a fleet)
 * @param failureMode What to do when Redis does not answer in time: open (serve, count in this
 * gateway, warn once per outage) or closed (answer 503)
 * @param completionReservation Completion tokens reserved when a request sets no max_tokens or
 * max_completion_tokens; also the step by which a stream extends its reservation
 * @param redis Timeout and keys of the redis backend (the connection is switchboard.redis)
 * @param defaults Limits of every team that does not override them
 * @param teams Limits per team name, each merged over the defaults
 * @param clientLayer Optional second layer: limits per client key or end user within a team
 */
@ConfigurationProperties("switchboard.quota")
@Validated
public record QuotaProperties(@DefaultValue("true") boolean enabled, @DefaultValue("memory") Backend backend,
		@DefaultValue("open") FailureMode failureMode, @DefaultValue("1024") long completionReservation,
		@Valid @DefaultValue Redis redis, @Valid @DefaultValue Limits defaults, Map<String, @Valid Limits> teams,
		@Valid @Nullable ClientLayer clientLayer) {

	public QuotaProperties {
		teams = (teams != null) ? teams : Map.of();
	}

	/** Where buckets live. */
	public enum Backend {
		MEMORY, REDIS
	}

	/**
	 * How quotas use Redis with the redis backend. The connection itself is shared by every
	 * capability on Redis: switchboard.redis.
	 *
	 * @param timeout Longest wait for Redis per request before the failure mode applies
	 * @param keyPrefix First segment of every key
	 */
	public record Redis(@DefaultValue("250ms") Duration timeout, @DefaultValue("sb:quota") String keyPrefix) {
	}

	/**
	 * Limits of one team, model or client. Unset limits do not apply.
	 *
	 * @param requestsPerMinute Requests per minute (refills continuously)
	 * @param tokensPerMinute Prompt plus completion tokens per minute (refills continuously)
	 * @param tokensPerDay Tokens per UTC day
	 * @param tokensPerMonth Tokens per calendar month (UTC)
	 * @param spendPerDay USD per UTC day, priced from the catalog's input-price and output-price
	 * @param spendPerMonth USD per calendar month (UTC)
	 * @param dryRun Limits of this set only counted and reported (header, metric, log), never
	 * enforced, e.g. [spend-per-day]
	 * @param soft Limits of this set that route to downgrade-to instead of answering 429
	 * @param downgradeTo Model id or alias served instead when a soft limit is exceeded
	 * @param models Limits per model id or alias, on top of the team's (teams and defaults only)
	 * @param queue Burst queue of the team (teams and defaults only): requests over a rate limit wait
	 * for it instead of an instant 429
	 */
	public record Limits(@Nullable Long requestsPerMinute, @Nullable Long tokensPerMinute, @Nullable Long tokensPerDay,
			@Nullable Long tokensPerMonth, @Nullable BigDecimal spendPerDay, @Nullable BigDecimal spendPerMonth,
			List<String> dryRun, List<String> soft, @Nullable String downgradeTo, Map<String, @Valid Limits> models,
			@Nullable Queue queue) {

		public Limits {
			dryRun = (dryRun != null) ? dryRun : List.of();
			soft = (soft != null) ? soft : List.of();
			models = (models != null) ? models : Map.of();
		}

	}

	/**
	 * The burst queue of a team (or, under {@code defaults}, of every team): requests over a rate
	 * limit wait for it to refill instead of an instant 429.
	 *
	 * @param maxWait Longest a request waits for its limits to refill, e.g. 2s; 0 (the default) turns
	 * the queue off. A request that would wait longer gets its 429 at once.
	 * @param maxLength Most requests waiting at once per team and model (and client, with a client
	 * layer); one more gets a 429 at once. Default 100 when max-wait is set.
	 * @param priority Default class of the team's requests: low, normal (the default) or high. A
	 * higher class is served first among the team's waiting requests; a request that waited a
	 * quarter of max-wait counts one class higher.
	 * @param priorityHeader Whether the team's requests may choose their class with the
	 * x-switchboard-priority header (low, normal, high); ignored otherwise.
	 */
	public record Queue(@Nullable Duration maxWait, @Nullable Integer maxLength,
			QueuePolicy.@Nullable Priority priority, @Nullable Boolean priorityHeader) {
	}

	/**
	 * Limits per client within a team.
	 *
	 * @param source Where the client comes from: key (a hash of the bearer key) or header
	 * @param header Header naming the end user, for source header (set it from a trusted filter)
	 * @param limits The limits of each client
	 */
	public record ClientLayer(@DefaultValue("key") String source, @Nullable String header, @Valid @DefaultValue Limits limits) {
	}

}
