package dev.switchboard.dispatch;

import java.util.Set;

import reactor.core.publisher.Mono;

import dev.switchboard.core.RouteTarget;

/**
 * One circuit breaker per target ({@code provider/model}). An open breaker fails a call at once with
 * {@link CircuitOpenException}, without subscribing to it, so the failover moves on without
 * touching the sick target.
 */
public interface TargetBreakers {

	/**
	 * Runs {@code call} under the target's breaker. Every error of {@code call} counts as a failure:
	 * callers pass only provider faults through it.
	 */
	<T> Mono<T> protect(RouteTarget target, Mono<T> call);

	/**
	 * Keeps the breakers of these targets ({@code provider/model} labels) and drops the others: the
	 * targets a new configuration version no longer has. A breaker of a target that stays keeps its
	 * state, open or closed.
	 */
	default void retain(Set<String> labels) {
	}

	/** No breakers: every call goes through. */
	static TargetBreakers none() {
		return new TargetBreakers() {
			@Override
			public <T> Mono<T> protect(RouteTarget target, Mono<T> call) {
				return call;
			}
		};
	}

}
