package dev.switchboard.core;

import java.util.BitSet;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Holds a comparison's legs at the provider's door until every leg has been admitted (its quota
 * reserved, its place in a burst queue reached) or has ended without needing a provider (a
 * forbidden model, a cache hit, a bad request), so that either every leg the team's budget is
 * asked for fits or none is sent: a leg the gateway refuses with a 429 breaks the gate, the legs
 * waiting at it fail with that refusal without calling their provider (and are not charged), and
 * the comparison is the client's 429.
 *
 * <p>The routing filter waits at {@link #arrive}; the comparison tells the gate of every leg that
 * ended ({@link #leave}), which for a leg that arrived changes nothing.
 */
public final class CompareGate {

	private final int legs;

	private final BitSet arrived = new BitSet();

	private final BitSet left = new BitSet();

	private final Sinks.Empty<Void> open = Sinks.empty();

	private @Nullable LlmApiException refusal;

	public CompareGate(int legs) {
		this.legs = legs;
	}

	/** Leg {@code leg} is about to call its provider: completes when every leg is admitted, errors if one was refused. */
	public Mono<Void> arrive(int leg) {
		synchronized (this) {
			this.arrived.set(leg);
			settle();
		}
		return this.open.asMono();
	}

	/**
	 * Leg {@code leg} ended; {@code refusal} is the gateway's 429 when it ended refused before it
	 * arrived, which breaks the gate.
	 */
	public void leave(int leg, @Nullable LlmApiException refusal) {
		synchronized (this) {
			if (this.arrived.get(leg) || this.left.get(leg)) {
				return;
			}
			this.left.set(leg);
			if (refusal != null && this.refusal == null) {
				this.refusal = refusal;
				this.open.tryEmitError(refusal);
				return;
			}
			settle();
		}
	}

	/** Completes once every leg is admitted or gone; errors with the refusal when one was refused. */
	public Mono<Void> settled() {
		return this.open.asMono();
	}

	/** The refusal that broke the gate, or {@code null}. */
	public synchronized @Nullable LlmApiException refusal() {
		return this.refusal;
	}

	private void settle() {
		if (this.refusal == null && this.arrived.cardinality() + this.left.cardinality() == this.legs) {
			this.open.tryEmitEmpty();
		}
	}

}
