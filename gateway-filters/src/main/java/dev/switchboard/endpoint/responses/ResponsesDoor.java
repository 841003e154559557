package dev.switchboard.endpoint.responses;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.util.MultiValueMap;

import dev.switchboard.core.FrontDoor;
import dev.switchboard.core.Json;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.LlmResponse;
import dev.switchboard.core.NativeAnswer;
import dev.switchboard.core.NativeRequest;
import dev.switchboard.core.Operation;
import dev.switchboard.core.Team;
import dev.switchboard.endpoint.door.InboundDoor;
import dev.switchboard.endpoint.responses.store.ResponseStore;
import dev.switchboard.sse.SseEvent;

/**
 * The OpenAI Responses API as a front door: {@code POST /v1/responses}, JSON and streamed, for the
 * OpenAI SDKs' {@code responses.create}, Codex and agent frameworks built on it, over any provider
 * of the catalog.
 *
 * <p>A request is read into the canonical body ({@link ResponsesRequests}); the canonical answer
 * is written back as a {@code response} object ({@link ResponsesOutput}) or as the Responses
 * event stream ({@link ResponsesStream}). Errors keep OpenAI's shape, which this API shares with
 * chat completions; inside a stream they are OpenAI's numbered {@code error} event.
 *
 * <p>A whole answer of a provider asked natively (OpenAI's own Responses API) is handed over as
 * the provider wrote it, built-in tool calls, annotations and encrypted reasoning included; only
 * what the gateway answers for is its own (the id, {@code store}, {@code previous_response_id}).
 * Streams, and answers served from the cache, are written from the canonical answer.
 *
 * <p><b>Stored responses.</b> With a {@link ResponseStore}, a response is kept unless its request
 * says {@code "store": false} (OpenAI's default is to store), for its team alone: the team can
 * continue it ({@code previous_response_id}: the stored conversation goes before the request's
 * input), read it ({@code GET /v1/responses/{id}}, {@code /input_items}) and delete it. A whole
 * answer is kept before it is written and a stream's before its {@code response.completed} event,
 * so the client can continue it the moment it has it. Without a store the door is stateless: the
 * answer says {@code "store": false}, and what needs a stored response is a 400 saying so.
 */
public final class ResponsesDoor implements InboundDoor {

	private static final String STORED_PATH = "/responses/";

	private final @Nullable ResponseStore store;

	/** A stateless door. */
	public ResponsesDoor() {
		this(null);
	}

	/** @param store where responses are kept, or {@code null} for a stateless door */
	public ResponsesDoor(@Nullable ResponseStore store) {
		this.store = store;
	}

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

	/** Reads the request, then (when it continues a stored response of its team) the conversation so far. */
	@Override
	public Mono<Inbound> read(Operation operation, ObjectNode body, HttpHeaders headers, Team team) {
		Inbound inbound;
		String previous;
		try {
			inbound = ResponsesRequests.read(body, headers);
			previous = ResponsesRequests.previousResponseId(body);
		}
		catch (LlmApiException ex) {
			return Mono.error(ex);
		}
		if (previous == null) {
			return Mono.just(inbound);
		}
		ResponseStore responses = this.store;
		if (responses == null) {
			return Mono.error(notStored("previous_response_id"));
		}
		return responses.read(team.name(), previous)
			.switchIfEmpty(Mono.error(() -> new LlmApiException(HttpStatus.BAD_REQUEST, LlmApiException.INVALID_REQUEST,
					"previous_response_not_found", "previous_response_id",
					"Previous response with id '" + previous + "' not found.")))
			.map(record -> ResponsesRequests.continuing(inbound, StoredResponse.of(record).conversation()));
	}

	@Override
	public LlmResponse render(LlmExchange exchange, LlmResponse response) {
		JsonNode request = request(exchange);
		String base = ResponsesOutput.newBase();
		ResponseStore responses = this.store;
		boolean stored = responses != null && request.path("store").asBoolean(true);
		String team = exchange.team().name();
		if (response.isStream()) {
			ResponsesStream stream = new ResponsesStream(request, base, stored);
			exchange.put(ResponsesStream.class, stream);
			if (!stored) {
				return response.withEvents(events -> events.concatMapIterable(stream::onEvent));
			}
			// Kept before response.completed goes out: the last events wait for the store, no other does.
			return response.withEvents(events -> events.concatMap(event -> {
				Iterable<SseEvent> out = stream.onEvent(event);
				ObjectNode completed = stream.completed();
				if (!event.isDone() || completed == null) {
					return Flux.fromIterable(out);
				}
				return keep(responses, team, completed, request).thenMany(Flux.fromIterable(out));
			}));
		}
		NativeAnswer provider = exchange.get(NativeAnswer.class);
		ObjectNode answer = (provider != null && provider.of(NativeRequest.OPENAI_RESPONSES, response.servedBy()))
				? ResponsesOutput.handedOver(provider.body(), request, base, stored)
				: ResponsesOutput.response(Json.MAPPER.readTree(response.json()), request, base, stored);
		byte[] body = Json.MAPPER.writeValueAsBytes(answer);
		return stored ? response.withJson(body, keep(responses, team, answer, request)) : response.withJson(body);
	}

	private static Mono<Void> keep(ResponseStore store, String team, ObjectNode response, JsonNode request) {
		StoredResponse record = new StoredResponse(response, ResponsesRequests.items(request.path("input")));
		return store.write(team, response.path("id").asString(), record.bytes());
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
		return path.contains(STORED_PATH);
	}

	/**
	 * Answers a request about a team's stored response: {@code GET /v1/responses/{id}} (the response
	 * as it was answered), {@code DELETE} (OpenAI's deletion object), {@code GET .../input_items}
	 * (OpenAI's list, with {@code order}, {@code limit} and {@code after}). Another team's response
	 * is not found, exactly as one that never existed.
	 *
	 * @return the answer's JSON body
	 */
	public Mono<byte[]> stored(HttpMethod method, String path, MultiValueMap<String, String> query, Team team) {
		String rest = path.substring(path.indexOf(STORED_PATH) + STORED_PATH.length());
		int slash = rest.indexOf('/');
		String id = URLDecoder.decode((slash < 0) ? rest : rest.substring(0, slash), StandardCharsets.UTF_8);
		String sub = (slash < 0) ? "" : rest.substring(slash + 1);
		ResponseStore responses = this.store;
		if (responses == null) {
			return Mono.error(notStored(null));
		}
		if (id.isEmpty() || !(sub.isEmpty() || "input_items".equals(sub) || "cancel".equals(sub))) {
			return Mono.error(LlmApiException.notFound(method.name(), path));
		}
		if ("cancel".equals(sub)) {
			return Mono.error(LlmApiException.invalidRequest(
					"Only background responses can be cancelled, and this gateway runs none.", null));
		}
		boolean delete = sub.isEmpty() && HttpMethod.DELETE.equals(method);
		if (!delete && !HttpMethod.GET.equals(method)) {
			return Mono.error(LlmApiException.methodNotAllowed(method.name(), path));
		}
		if (delete) {
			return responses.delete(team.name(), id).flatMap(deleted -> deleted
					? Mono.just(Json.MAPPER.writeValueAsBytes(Json.object()
						.put("id", id).put("object", "response").put("deleted", true)))
					: Mono.error(notFound(id)));
		}
		return responses.read(team.name(), id)
			.switchIfEmpty(Mono.error(() -> notFound(id)))
			.map(record -> sub.isEmpty() ? Json.MAPPER.writeValueAsBytes(StoredResponse.of(record).response())
					: Json.MAPPER.writeValueAsBytes(inputItems(StoredResponse.of(record), query)));
	}

	/** OpenAI's list of a response's input items; items the client sent without an id get one from their place. */
	private static ObjectNode inputItems(StoredResponse record, MultiValueMap<String, String> query) {
		String order = query.getFirst("order");
		if (order != null && !"asc".equals(order) && !"desc".equals(order)) {
			throw new LlmApiException(400, LlmApiException.INVALID_REQUEST, "invalid_value", "order",
					"Invalid value: '" + order + "'. Supported values are: 'asc' and 'desc'.", null, null);
		}
		int limit = limit(query.getFirst("limit"));
		String after = query.getFirst("after");
		ArrayNode input = record.input();
		String base = record.response().path("id").asString("").replaceFirst("^resp_", "");
		ArrayNode data = Json.NODES.arrayNode();
		boolean asc = "asc".equals(order);
		boolean started = after == null;
		boolean more = false;
		for (int n = 0; n < input.size(); n++) {
			int i = asc ? n : input.size() - 1 - n;
			ObjectNode item = listed((ObjectNode) input.get(i));
			if (!item.path("id").isString()) {
				item.put("id", prefix(item.path("type").asString("message")) + base + "_" + i);
			}
			if (!started) {
				started = item.path("id").stringValue().equals(after);
				continue;
			}
			if (data.size() == limit) {
				more = true;
				break;
			}
			data.add(item);
		}
		ObjectNode list = Json.object().put("object", "list");
		list.set("data", data);
		list.set("first_id", data.isEmpty() ? Json.NODES.nullNode() : data.get(0).get("id"));
		list.set("last_id", data.isEmpty() ? Json.NODES.nullNode() : data.get(data.size() - 1).get("id"));
		list.put("has_more", more);
		return list;
	}

	/**
	 * An input item as OpenAI lists it: a message in its full form (typed, its content as parts,
	 * completed), however short the form the client sent it in.
	 */
	private static ObjectNode listed(ObjectNode sent) {
		ObjectNode item = sent.deepCopy();
		if (!item.has("role") || !"message".equals(item.path("type").asString("message"))) {
			return item;
		}
		item.put("type", "message");
		JsonNode content = item.get("content");
		if (content != null && content.isString()) {
			boolean assistant = "assistant".equals(item.path("role").asString());
			ObjectNode part = Json.object().put("type", assistant ? "output_text" : "input_text").put("text", content.stringValue());
			if (assistant) {
				part.putArray("annotations");
			}
			item.putArray("content").add(part);
		}
		if (!item.has("status")) {
			item.put("status", "completed");
		}
		return item;
	}

	private static int limit(@Nullable String limit) {
		if (limit == null) {
			return 20;
		}
		try {
			int value = Integer.parseInt(limit);
			if (value >= 1 && value <= 100) {
				return value;
			}
		}
		catch (NumberFormatException ex) {
			// answered below
		}
		throw new LlmApiException(400, LlmApiException.INVALID_REQUEST, "invalid_value", "limit",
				"Invalid 'limit': expected an integer from 1 to 100, got '" + limit + "'.", null, null);
	}

	private static String prefix(String type) {
		return switch (type) {
			case "function_call" -> "fc_";
			case "function_call_output" -> "fco_";
			case "reasoning" -> "rs_";
			default -> "msg_";
		};
	}

	private static LlmApiException notFound(String id) {
		return new LlmApiException(HttpStatus.NOT_FOUND, LlmApiException.INVALID_REQUEST, "not_found", null,
				"Response with id '" + id + "' not found.");
	}

	/** The answer to what needs a stored response when the gateway keeps none. */
	static LlmApiException notStored(@Nullable String param) {
		return LlmApiException.invalidRequest("This gateway stores no responses (switchboard.responses.store "
				+ "is off): send the whole conversation in 'input', or ask its operator to turn storing on.", param);
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
