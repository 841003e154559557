package dev.switchboard.core;

import org.jspecify.annotations.Nullable;

/**
 * Hooks a filter registers on the {@link LlmExchange} to learn what happened to the request
 * without re-parsing any body: quota settles on {@link #onComplete}, observability times
 * {@link #onFirstToken}, failover and the routing log read {@link #onAttemptEnd}.
 *
 * <p>Callbacks run on the thread that observed the event (often a Netty event loop): they must
 * not block and must not throw.
 */
public interface LlmExchangeListener {

	/**
	 * The exchange is made, before any filter sees it: the place to keep something of the request
	 * or to {@linkplain LlmExchange#decorateResponse decorate} its response.
	 */
	default void onStart(LlmExchange exchange) {
	}

	default void onAttemptEnd(LlmExchange exchange, Attempt attempt) {
	}

	default void onFirstToken(LlmExchange exchange) {
	}

	default void onUsage(LlmExchange exchange, Usage usage) {
	}

	/**
	 * The request is over: response fully written, failed, or abandoned by the client. Called
	 * exactly once.
	 * @param error the failure, or {@code null} on success and on client cancellation
	 */
	default void onComplete(LlmExchange exchange, LlmExchange.Completion completion, @Nullable Throwable error) {
	}

}
