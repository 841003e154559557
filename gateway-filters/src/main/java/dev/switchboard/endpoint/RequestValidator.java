package dev.switchboard.endpoint;

import java.util.Set;

import tools.jackson.databind.JsonNode;

import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.Operation;

/**
 * Checks the shape of OpenAI requests before anything is spent on them.
 *
 * <p>Only what the gateway itself relies on, or what every provider would reject anyway, is
 * checked; everything else passes through so that new OpenAI parameters keep working without a
 * gateway release. Each failure names the offending parameter in {@code error.param}.
 */
public final class RequestValidator {

	private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool", "function");

	private RequestValidator() {
	}

	/** Returns the requested model. */
	public static String validate(Operation operation, JsonNode body) {
		if (!body.isObject()) {
			throw LlmApiException.invalidRequest("The request body must be a JSON object.", null);
		}
		String model = requireString(body, "model");
		if (operation == Operation.CHAT) {
			chat(body);
		}
		else if (operation == Operation.EMBEDDINGS) {
			embeddings(body);
		}
		return model;
	}

	private static void chat(JsonNode body) {
		JsonNode messages = body.get("messages");
		if (messages == null || messages.isNull()) {
			throw LlmApiException.invalidRequest("Missing required parameter: 'messages'.", "messages");
		}
		if (!messages.isArray() || messages.isEmpty()) {
			throw LlmApiException.invalidRequest("'messages' must be a non-empty array.", "messages");
		}
		for (int i = 0; i < messages.size(); i++) {
			JsonNode message = messages.get(i);
			String param = "messages[" + i + "]";
			if (!message.isObject()) {
				throw LlmApiException.invalidRequest("'" + param + "' must be an object.", param);
			}
			JsonNode role = message.get("role");
			if (role == null || !role.isString() || !ROLES.contains(role.stringValue())) {
				throw LlmApiException.invalidRequest(
						"'" + param + ".role' must be one of " + ROLES + ".", param + ".role");
			}
		}
		optionalBoolean(body, "stream");
		positiveInt(body, "max_tokens");
		positiveInt(body, "max_completion_tokens");
		positiveInt(body, "n");
		range(body, "temperature", 0, 2);
		range(body, "top_p", 0, 1);
		JsonNode options = body.get("stream_options");
		if (options != null && !options.isNull() && !options.isObject()) {
			throw LlmApiException.invalidRequest("'stream_options' must be an object.", "stream_options");
		}
	}

	private static void embeddings(JsonNode body) {
		JsonNode input = body.get("input");
		if (input == null || input.isNull()) {
			throw LlmApiException.invalidRequest("Missing required parameter: 'input'.", "input");
		}
		boolean valid = (input.isString() && !input.stringValue().isEmpty()) || (input.isArray() && !input.isEmpty());
		if (!valid) {
			throw LlmApiException.invalidRequest("'input' must be a non-empty string or array.", "input");
		}
	}

	private static String requireString(JsonNode body, String field) {
		JsonNode value = body.get(field);
		if (value == null || value.isNull()) {
			throw LlmApiException.invalidRequest("Missing required parameter: '" + field + "'.", field);
		}
		if (!value.isString() || value.stringValue().isBlank()) {
			throw LlmApiException.invalidRequest("'" + field + "' must be a non-empty string.", field);
		}
		return value.stringValue();
	}

	private static void optionalBoolean(JsonNode body, String field) {
		JsonNode value = body.get(field);
		if (value != null && !value.isNull() && !value.isBoolean()) {
			throw LlmApiException.invalidRequest("'" + field + "' must be a boolean.", field);
		}
	}

	private static void positiveInt(JsonNode body, String field) {
		JsonNode value = body.get(field);
		if (value != null && !value.isNull() && (!value.isIntegralNumber() || value.asLong() < 1)) {
			throw LlmApiException.invalidRequest("'" + field + "' must be a positive integer.", field);
		}
	}

	private static void range(JsonNode body, String field, double min, double max) {
		JsonNode value = body.get(field);
		if (value != null && !value.isNull()
				&& (!value.isNumber() || value.asDouble() < min || value.asDouble() > max)) {
			throw LlmApiException.invalidRequest(
					"'" + field + "' must be a number between " + min + " and " + max + ".", field);
		}
	}

}
