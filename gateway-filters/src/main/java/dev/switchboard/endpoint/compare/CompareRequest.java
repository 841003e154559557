package dev.switchboard.endpoint.compare;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.core.LlmApiException;
import dev.switchboard.translate.spi.RequestChecks;

/**
 * A comparison as the client asked it: a chat completions body with {@code models} instead of
 * {@code model}, the comparison's own options under {@code compare}, and an optional {@link Judge}.
 *
 * <pre>{@code
 * {"models": ["fast", "smart", "claude"], "messages": [...], "stream": false,
 *  "compare": {"deadline_ms": 20000, "failover": false, "cache": true}}
 * }</pre>
 *
 * @param models the models, ids, aliases or pools, in the order the answer lists them
 * @param chat the chat completions body every leg sends, without {@code models} and
 * {@code compare}; each leg sets its own {@code model}
 * @param stream whether the answer streams the legs side by side
 * @param deadline how long the comparison may run: the request's, capped by the policy's
 * @param failover whether a leg may fall back to another model when its own fails; off by
 * default, since the point is the model named
 * @param cache whether legs may be answered from (and stored in) the gateway's cache
 * @param judge the model that scores the answers, or {@code null} for none
 */
record CompareRequest(List<String> models, ObjectNode chat, boolean stream, Duration deadline, boolean failover,
		boolean cache, @Nullable Judge judge) {

	static CompareRequest read(ObjectNode body, ComparePolicy policy) {
		if (body.has("model")) {
			throw LlmApiException.invalidRequest("A comparison names its models in 'models'; remove 'model'.", "model");
		}
		JsonNode listed = body.get("models");
		if (listed == null || listed.isNull()) {
			throw LlmApiException.invalidRequest("Missing required parameter: 'models'.", "models");
		}
		if (!listed.isArray() || listed.isEmpty()) {
			throw RequestChecks.invalid("models", "must be a non-empty array of model names.");
		}
		if (listed.size() > policy.maxModels()) {
			throw RequestChecks.invalid("models", "names " + listed.size() + " models; a comparison takes at most "
					+ policy.maxModels() + " (switchboard.compare.max-models).");
		}
		List<String> models = new ArrayList<>();
		Set<String> seen = new HashSet<>();
		for (int i = 0; i < listed.size(); i++) {
			JsonNode model = listed.get(i);
			if (!model.isString() || model.stringValue().isBlank()) {
				throw RequestChecks.invalid("models[" + i + "]", "must be a model name.");
			}
			if (!seen.add(model.stringValue())) {
				throw RequestChecks.invalid("models[" + i + "]", "names '" + model.stringValue()
						+ "' twice; compare each model once.");
			}
			models.add(model.stringValue());
		}
		JsonNode n = body.get("n");
		if (n != null && !n.isNull() && !(n.isIntegralNumber() && n.asLong() == 1)) {
			throw RequestChecks.invalid("n", "must be 1 in a comparison: each model answers once.");
		}
		JsonNode stream = body.get("stream");
		if (stream != null && !stream.isNull() && !stream.isBoolean()) {
			throw RequestChecks.invalid("stream", "must be a boolean.");
		}
		Duration deadline = policy.deadline();
		boolean failover = false;
		boolean cache = true;
		JsonNode options = body.get("compare");
		if (options != null && !options.isNull()) {
			if (!options.isObject()) {
				throw RequestChecks.invalid("compare", "must be an object.");
			}
			JsonNode millis = options.get("deadline_ms");
			if (millis != null && !millis.isNull()) {
				if (!RequestChecks.isInt(millis, 1)) {
					throw RequestChecks.invalid("compare.deadline_ms", "must be a positive integer.");
				}
				Duration asked = Duration.ofMillis(Math.min(millis.asLong(), Long.MAX_VALUE / 1_000_000));
				deadline = (asked.compareTo(deadline) < 0) ? asked : deadline;
			}
			failover = flag(options, "failover", failover);
			cache = flag(options, "cache", cache);
			for (String field : options.propertyNames()) {
				if (!Set.of("deadline_ms", "failover", "cache").contains(field)) {
					throw LlmApiException.invalidRequest("Unknown parameter: 'compare." + field
							+ "'. A comparison takes deadline_ms, failover and cache.", "compare." + field);
				}
			}
		}
		Judge judge = Judge.read(body);
		ObjectNode chat = body.deepCopy();
		chat.remove(List.of("models", "compare", "judge"));
		boolean streaming = stream != null && stream.asBoolean(false);
		if (streaming) {
			// Each leg's usage, whatever the client asked: the answer reports it per leg.
			chat.putObject("stream_options").put("include_usage", true);
		}
		return new CompareRequest(List.copyOf(models), chat, streaming, deadline, failover, cache, judge);
	}

	private static boolean flag(JsonNode options, String name, boolean otherwise) {
		JsonNode value = options.get(name);
		if (value == null || value.isNull()) {
			return otherwise;
		}
		if (!value.isBoolean()) {
			throw RequestChecks.invalid("compare." + name, "must be a boolean.");
		}
		return value.booleanValue();
	}

	/** The body of leg {@code index}: the shared chat body naming its model. */
	ObjectNode legBody(int index) {
		ObjectNode body = this.chat.deepCopy();
		body.put("model", this.models.get(index));
		return body;
	}

}
