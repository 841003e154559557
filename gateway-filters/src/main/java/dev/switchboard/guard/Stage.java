package dev.switchboard.guard;

/**
 * When a guardrail runs.
 * <ul>
 * <li>{@link #PRE}: before the request goes anywhere (cache, quota, provider); it may rewrite the
 * request's texts or deny it, and a denied request costs nothing.
 * <li>{@link #DURING}: on the request, beside the provider call, so that it adds no latency of its
 * own up to the provider's; the answer is held until it has decided, and a deny replaces the
 * answer. It cannot rewrite what has already been sent: a rewrite counts as a deny.
 * <li>{@link #POST}: on the answer, before the client (or the cache) sees any of it; it may rewrite
 * or deny it. On a stream it checks what is held back (a window, or the whole answer).
 * </ul>
 */
public enum Stage {

	PRE, DURING, POST

}
