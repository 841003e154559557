package dev.switchboard.guard;

import java.util.Set;

import reactor.core.publisher.Mono;

/**
 * A check on what goes to a provider and what comes back: it may let a request or an answer pass,
 * rewrite its texts (mask personal data, redact secrets) or deny it. Beans of this type are
 * guardrails the {@code LlmGuard} filter can name; the built-in ones are configured under
 * {@code switchboard.guard.guardrails}.
 *
 * <p>A guardrail sees texts in a fixed order ({@link GuardRequest#texts()},
 * {@link GuardAnswer#texts()}), never the provider's wire format, so one guardrail works at every
 * front door and for every provider, and a rewrite lands in the canonical body and in a native body
 * alike. It is called on a Netty event loop: it must not block (a remote check returns its Mono
 * without waiting), and the {@link GuardService} bounds it with its timeout and applies its fail
 * mode.
 */
public interface Guardrail {

	/** The name routes and metrics know it by. */
	String name();

	/** The stages it runs in ({@link Stage}); by default before the call only. */
	default Set<Stage> stages() {
		return Set.of(Stage.PRE);
	}

	/** Checks a request: before it is sent ({@link Stage#PRE}) or beside the call ({@link Stage#DURING}). */
	default Mono<GuardVerdict> checkRequest(GuardRequest request) {
		return Mono.just(GuardVerdict.allow());
	}

	/** Checks an answer, or on a stream the part of it so far ({@link Stage#POST}). */
	default Mono<GuardVerdict> checkAnswer(GuardAnswer answer) {
		return Mono.just(GuardVerdict.allow());
	}

}
