package dev.switchboard.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;

/**
 * Writes errors in the shape of the door the request came in by ({@link FrontDoor}): OpenAI's
 * {@code {"error":{"message","type","param","code"}}} unless the door says otherwise, never a
 * Spring error page or a stack trace.
 */
public final class ErrorResponses {

	private static final Logger log = LoggerFactory.getLogger(ErrorResponses.class);

	private ErrorResponses() {
	}

	/** Any failure as the error a client may see; unexpected ones become a generic 500. */
	public static LlmApiException toApiException(Throwable error) {
		if (error instanceof LlmApiException api) {
			return api;
		}
		if (error instanceof DataBufferLimitException) {
			return LlmApiException.invalidRequest("The request or response exceeded a gateway buffer limit.", null);
		}
		if (error instanceof ResponseStatusException status) {
			int code = status.getStatusCode().value();
			return new LlmApiException(code, code >= 500 ? LlmApiException.SERVER_ERROR : LlmApiException.INVALID_REQUEST,
					null, null, (status.getReason() != null) ? status.getReason() : "HTTP " + code, null, null);
		}
		log.error("Unexpected failure in an LLM route", error);
		return LlmApiException.internal(error);
	}

	public static byte[] body(LlmApiException error) {
		ObjectNode root = Json.object();
		ObjectNode body = root.putObject("error");
		body.put("message", error.getMessage());
		body.put("type", error.type());
		body.put("param", error.param());
		body.put("code", error.code());
		return Json.MAPPER.writeValueAsBytes(root);
	}

	public static Mono<Void> write(ServerWebExchange exchange, Throwable failure) {
		LlmApiException error = toApiException(failure);
		if (error.status() >= 500) {
			log.debug("LLM request failed: {}", error.getMessage(), error.getCause());
		}
		ServerHttpResponse response = exchange.getResponse();
		response.setStatusCode(HttpStatusCode.valueOf(error.status()));
		HttpHeaders headers = response.getHeaders();
		headers.remove(HttpHeaders.CONTENT_LENGTH);
		headers.setContentType(MediaType.APPLICATION_JSON);
		if (error.retryAfter() != null) {
			long seconds = Math.max(1, (error.retryAfter().toMillis() + 999) / 1000);
			headers.set(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
			headers.set("retry-after-ms", Long.toString(error.retryAfter().toMillis()));
		}
		FrontDoor door = exchange.getAttribute(FrontDoor.ATTRIBUTE);
		byte[] body = (door != null) ? door.errorBody(error) : body(error);
		headers.setContentLength(body.length);
		return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
	}

}
