package dev.switchboard.core;

/**
 * The response headers Switchboard adds, named once: the endpoint that assigns the request id,
 * the routing filter that says how a request was served, and tests and clients all read these.
 */
public final class Headers {

	/** The request's id, the client's own when it sent a well-formed one; key of {@code llmrequests}. */
	public static final String REQUEST_ID = "x-request-id";

	/** The provider that served. */
	public static final String PROVIDER = "x-switchboard-provider";

	/** The catalog model that served (a fallback's after failover). */
	public static final String MODEL = "x-switchboard-model";

	/** How many attempts the request took. */
	public static final String ATTEMPTS = "x-switchboard-attempts";

	/** The parameters the serving provider's translation left out. */
	public static final String DROPPED_PARAMS = "x-switchboard-dropped-params";

	public static final String PROMPT_TOKENS = "x-switchboard-prompt-tokens";

	public static final String COMPLETION_TOKENS = "x-switchboard-completion-tokens";

	public static final String COST = "x-switchboard-cost-usd";

	private Headers() {
	}

	/**
	 * A request's class in its team's burst queue ({@code low}, {@code normal}, {@code high}),
	 * honoured only for teams allowed to choose; never sent upstream.
	 */
	public static final String PRIORITY = "x-switchboard-priority";

	/** How long the request waited in its team's burst queue before it was admitted, in milliseconds. */
	public static final String QUEUED_MS = "x-switchboard-queued-ms";

}
