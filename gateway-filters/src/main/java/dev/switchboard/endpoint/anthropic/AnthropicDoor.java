package dev.switchboard.endpoint.anthropic;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.HttpHeaders;

import dev.switchboard.core.Json;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.LlmResponse;
import dev.switchboard.core.NativeAnswer;
import dev.switchboard.core.NativeRequest;
import dev.switchboard.core.Operation;
import dev.switchboard.endpoint.door.InboundDoor;
import dev.switchboard.sse.SseEvent;

/**
 * The Anthropic Messages API as a front door: {@code POST /v1/messages} (JSON and streamed) and
 * {@code POST /v1/messages/count_tokens}, for Claude Code, the Anthropic SDKs and agents built on
 * them, over any provider of the catalog.
 *
 * <p>A request is read into the canonical body ({@link MessagesRequests}) and kept as written for
 * Anthropic providers, which get it natively; the canonical answer is written back as an Anthropic
 * message ({@link MessagesResponses}) or event stream ({@link MessagesStream}), and errors in
 * Anthropic's shape with its error types. A token count passes as the provider (or the gateway's
 * estimate) gives it. An Anthropic provider's own answer is handed over as it came, whole
 * ({@link NativeAnswer}) or event by event ({@link MessagesHandOver}): server tool results,
 * citations and {@code pause_turn} have no place in the canonical shape, and a client of this API
 * needs them. Answers of other providers, and cache hits, are written from the canonical answer.
 */
public final class AnthropicDoor implements InboundDoor {

	/** The header Anthropic's clients send on every request; it also asks for Anthropic-shaped model lists. */
	public static final String VERSION_HEADER = "anthropic-version";

	@Override
	public String name() {
		return "anthropic";
	}

	@Override
	public @Nullable Operation operation(String path) {
		if (path.endsWith("/messages")) {
			return Operation.CHAT;
		}
		if (path.endsWith("/messages/count_tokens")) {
			return Operation.COUNT_TOKENS;
		}
		return null;
	}

	@Override
	public Inbound read(Operation operation, ObjectNode body, HttpHeaders headers) {
		return MessagesRequests.read(operation, body, headers);
	}

	@Override
	public LlmResponse render(LlmExchange exchange, LlmResponse response) {
		if (exchange.operation() != Operation.CHAT) {
			return response;
		}
		if (response.isStream()) {
			MessagesHandOver stream = new MessagesHandOver(new MessagesStream(exchange));
			return response.withEvents(events -> events.concatMapIterable(stream::onEvent));
		}
		NativeAnswer provider = exchange.get(NativeAnswer.class);
		ObjectNode message = (provider != null && provider.of(NativeRequest.ANTHROPIC_MESSAGES, response.servedBy()))
				? provider.body() : MessagesResponses.message(Json.MAPPER.readTree(response.json()));
		return response.withJson(Json.MAPPER.writeValueAsBytes(message));
	}

	@Override
	public byte[] errorBody(LlmApiException error) {
		return Json.MAPPER.writeValueAsBytes(MessagesResponses.error(error));
	}

	@Override
	public SseEvent errorEvent(LlmExchange exchange, LlmApiException error) {
		return new SseEvent("error", errorBody(error));
	}

	@Override
	public String toString() {
		return "FrontDoor[anthropic]";
	}

}
