package dev.switchboard.translate.gemini;

import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpHeaders;

import dev.switchboard.core.Json;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.RouteTarget;
import dev.switchboard.translate.spi.UpstreamErrors;

/**
 * Reads Google's error shape, {@code {"error":{"code":429,"message":"...","status":"RESOURCE_EXHAUSTED",
 * "details":[...]}}}, into {@link UpstreamErrors}' shared status rules.
 *
 * <p>Gemini's HTTP statuses already follow the gRPC codes (INVALID_ARGUMENT and FAILED_PRECONDITION
 * 400, PERMISSION_DENIED 403, NOT_FOUND 404, RESOURCE_EXHAUSTED 429, INTERNAL 500, UNAVAILABLE 503,
 * DEADLINE_EXCEEDED 504), with two exceptions read from the details: a rejected API key is a 400
 * with reason {@code API_KEY_INVALID}, treated as the 401 it means so the client sees the
 * gateway's credential problem as a 502, not as its own mistake; and the wait before a retry comes
 * in a {@code RetryInfo} detail rather than a {@code Retry-After} header.
 *
 * <p>Some FAILED_PRECONDITION errors are about the gateway's Google project, not the request:
 * "User location is not supported for the API use." and "Gemini API free tier is not available in
 * your country. Please enable billing on your project...". No client could fix those, so a
 * FAILED_PRECONDITION whose message mentions billing or location becomes
 * {@link UpstreamErrors#billing}'s 502, failed over like a rejected key.
 */
final class GeminiErrors {

	/** "The input token count (1200293) exceeds the maximum number of tokens allowed (1048576)." */
	private static final Pattern CONTEXT_EXCEEDED = Pattern.compile(
			"(?i)token count.*exceeds|exceeds the maximum number of tokens|context (length|window)");

	private static final Pattern SECONDS = Pattern.compile("\\d+(\\.\\d+)?s");

	private static final Pattern ACCOUNT = Pattern.compile("(?i)billing|location");

	private GeminiErrors() {
	}

	static LlmApiException fromResponse(RouteTarget target, int status, HttpHeaders headers, byte[] body) {
		JsonNode error = Json.NODES.missingNode();
		try {
			JsonNode root = Json.MAPPER.readTree(body);
			// Google front ends answer some failures as a one-element array of the same object.
			error = (root.isArray() ? root.path(0) : root).path("error");
		}
		catch (JacksonException ignored) {
			// not JSON (a proxy's HTML page): map on the status alone
		}
		return map(target, status, headers, error);
	}

	/**
	 * An {@code error} object sent inside a stream: the HTTP status was already 200, so the status
	 * comes from {@code error.code}, or from the gRPC status name when the code is missing.
	 */
	static LlmApiException inStream(RouteTarget target, JsonNode error) {
		int status = error.path("code").asInt(0);
		return map(target, (status >= 400) ? status : httpStatus(error.path("status").asString("")),
				new HttpHeaders(), error);
	}

	/** No candidate because Gemini blocked the prompt itself ({@code promptFeedback.blockReason}). */
	static LlmApiException blockedPrompt(RouteTarget target, String reason) {
		return new LlmApiException(400, LlmApiException.INVALID_REQUEST, "content_filter", "messages",
				"The provider '" + target.provider().name() + "' blocked the prompt (" + reason + ").", null, null);
	}

	private static LlmApiException map(RouteTarget target, int status, HttpHeaders headers, JsonNode error) {
		String message = error.path("message").asString(null);
		if ("FAILED_PRECONDITION".equals(error.path("status").asString("")) && message != null
				&& ACCOUNT.matcher(message).find()) {
			return UpstreamErrors.billing(target, status);
		}
		int effective = rejectsKey(error) ? 401 : status;
		String code = null;
		if (effective == 400 && message != null && CONTEXT_EXCEEDED.matcher(message).find()) {
			code = "context_length_exceeded";
		}
		else if (effective == 429) {
			code = "rate_limit_exceeded";
		}
		return UpstreamErrors.map(target, effective, withRetryDelay(headers, error), null, code, null, message);
	}

	private static boolean rejectsKey(JsonNode error) {
		if ("UNAUTHENTICATED".equals(error.path("status").asString(""))) {
			return true;
		}
		for (JsonNode detail : error.path("details")) {
			if (detail.path("reason").asString("").startsWith("API_KEY_")) {
				return true;
			}
		}
		return false;
	}

	/** Adds {@code Retry-After} from a {@code RetryInfo} detail ({@code "retryDelay": "37s"}) unless a header says it. */
	private static HttpHeaders withRetryDelay(HttpHeaders headers, JsonNode error) {
		if (headers.getFirst(HttpHeaders.RETRY_AFTER) != null || headers.getFirst("retry-after-ms") != null) {
			return headers;
		}
		String delay = retryDelay(error);
		if (delay == null) {
			return headers;
		}
		HttpHeaders copy = HttpHeaders.copyOf(headers);
		copy.set(HttpHeaders.RETRY_AFTER, delay.substring(0, delay.length() - 1));
		return copy;
	}

	private static @Nullable String retryDelay(JsonNode error) {
		for (JsonNode detail : error.path("details")) {
			String delay = detail.path("retryDelay").asString("");
			if (detail.path("@type").asString("").endsWith("google.rpc.RetryInfo") && SECONDS.matcher(delay).matches()) {
				return delay;
			}
		}
		return null;
	}

	private static int httpStatus(String grpcStatus) {
		return switch (grpcStatus) {
			case "INVALID_ARGUMENT", "FAILED_PRECONDITION", "OUT_OF_RANGE" -> 400;
			case "UNAUTHENTICATED" -> 401;
			case "PERMISSION_DENIED" -> 403;
			case "NOT_FOUND" -> 404;
			case "RESOURCE_EXHAUSTED" -> 429;
			case "UNAVAILABLE" -> 503;
			case "DEADLINE_EXCEEDED" -> 504;
			default -> 500;
		};
	}

}
