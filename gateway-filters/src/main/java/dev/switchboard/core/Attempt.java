package dev.switchboard.core;

import org.jspecify.annotations.Nullable;


/**
 * One call to one target. A request has one attempt per target tried; only the attempt that
 * served is billed, and all of them appear in the routing log.
 */
public final class Attempt {

	/** How an attempt ended. */
	public enum Outcome {
		PENDING, SUCCESS, UPSTREAM_ERROR, UNREACHABLE, TIMEOUT, CANCELLED, SKIPPED
	}

	private final int number;

	private final RouteTarget target;

	private final long startNanos;

	private volatile long responseNanos;

	private volatile long endNanos;

	private volatile int status;

	private volatile Outcome outcome = Outcome.PENDING;

	private volatile boolean answering;

	private volatile @Nullable String reason;

	Attempt(int number, RouteTarget target, long startNanos) {
		this.number = number;
		this.target = target;
		this.startNanos = startNanos;
	}

	/** The provider answered with headers; the body (or stream) may still be under way. */
	public void responded(int status) {
		this.status = status;
		this.responseNanos = System.nanoTime();
	}

	/**
	 * The provider's answer is under way: its JSON body is read, or its stream is past its first
	 * token. From here the failover deadline, which bounds the wait for an answer, no longer
	 * applies; the provider's response timeout and the total timeout still do.
	 */
	public void answering() {
		this.answering = true;
	}

	public boolean isAnswering() {
		return this.answering;
	}

	/** Ends the attempt once; returns {@code false} when it had already ended (the first outcome stands). */
	public synchronized boolean end(Outcome outcome, @Nullable String reason) {
		if (this.outcome != Outcome.PENDING) {
			return false;
		}
		this.outcome = outcome;
		this.reason = reason;
		this.endNanos = System.nanoTime();
		return true;
	}

	public boolean isEnded() {
		return this.outcome != Outcome.PENDING;
	}

	/** Attempt id: the request id plus the attempt number, so a retry is never billed twice. */
	public String id(String requestId) {
		return requestId + "-" + this.number;
	}

	public int number() {
		return this.number;
	}

	public RouteTarget target() {
		return this.target;
	}

	public int status() {
		return this.status;
	}

	public Outcome outcome() {
		return this.outcome;
	}

	public @Nullable String reason() {
		return this.reason;
	}

	public long startNanos() {
		return this.startNanos;
	}

	/** Nanoseconds from the start of the attempt to the provider's response headers; 0 if none came. */
	public long timeToResponseNanos() {
		return (this.responseNanos == 0) ? 0 : this.responseNanos - this.startNanos;
	}

	public long durationNanos() {
		return (this.endNanos == 0) ? 0 : this.endNanos - this.startNanos;
	}

	@Override
	public String toString() {
		return "#" + this.number + " " + this.target.label() + " " + this.outcome
				+ (this.status != 0 ? " " + this.status : "") + (this.reason != null ? " (" + this.reason + ")" : "");
	}

}
