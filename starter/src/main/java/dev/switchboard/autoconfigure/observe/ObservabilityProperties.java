package dev.switchboard.autoconfigure.observe;

import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Observability of LLM requests ({@code switchboard.observability.*}): GenAI metrics and spans,
 * the request log and its recent window, the cost ledger.
 *
 * @param enabled Whether Switchboard records GenAI metrics and, with Micrometer Tracing, a client
 * span per provider call; the request log, the decision records and the cost ledger stay on
 * @param recentRequests How many recent request records are kept for the llmrequests actuator
 * endpoint; 0 keeps none
 * @param costHeaders Whether non-streamed responses carry x-switchboard-prompt-tokens,
 * x-switchboard-completion-tokens and x-switchboard-cost-usd (streams learn their usage only at
 * their end, after the headers)
 * @param costs Where the llmcosts endpoint's totals are kept
 * @param logContent Prompt and completion text in the request log and the decision records
 */
@ConfigurationProperties("switchboard.observability")
@Validated
public record ObservabilityProperties(@DefaultValue("true") boolean enabled, @DefaultValue("1000") @Min(0) int recentRequests,
		@DefaultValue("false") boolean costHeaders, @Valid @DefaultValue Costs costs,
		@Valid @DefaultValue LogContent logContent) {

	/**
	 * Prompt and completion text in the request log line and the llmrequests records. Off by default:
	 * prompts carry whatever users type, and logs usually travel further than the gateway.
	 *
	 * @param enabled Whether each record keeps the request's messages (or embeddings input) and the
	 * answer's text; images and other non-text parts appear as placeholders
	 * @param maxChars Most characters kept of the prompt and of the completion each; the rest is cut
	 * and marked with "..."
	 */
	public record LogContent(@DefaultValue("false") boolean enabled, @DefaultValue("2000") @Min(1) int maxChars) {
	}

	/**
	 * The cost ledger behind the llmcosts endpoint.
	 *
	 * @param backend auto: on Redis when quotas are (switchboard.quota.backend=redis), in memory
	 * otherwise; memory: per gateway instance; redis: fleet-wide totals on the quota backend's Redis
	 * (or the application's RedissonClient)
	 * @param keyPrefix Prefix of the Redis hashes, one per team and period; with quotas on Redis the
	 * quota backend's own team ledgers are used instead (switchboard.quota.redis.key-prefix)
	 * @param timeout Longest a Redis write or read of the ledger may take; a write that fails or
	 * times out is logged and dropped, never failing the request
	 */
	public record Costs(@DefaultValue("auto") CostsBackend backend, @DefaultValue("switchboard:costs") String keyPrefix,
			@DefaultValue("500ms") Duration timeout) {
	}

	/** Where the cost ledger lives. */
	public enum CostsBackend {

		/** Redis when the quota backend is Redis, memory otherwise. */
		AUTO,

		/** Per gateway instance. */
		MEMORY,

		/** Shared by every gateway on the same Redis. */
		REDIS

	}

}
