package dev.switchboard.core;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

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

}
