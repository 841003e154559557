package dev.switchboard.endpoint;

import java.util.Set;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.Operation;
import dev.switchboard.translate.spi.DataUrl;
import dev.switchboard.translate.spi.RequestChecks;

/**
 * Checks the shape of OpenAI requests before anything is spent on them.
 *
 * <p>Only what the gateway itself relies on, or what every provider would reject anyway, is
 * checked; everything else passes through so that new OpenAI parameters keep working without a
 * gateway release. Each failure names the offending parameter in {@code error.param}.
 *
 * <p>Numbers are checked as numbers of any size: JSON has no integer width, so {@code 2^63} or
 * {@code 1e400} is a valid number that no Java {@code long} holds; each is compared as a
 * {@link java.math.BigInteger} or a double (infinite for the too-large ones) and refused by its range, never
 * narrowed first. Integer parameters are capped at {@value #MAX_INT} (the 32-bit range providers
 * use), {@code n} at {@value #MAX_N} (OpenAI's own limit): the quota reserves from them.
 *
 * <p>What does not depend on the provider is checked here, before a target is chosen, so that a
 * request that is always wrong gets its 400 even while every provider's circuit breaker is open:
 * an image URL must be {@code http(s)} or a well-formed base64 {@code data:} URL whatever the
 * provider does with it.
 */
public final class RequestValidator {

	private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool", "function");

	static final long MAX_INT = Integer.MAX_VALUE;

	static final long MAX_N = 128;

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
		for (int i = 0; i < messages.size(); i++) {
			imageUrls(messages.get(i).get("content"), "messages[" + i + "].content");
		}
		optionalBoolean(body, "stream");
		integer(body, "max_tokens", 1, MAX_INT);
		integer(body, "max_completion_tokens", 1, MAX_INT);
		integer(body, "n", 1, MAX_N);
		integer(body, "top_logprobs", 0, 20);
		range(body, "temperature", 0, 2);
		range(body, "top_p", 0, 1);
		range(body, "presence_penalty", -2, 2);
		range(body, "frequency_penalty", -2, 2);
		optionalBoolean(body, "logprobs");
		JsonNode options = body.get("stream_options");
		if (options != null && !options.isNull()) {
			if (!options.isObject()) {
				throw LlmApiException.invalidRequest("'stream_options' must be an object.", "stream_options");
			}
			optionalBoolean(options, "include_usage", "stream_options.include_usage");
		}
	}

	/** Image parts: {@code http(s)} URLs (fetched or passed on later) or base64 data URLs, nothing else. */
	private static void imageUrls(@Nullable JsonNode content, String path) {
		if (content == null || !content.isArray()) {
			return;
		}
		for (int j = 0; j < content.size(); j++) {
			JsonNode part = content.get(j);
			if (!"image_url".equals(part.path("type").asString(""))) {
				continue;
			}
			String param = path + "[" + j + "].image_url.url";
			JsonNode image = part.get("image_url");
			JsonNode url = (image != null && image.isObject()) ? image.get("url") : image;
			if (url == null || !url.isString() || url.stringValue().isBlank()) {
				throw LlmApiException.invalidRequest("'" + param + "' must be a URL string.", param);
			}
			String value = url.stringValue();
			if (DataUrl.is(value)) {
				DataUrl.parse(value, param);
			}
			else if (!value.regionMatches(true, 0, "http://", 0, 7) && !value.regionMatches(true, 0, "https://", 0, 8)) {
				throw LlmApiException.invalidRequest("'" + param + "' must be an http(s) URL or a base64 data: URL.",
						param);
			}
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
		integer(body, "dimensions", 1, MAX_INT);
		JsonNode format = body.get("encoding_format");
		if (format != null && !format.isNull()
				&& !(format.isString() && Set.of("float", "base64").contains(format.stringValue()))) {
			throw LlmApiException.invalidRequest("'encoding_format' must be 'float' or 'base64'.", "encoding_format");
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
		optionalBoolean(body, field, field);
	}

	private static void optionalBoolean(JsonNode body, String field, String param) {
		JsonNode value = body.get(field);
		if (value != null && !value.isNull() && !value.isBoolean()) {
			throw LlmApiException.invalidRequest("'" + param + "' must be a boolean.", param);
		}
	}

	/** An integer in {@code [min, max]}, compared at any size. */
	private static void integer(JsonNode body, String field, long min, long max) {
		JsonNode value = body.get(field);
		if (value == null || value.isNull()) {
			return;
		}
		if (!RequestChecks.isInteger(value, min, max)) {
			throw LlmApiException.invalidRequest(
					"'" + field + "' must be an integer between " + min + " and " + max + ".", field);
		}
	}

	/** A number in {@code [min, max]}; numbers too large for a double read as infinite and fail. */
	private static void range(JsonNode body, String field, double min, double max) {
		JsonNode value = body.get(field);
		if (value != null && !value.isNull() && !RequestChecks.isNumberIn(value, min, max)) {
			throw LlmApiException.invalidRequest("'" + field + "' must be a number between " + number(min) + " and "
					+ number(max) + ".", field);
		}
	}

	private static String number(double value) {
		return (value == Math.rint(value)) ? Long.toString((long) value) : Double.toString(value);
	}

}
