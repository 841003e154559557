package dev.switchboard.core;

import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.jspecify.annotations.Nullable;

/**
 * The calls an exchange made, in order: the part of {@link LlmExchange} the dispatcher writes (an
 * attempt per target tried) and the quota, the log, the metrics and rollouts read. An attempt that
 * ends is told to the exchange's listeners and the decision log, once.
 */
public final class Attempts {

	private final LlmExchange exchange;

	private final List<Attempt> attempts = new CopyOnWriteArrayList<>();

	Attempts(LlmExchange exchange) {
		this.exchange = exchange;
	}

	public Attempt start(RouteTarget target) {
		Attempt attempt = new Attempt(this.attempts.size() + 1, target, System.nanoTime());
		this.attempts.add(attempt);
		return attempt;
	}

	/** Ends the attempt; a second end of the same attempt (a late cancel) changes nothing. */
	public void end(Attempt attempt, Attempt.Outcome outcome, @Nullable String reason) {
		if (!attempt.end(outcome, reason)) {
			return;
		}
		this.exchange.decide("attempt", attempt.toString());
		this.exchange.tell(listener -> listener.onAttemptEnd(this.exchange, attempt));
	}

	public List<Attempt> all() {
		return Collections.unmodifiableList(this.attempts);
	}

	public int count() {
		return this.attempts.size();
	}

	/** The attempt started last: the one under way while a walk waits on it. */
	public @Nullable Attempt latest() {
		int size = this.attempts.size();
		return (size == 0) ? null : this.attempts.get(size - 1);
	}

	/** The attempt that produced the response being written, if any provider served it. */
	public @Nullable Attempt serving() {
		for (int i = this.attempts.size() - 1; i >= 0; i--) {
			Attempt attempt = this.attempts.get(i);
			// A stream the client cut was served by its attempt too: it answered 2xx, then lost its reader.
			if (attempt.outcome() == Attempt.Outcome.SUCCESS || attempt.outcome() == Attempt.Outcome.PENDING
					|| attempt.outcome() == Attempt.Outcome.CANCELLED && attempt.status() / 100 == 2) {
				return attempt;
			}
		}
		return null;
	}

}
