package dev.switchboard.dispatch;

/**
 * A failure that may move a request on to its next target. Each is configurable; a client's own
 * mistakes (a bad parameter, a missing key) are never triggers, since every target would refuse
 * them alike.
 */
public enum Trigger {

	/** The provider answered 429. */
	RATE_LIMITED,

	/** 529, or 503: the provider is overloaded or unavailable. */
	OVERLOADED,

	/** Any other 5xx. */
	SERVER_ERROR,

	/** Refused or failed connection, closed before an answer. */
	CONNECT_ERROR,

	/** No answer, or a stream that went silent, within the provider's response timeout. */
	TIMEOUT,

	/** The target's circuit breaker is open: skipped without a call. */
	CIRCUIT_OPEN,

	/** The prompt does not fit this target: only targets with a larger context window are tried. */
	CONTEXT_LENGTH,

	/** 401, 402, 403 or 404 from the provider: a dead key, an exhausted account, a retired model. */
	PROVIDER_REJECTED

}
