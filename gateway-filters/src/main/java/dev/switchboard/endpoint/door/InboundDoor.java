package dev.switchboard.endpoint.door;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.HttpHeaders;

import dev.switchboard.core.FrontDoor;
import dev.switchboard.core.NativeRequest;
import dev.switchboard.core.Operation;
import dev.switchboard.core.Team;

/**
 * A client API the gateway serves, as the endpoint sees it: which paths are its own, and how its
 * request becomes the canonical one. What its answers look like is the {@link FrontDoor} part,
 * which the rest of the request path sees.
 */
public interface InboundDoor extends FrontDoor {

	/** This door's operation for a path (whatever prefix the route adds), or {@code null} when it is not one of its own. */
	@Nullable Operation operation(String path);

	/**
	 * Validates a request body of one of this door's operations and reads it into the canonical
	 * shape; a malformed body is an {@link dev.switchboard.core.LlmApiException} that this door's
	 * {@link #errorBody} writes, before anything is sent anywhere.
	 */
	Inbound read(Operation operation, ObjectNode body, HttpHeaders headers);

	/**
	 * Reads a team's request, which may continue what this door keeps for that team (the Responses
	 * API's stored conversations): {@link #read(Operation, ObjectNode, HttpHeaders)} for every door
	 * that keeps nothing.
	 */
	default Mono<Inbound> read(Operation operation, ObjectNode body, HttpHeaders headers, Team team) {
		return Mono.fromCallable(() -> read(operation, body, headers));
	}

	/**
	 * A request read at a door.
	 *
	 * @param model the model the client named
	 * @param canonical the request as an OpenAI chat completions body, which every capability reads
	 * @param nativeRequest the client's own body for providers that speak the door's protocol, or
	 * {@code null} at the canonical door
	 */
	record Inbound(String model, ObjectNode canonical, @Nullable NativeRequest nativeRequest) {
	}

}
