package dev.switchboard.mock;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The simulator's JSON mapper: its own, so that this module needs nothing from the gateway and a
 * production gateway can leave it out.
 */
final class MockJson {

	static final JsonMapper MAPPER = JsonMapper.builder()
		.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
		.build();

	private MockJson() {
	}

	static ObjectNode object() {
		return MAPPER.getNodeFactory().objectNode();
	}

}
