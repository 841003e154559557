package dev.switchboard.core;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * A provider's whole answer in a front door's own protocol, kept beside the canonical answer the
 * rest of the request path reads, when the provider was asked natively ({@link NativeRequest}):
 * the door hands it to the client as the provider wrote it, with what the canonical shape has no
 * place for (the Responses API's built-in tool calls, annotations, encrypted reasoning). Set per
 * attempt; a door uses it only for the answer of the target that wrote it, so an earlier attempt's
 * never stands in for a later one's, and a cached answer (which has none) is rendered canonically.
 *
 * @param protocol the door protocol of the body, a {@link NativeRequest} constant
 * @param target the target that answered
 * @param body the provider's answer as parsed
 */
public record NativeAnswer(String protocol, RouteTarget target, ObjectNode body) {

	/** Whether this is the answer {@code servedBy} wrote, in {@code protocol}. */
	public boolean of(String protocol, @Nullable RouteTarget servedBy) {
		return this.protocol.equals(protocol) && this.target.equals(servedBy);
	}

}
