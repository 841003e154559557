package dev.switchboard.endpoint;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.HttpHeaders;

import dev.switchboard.core.FrontDoor;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.LlmResponse;
import dev.switchboard.core.Operation;
import dev.switchboard.endpoint.door.InboundDoor;
import dev.switchboard.sse.SseEvent;

/**
 * OpenAI's chat completions, embeddings and models API: the canonical shape, so reading is
 * validating ({@link RequestValidator}) and the answer is written as it is.
 */
final class OpenAiDoor implements InboundDoor {

	static final OpenAiDoor INSTANCE = new OpenAiDoor();

	private OpenAiDoor() {
	}

	@Override
	public String name() {
		return FrontDoor.OPENAI.name();
	}

	@Override
	public @Nullable Operation operation(String path) {
		if (path.endsWith("/chat/completions")) {
			return Operation.CHAT;
		}
		if (path.endsWith("/embeddings")) {
			return Operation.EMBEDDINGS;
		}
		if (path.endsWith("/models")) {
			return Operation.LIST_MODELS;
		}
		int models = path.indexOf("/models/");
		return (models >= 0 && path.length() > models + 8) ? Operation.GET_MODEL : null;
	}

	@Override
	public Inbound read(Operation operation, ObjectNode body, HttpHeaders headers) {
		return new Inbound(RequestValidator.validate(operation, body), body, null);
	}

	@Override
	public LlmResponse render(LlmExchange exchange, LlmResponse response) {
		return response;
	}

	@Override
	public byte[] errorBody(LlmApiException error) {
		return FrontDoor.OPENAI.errorBody(error);
	}

	@Override
	public SseEvent errorEvent(LlmExchange exchange, LlmApiException error) {
		return FrontDoor.OPENAI.errorEvent(exchange, error);
	}

}
