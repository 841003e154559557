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

	/** The first generated token reached the gateway; listeners hear it once. */
	public void firstToken() {
		if (this.firstTokenNanos == 0) {
			this.firstTokenNanos = System.nanoTime();
			this.exchange.tell(listener -> listener.onFirstToken(this.exchange));
		}
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
