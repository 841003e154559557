package dev.switchboard.core;

import dev.switchboard.sse.SseEvent;

/**
 * The client API a request came in by (OpenAI chat completions, the Anthropic Messages API, the OpenAI Responses API), as the
 * rest of the request path sees it: how its answer and its errors look on the wire.
 *
 * <p>Front doors are inbound adapters, as provider adapters are outbound ones. Every door reads its
 * request into the same canonical {@link LlmExchange} (an OpenAI chat completions body), so quota,
 * cache, failover, metrics and the request log work on one shape whatever the client speaks; the
 * answer stays canonical through every decorator and is rendered in the door's shape only as it is
 * written. A door other than chat completions may keep the client's own body as a
 * {@link NativeRequest} for providers that speak its protocol, so nothing is lost on the way out.
 */
public interface FrontDoor {

	/** Exchange attribute naming the door of a request, set before anything can fail. */
	String ATTRIBUTE = FrontDoor.class.getName();

	/** The door of OpenAI's chat completions and embeddings: the canonical shape itself. */
	FrontDoor OPENAI = new FrontDoor() {

		@Override
		public String name() {
			return "openai";
		}

		@Override
		public LlmResponse render(LlmExchange exchange, LlmResponse response) {
			return response;
		}

		@Override
		public byte[] errorBody(LlmApiException error) {
			return ErrorResponses.body(error);
		}

		@Override
		public SseEvent errorEvent(LlmExchange exchange, LlmApiException error) {
			return SseEvent.data(ErrorResponses.body(error));
		}

		@Override
		public String toString() {
			return "FrontDoor[openai]";
		}

	};

	/** Short name for logs and the decision record ({@code openai}, {@code anthropic}). */
	String name();

	/**
	 * The canonical response in this door's shape: a whole body translated at once, a stream event
	 * by event as it is written, never collected.
	 */
	LlmResponse render(LlmExchange exchange, LlmResponse response);

	/** An error as this door's clients expect its body. */
	byte[] errorBody(LlmApiException error);

	/**
	 * An error inside a stream whose status and headers are already sent; the exchange holds what
	 * this door's renderer of the stream knows (the Responses API numbers every event).
	 */
	SseEvent errorEvent(LlmExchange exchange, LlmApiException error);

}
