package dev.switchboard.translate.spi;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
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
			throw notJson(target);
		}
	}

	/**
	 * One top-level member of a success body, say {@code usage}, read without building a tree of
	 * the rest: a body passed through unchanged needs nothing else, and the answer's choices are
	 * most of it. The whole body is still read, so anything but JSON fails as in {@link #parse}.
	 * @return the member, or {@code null} when absent or the body is not an object
	 */
	public static @Nullable JsonNode member(RouteTarget target, byte[] body, String name) {
		try (JsonParser parser = Json.MAPPER.createParser(body)) {
			JsonNode found = null;
			if (parser.nextToken() == JsonToken.START_OBJECT) {
				while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
					boolean wanted = name.equals(parser.currentName());
					parser.nextToken();
					if (wanted) {
						found = parser.readValueAsTree();
					}
					else {
						parser.skipChildren();
					}
				}
			}
			else {
				parser.skipChildren();
			}
			if (parser.nextToken() != null) {
				throw notJson(target);
			}
			return found;
		}
		catch (JacksonException ex) {
			throw notJson(target);
		}
	}

	private static LlmApiException notJson(RouteTarget target) {
		return new LlmApiException(502, LlmApiException.API_ERROR, "invalid_upstream_response", null,
				"The provider '" + target.provider().name() + "' returned a response that is not valid JSON.", null,
				null);
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
