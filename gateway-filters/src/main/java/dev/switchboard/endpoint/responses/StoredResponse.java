package dev.switchboard.endpoint.responses;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.core.Json;

/**
 * What the gateway keeps of a stored response: the {@code response} object as the client received
 * it (what {@code GET /v1/responses/{id}} returns), and the whole input it answered, earlier turns of
 * a continued conversation included (what {@code input_items} lists). Continuing it
 * ({@code previous_response_id}) is that input followed by the response's output: the
 * conversation so far, kept whole in every record so that continuing costs one read, whatever its
 * length.
 */
record StoredResponse(ObjectNode response, ArrayNode input) {

	byte[] bytes() {
		ObjectNode record = Json.object();
		record.set("response", this.response);
		record.set("input", this.input);
		return Json.MAPPER.writeValueAsBytes(record);
	}

	static StoredResponse of(byte[] bytes) {
		JsonNode record = Json.MAPPER.readTree(bytes);
		return new StoredResponse((ObjectNode) record.get("response"), (ArrayNode) record.get("input"));
	}

	/** The conversation up to and including this response: its input, then its output items. */
	ArrayNode conversation() {
		ArrayNode items = this.input.deepCopy();
		for (JsonNode item : this.response.path("output")) {
			items.add(item);
		}
		return items;
	}

}
