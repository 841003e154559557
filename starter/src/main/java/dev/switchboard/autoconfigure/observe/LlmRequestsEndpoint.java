package dev.switchboard.autoconfigure.observe;

import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

import dev.switchboard.core.Json;
import dev.switchboard.observe.log.RequestLog;

/**
 * {@code /actuator/llmrequests/{requestId}}: the decision record of a recent request (targets
 * tried and why, tokens, cost, timings), found by the {@code x-request-id} its response carried.
 * Like every actuator endpoint but health, it is not exposed over HTTP unless the application
 * says so ({@code management.endpoints.web.exposure.include}).
 */
@Endpoint(id = "llmrequests")
public class LlmRequestsEndpoint {

	private final RequestLog log;

	public LlmRequestsEndpoint(RequestLog log) {
		this.log = log;
	}

	@ReadOperation
	public @Nullable Map<String, Object> request(@Selector String requestId) {
		ObjectNode record = this.log.find(requestId);
		return (record != null) ? Json.MAPPER.convertValue(record, new TypeReference<Map<String, Object>>() {
		}) : null;
	}

}
