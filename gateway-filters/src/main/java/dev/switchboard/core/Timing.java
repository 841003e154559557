package dev.switchboard.core;

/**
 * When things happened to an exchange: its start (for latency, deadlines and the total timeout),
 * its first generated token (time to first token, told to listeners once), and the moment its
 * response was committed, after which it can no longer move to another target and a failure can
 * only be told inside the response.
 */
public final class Timing {

	private final LlmExchange exchange;

	private final long startNanos = System.nanoTime();

	private final long startEpochMillis = System.currentTimeMillis();

	private volatile long firstTokenNanos;

	private volatile boolean attemptToken;

	private volatile boolean committed;

	Timing(LlmExchange exchange) {
		this.exchange = exchange;
	}

	public long startNanos() {
		return this.startNanos;
	}

	public long startEpochMillis() {
		return this.startEpochMillis;
	}

	/**
	 * A generated token reached the gateway: the first of the exchange is timed and told to
	 * listeners once; the first of each attempt is noted for {@link #attemptHasToken()}.
	 */
	public void firstToken() {
		if (!this.attemptToken) {
			this.attemptToken = true;
		}
		if (this.firstTokenNanos == 0) {
			this.firstTokenNanos = System.nanoTime();
			this.exchange.tell(listener -> listener.onFirstToken(this.exchange));
		}
	}

	/**
	 * A new attempt's stream begins: {@link #attemptHasToken()} is false again until its first
	 * token. Attempts of one exchange run one after another, never side by side.
	 */
	public void attemptStarted() {
		this.attemptToken = false;
	}

	/** Whether the stream of the attempt under way has given a generated token yet. */
	public boolean attemptHasToken() {
		return this.attemptToken;
	}

	/** Nanoseconds from the start of the request to the first generated token; 0 before it came. */
	public long timeToFirstTokenNanos() {
		return (this.firstTokenNanos == 0) ? 0 : this.firstTokenNanos - this.startNanos;
	}

	/**
	 * The first byte of the response is on its way to the client: from now on the request cannot
	 * move to another target, and failures can only be reported inside the response.
	 */
	public void markCommitted() {
		this.committed = true;
	}

	public boolean isCommitted() {
		return this.committed;
	}

}
