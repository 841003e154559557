package dev.switchboard.translate.spi;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

import dev.switchboard.core.Json;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.RouteTarget;

/** Reading provider bodies, the same way for every adapter. */
public final class UpstreamJson {

	private UpstreamJson() {
	}

	/** A success body; anything but JSON is the provider's fault (502 {@code invalid_upstream_response}). */
	public static JsonNode parse(RouteTarget target, byte[] body) {
		try {
			return Json.MAPPER.readTree(body);
		}
		catch (JacksonException ex) {
			throw new LlmApiException(502, LlmApiException.API_ERROR, "invalid_upstream_response", null,
					"The provider '" + target.provider().name() + "' returned a response that is not valid JSON.",
					null, null);
		}
	}

	/** The {@code error} member of an error body; missing when the body is not JSON (a proxy's HTML page). */
	public static JsonNode errorObject(byte[] body) {
		try {
			return Json.MAPPER.readTree(body).path("error");
		}
		catch (JacksonException notJson) {
			return Json.NODES.missingNode();
		}
	}

}
