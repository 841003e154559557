package dev.switchboard.catalog;

/**
 * What to do with an OpenAI parameter the target provider cannot honour ({@code logprobs} on
 * Anthropic, {@code n > 1} on Gemini...). Never silently wrong: a rejection is a 400 naming the
 * parameter and the property that relaxes it; a drop is written to the decision log and listed in
 * the {@code x-switchboard-dropped-params} response header.
 */
public enum UnsupportedParameters {

	/** Answer 400 {@code invalid_request_error} with {@code param} set. */
	REJECT,

	/** Send the request without it, and say so in the response header. */
	DROP

}
