package dev.switchboard.core;

/**
 * Marks an exchange whose usage per model another component records into the fleet's cost ledger
 * (on Redis, {@code LlmQuota}'s settlement does it in the same script as the quota), so the
 * {@code llmcosts} ledger reading that store does not record it a second time.
 *
 * @param by what records it, for the decision log and tests
 */
public record CostRecorded(String by) {
}
