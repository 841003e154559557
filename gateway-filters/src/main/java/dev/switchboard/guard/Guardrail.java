package dev.switchboard.guard;

import reactor.core.publisher.Mono;

/**
 * A check on what goes to a provider: it may let a request pass, rewrite its texts (mask personal
 * data, redact secrets) or deny it. Beans of this type are guardrails the {@code LlmGuard} filter
 * can name; the built-in ones are configured under {@code switchboard.guard.guardrails}.
 *
 * <p>A guardrail sees the request's texts in a fixed order ({@link GuardRequest#texts()}), never
 * the provider's wire format, so one guardrail works at every front door and for every provider,
 * and a rewrite lands in the canonical body and in a native body alike. It is called on a Netty
 * event loop: it must not block (a remote check returns its Mono without waiting), and the
 * {@link GuardService} bounds it with its timeout and applies its fail mode.
 */
public interface Guardrail {

	/** The name routes and metrics know it by. */
	String name();

	/** Checks a request before it is sent (and before the cache and the quota see it). */
	Mono<GuardVerdict> checkRequest(GuardRequest request);

}
