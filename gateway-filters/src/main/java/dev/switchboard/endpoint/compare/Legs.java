package dev.switchboard.endpoint.compare;

import java.util.function.Consumer;

import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.web.server.ServerWebExchange;

import dev.switchboard.core.CompareLeg;
import dev.switchboard.core.LlmExchange;

/**
 * How a comparison sends its legs: each as a chat completion of the team at the OpenAI door,
 * down the rest of the route's chain (quota, cache, failover, routing, metering), exactly as if
 * the client had sent it. The endpoint provides it, so a leg is read, resolved and observed by
 * the same code as every other request.
 */
public interface Legs {

	/**
	 * Validates a leg's chat completions body as the OpenAI door would, so a malformed prompt is
	 * the whole comparison's 400 before any leg runs.
	 */
	void validate(ObjectNode chat);

	/**
	 * Runs one leg on its own exchange. Whatever fails, the leg's response says so in OpenAI's
	 * shape (an unknown or forbidden model, a quota's 429, a provider's error); the returned Mono
	 * only completes.
	 * @param failover whether the leg may fall back to other models than the one it names
	 * @param opened called with the leg's exchange before any filter sees it (not when the model
	 * cannot be resolved)
	 */
	Mono<Void> run(ServerWebExchange leg, ObjectNode chat, String requestId, CompareLeg marker, boolean failover,
			Consumer<LlmExchange> opened);

}
