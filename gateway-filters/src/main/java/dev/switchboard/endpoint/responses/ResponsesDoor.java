package dev.switchboard.endpoint.responses;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.HttpHeaders;

import dev.switchboard.core.FrontDoor;
import dev.switchboard.core.Json;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.LlmResponse;
import dev.switchboard.core.NativeRequest;
import dev.switchboard.core.Operation;
import dev.switchboard.endpoint.door.InboundDoor;
import dev.switchboard.sse.SseEvent;

/**
 * The OpenAI Responses API as a front door: {@code POST /v1/responses}, JSON and streamed, for the
 * OpenAI SDKs' {@code responses.create}, Codex and agent frameworks built on it, over any provider
 * of the catalog. Stateless: the gateway keeps no responses, so a request carries its whole
 * conversation ({@code previous_response_id} is refused with a clear 400).
 *
 * <p>A request is read into the canonical body ({@link ResponsesRequests}); the canonical answer
 * is written back as a {@code response} object ({@link ResponsesOutput}) or as the Responses
 * event stream ({@link ResponsesStream}). Errors keep OpenAI's shape, which this API shares with
 * chat completions; inside a stream they are OpenAI's numbered {@code error} event.
 */
public final class ResponsesDoor implements InboundDoor {

	@Override
	public String name() {
		return "responses";
	}

	@Override
	public @Nullable Operation operation(String path) {
		return path.endsWith("/responses") ? Operation.CHAT : null;
	}

	@Override
	public Inbound read(Operation operation, ObjectNode body, HttpHeaders headers) {
		return ResponsesRequests.read(body, headers);
	}

	@Override
	public LlmResponse render(LlmExchange exchange, LlmResponse response) {
		JsonNode request = request(exchange);
		if (response.isStream()) {
			ResponsesStream stream = new ResponsesStream(request);
			exchange.put(ResponsesStream.class, stream);
			return response.withEvents(events -> events.concatMapIterable(stream::onEvent));
		}
		ObjectNode answer = ResponsesOutput.response(Json.MAPPER.readTree(response.json()), request);
		return response.withJson(Json.MAPPER.writeValueAsBytes(answer));
	}

	@Override
	public byte[] errorBody(LlmApiException error) {
		return FrontDoor.OPENAI.errorBody(error);
	}

	@Override
	public SseEvent errorEvent(LlmExchange exchange, LlmApiException error) {
		return ResponsesStream.error(exchange.get(ResponsesStream.class), error);
	}

	/** Whether a path names a stored response ({@code /v1/responses/{id}}, its input items). */
	public static boolean isStoredResponse(String path) {
		return path.contains("/responses/");
	}

	/** The answer to reading or deleting a stored response: there are none. */
	public static LlmApiException notStored() {
		return LlmApiException.invalidRequest("This gateway stores no responses ('store' is not supported): "
				+ "keep the response the client received, and send the whole conversation in 'input'.", null);
	}

	/** The client's Responses request, whose settings the answer echoes. */
	private static JsonNode request(LlmExchange exchange) {
		NativeRequest client = exchange.nativeRequest();
		return (client != null && NativeRequest.OPENAI_RESPONSES.equals(client.protocol())) ? client.body()
				: Json.object();
	}

	@Override
	public String toString() {
		return "FrontDoor[responses]";
	}

}
