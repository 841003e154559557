package dev.switchboard.core;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;

/**
 * An error the gateway answers in the OpenAI error shape.
 *
 * <p>Every failure a client can see goes through this type, so that official OpenAI SDKs map it to
 * the exception they already know (they switch on the HTTP status, then read {@code error.type}
 * and {@code error.code}). Messages are written for the caller and must never contain a key, a
 * prompt or an upstream URL with credentials.
 */
public class LlmApiException extends RuntimeException {

	public static final String INVALID_REQUEST = "invalid_request_error";

	public static final String AUTHENTICATION = "authentication_error";

	public static final String PERMISSION = "permission_error";

	public static final String NOT_FOUND = "not_found_error";

	public static final String RATE_LIMIT = "rate_limit_error";

	public static final String API_ERROR = "api_error";

	public static final String SERVER_ERROR = "server_error";

	private final int status;

	private final String type;

	private final @Nullable String code;

	private final @Nullable String param;

	private final @Nullable Duration retryAfter;

	public LlmApiException(int status, String type, @Nullable String code, @Nullable String param, String message,
			@Nullable Duration retryAfter, @Nullable Throwable cause) {
		super(message, cause, false, false);
		this.status = status;
		this.type = type;
		this.code = code;
		this.param = param;
		this.retryAfter = retryAfter;
	}

	public LlmApiException(HttpStatus status, String type, @Nullable String code, @Nullable String param,
			String message) {
		this(status.value(), type, code, param, message, null, null);
	}

	public static LlmApiException invalidRequest(String message, @Nullable String param) {
		return new LlmApiException(HttpStatus.BAD_REQUEST, INVALID_REQUEST, null, param, message);
	}

	public static LlmApiException invalidJson(String detail) {
		return new LlmApiException(HttpStatus.BAD_REQUEST, INVALID_REQUEST, "invalid_json", null,
				"We could not parse the JSON body of your request: " + detail);
	}

	public static LlmApiException modelNotFound(String model) {
		return new LlmApiException(HttpStatus.NOT_FOUND, INVALID_REQUEST, "model_not_found", "model",
				"The model `" + model + "` does not exist or you do not have access to it.");
	}

	public static LlmApiException missingKey() {
		return new LlmApiException(HttpStatus.UNAUTHORIZED, INVALID_REQUEST, "missing_api_key", null,
				"You didn't provide an API key. Send it in the Authorization header as 'Bearer YOUR_KEY'.");
	}

	public static LlmApiException invalidKey() {
		return new LlmApiException(HttpStatus.UNAUTHORIZED, INVALID_REQUEST, "invalid_api_key", null,
				"Incorrect API key provided.");
	}

	public static LlmApiException modelNotAllowed(String model, String team) {
		return new LlmApiException(HttpStatus.FORBIDDEN, PERMISSION, "model_not_allowed", "model",
				"Team '" + team + "' is not allowed to use the model `" + model + "`.");
	}

	public static LlmApiException tooLarge(long limitBytes) {
		return new LlmApiException(HttpStatus.CONTENT_TOO_LARGE, INVALID_REQUEST, "request_too_large", null,
				"The request body exceeds the gateway's limit of " + limitBytes + " bytes.");
	}

	public static LlmApiException unsupportedMediaType(@Nullable String contentType) {
		return new LlmApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, INVALID_REQUEST, "unsupported_media_type", null,
				"Content-Type must be application/json, got '" + (contentType == null ? "none" : contentType) + "'.");
	}

	public static LlmApiException notFound(String method, String path) {
		return new LlmApiException(HttpStatus.NOT_FOUND, INVALID_REQUEST, "unknown_url", null,
				"Unknown request URL: " + method + " " + path + ".");
	}

	public static LlmApiException methodNotAllowed(String method, String path) {
		return new LlmApiException(HttpStatus.METHOD_NOT_ALLOWED, INVALID_REQUEST, "method_not_allowed", null,
				"Method " + method + " is not allowed for " + path + ".");
	}

	public static LlmApiException upstreamUnreachable(String provider, @Nullable Throwable cause) {
		return new LlmApiException(HttpStatus.BAD_GATEWAY.value(), API_ERROR, "upstream_unreachable", null,
				"The provider '" + provider + "' could not be reached.", null, cause);
	}

	public static LlmApiException upstreamTimeout(String provider, @Nullable Throwable cause) {
		return new LlmApiException(HttpStatus.GATEWAY_TIMEOUT.value(), API_ERROR, "upstream_timeout", null,
				"The provider '" + provider + "' did not answer in time.", null, cause);
	}

	public static LlmApiException internal(@Nullable Throwable cause) {
		return new LlmApiException(HttpStatus.INTERNAL_SERVER_ERROR.value(), SERVER_ERROR, null, null,
				"The gateway failed to process the request.", null, cause);
	}

	public int status() {
		return this.status;
	}

	public String type() {
		return this.type;
	}

	public @Nullable String code() {
		return this.code;
	}

	public @Nullable String param() {
		return this.param;
	}

	public @Nullable Duration retryAfter() {
		return this.retryAfter;
	}

	@Override
	public String toString() {
		return "LlmApiException{" + this.status + " " + this.type + "/" + this.code + ": " + getMessage() + "}";
	}

}
