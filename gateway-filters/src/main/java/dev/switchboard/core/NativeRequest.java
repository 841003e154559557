package dev.switchboard.core;

import java.util.List;

import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.HttpHeaders;

/**
 * The client's own request at a front door whose protocol some provider speaks natively (the
 * Anthropic Messages API to an {@code anthropic} provider), kept beside the canonical body so that
 * such a provider gets it as sent: fields the canonical shape cannot hold ({@code cache_control}
 * anywhere, thinking blocks with their signatures, betas, fields newer than the gateway) survive.
 *
 * @param protocol the wire protocol of the body, one of the constants here
 * @param body the client's body as parsed; shared, so adapters work on a copy
 * @param headers the protocol's own request headers to pass on ({@code anthropic-beta},
 * {@code anthropic-version}); never credentials
 * @param unexpressed top-level fields the canonical body leaves out because only the native
 * protocol has them, with their values: part of the cache key (two requests that differ in
 * them are different questions), and named in the dropped-parameters header when a provider
 * of another protocol answers
 */
public record NativeRequest(String protocol, ObjectNode body, HttpHeaders headers, ObjectNode unexpressed) {

	/** Anthropic's Messages API. */
	public static final String ANTHROPIC_MESSAGES = "anthropic-messages";

	/**
	 * OpenAI's Responses API. No adapter speaks it natively yet: the body is kept for what the
	 * answer echoes back (instructions, tools, settings) and for the fields it alone expresses.
	 */
	public static final String OPENAI_RESPONSES = "openai-responses";

	/** The names of {@link #unexpressed()} fields, for the dropped-parameters header. */
	public List<String> unexpressedNames() {
		return List.copyOf(this.unexpressed.propertyNames());
	}

}
