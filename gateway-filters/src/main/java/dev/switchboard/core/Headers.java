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

	/**
	 * What the cache made of the request: {@code hit}, {@code semantic-hit}, {@code miss},
	 * {@code bypass}, or {@code stale} (an expired answer served because every target was unavailable).
	 */
	public static final String CACHE = "x-switchboard-cache";

	/** The cosine similarity of a semantic hit to the prompt whose answer it serves, e.g. {@code 0.9712}. */
	public static final String CACHE_SIMILARITY = "x-switchboard-cache-similarity";

	private Headers() {
	}

	/**
	 * A request's class in its team's burst queue ({@code low}, {@code normal}, {@code high}),
	 * honoured only for teams allowed to choose; never sent upstream.
	 */
	public static final String PRIORITY = "x-switchboard-priority";

	/**
	 * The version of the configuration the request was served on (a content hash, the same on every
	 * gateway of a fleet with the same settings).
	 */
	public static final String CONFIG_VERSION = "x-switchboard-config-version";

	/** How long the request waited in its team's burst queue before it was admitted, in milliseconds. */
	public static final String QUEUED_MS = "x-switchboard-queued-ms";

}
