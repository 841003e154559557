package dev.switchboard.core;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.sse.SseEvent;

/**
 * The one JSON mapper for wire formats.
 *
 * <p>Deliberately not the application's {@code JsonMapper} bean: provider payloads must be read and
 * written exactly as the providers document them, whatever naming or inclusion settings an
 * application applies to its own controllers.
 */
public final class Json {

	public static final JsonMapper MAPPER = JsonMapper.builder()
		.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
		.build();

	public static final JsonNodeFactory NODES = MAPPER.getNodeFactory();

	private Json() {
	}

	public static ObjectNode object() {
		return NODES.objectNode();
	}

	/**
	 * A stream event's payload as a tree, parsed once per event: the adapter, the quota, the cache
	 * and the door read the same chunk, and share this one parse. The tree is shared: read it,
	 * never change it.
	 * @throws JacksonException when the payload is not JSON
	 */
	public static JsonNode tree(SseEvent event) {
		return event.parsed(JsonNode.class, MAPPER::readTree);
	}

	/** A data-only event written from {@code chunk}, which it carries for {@link #tree}: change it no more. */
	public static SseEvent event(JsonNode chunk) {
		return event(null, chunk);
	}

	/** An event named {@code name} written from {@code data}, which it carries for {@link #tree}: change it no more. */
	public static SseEvent event(@Nullable String name, JsonNode data) {
		return SseEvent.of(name, MAPPER.writeValueAsBytes(data), data);
	}

}
