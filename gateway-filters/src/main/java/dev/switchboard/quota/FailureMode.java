package dev.switchboard.quota;

/** What the gateway does when the quota store (Redis) cannot be reached in time. */
public enum FailureMode {

	/**
	 * Serve the request and count it in this gateway's memory until the store is back: limits hold
	 * per gateway instead of per fleet. Logged once per outage and counted in a metric.
	 */
	OPEN,

	/** Answer 503 ({@code api_error}/{@code quota_unavailable}) until the store is back. */
	CLOSED

}
