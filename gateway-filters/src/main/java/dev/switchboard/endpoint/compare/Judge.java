package dev.switchboard.endpoint.compare;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.core.Json;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.translate.spi.RequestChecks;

/**
 * The optional judge of a comparison: one more request, to a model of the client's choosing, that
 * scores the legs' answers against the client's criteria.
 *
 * <p>The judge sees the request and the answers numbered in the comparison's order, never the
 * names of the models that wrote them, so it cannot favour a name; it is asked for JSON only
 * ({@code response_format: json_object}, which every adapter honours or emulates). Its prompt is
 * part of the answer, so a reader can see exactly what was asked; its cost is reported apart from
 * the legs'.
 *
 * @param model the judge's model (id, alias or pool), which the team must be allowed to use
 * @param criteria what the answers are scored on
 */
record Judge(String model, String criteria) {

	static final String DEFAULT_CRITERIA = "correctness, completeness and clarity";

	private static final int MAX_CRITERIA = 2_000;

	static @Nullable Judge read(ObjectNode body) {
		JsonNode judge = body.get("judge");
		if (judge == null || judge.isNull()) {
			return null;
		}
		if (!judge.isObject()) {
			throw RequestChecks.invalid("judge", "must be an object with a 'model'.");
		}
		JsonNode model = judge.get("model");
		if (model == null || !model.isString() || model.stringValue().isBlank()) {
			throw LlmApiException.invalidRequest("Missing required parameter: 'judge.model'.", "judge.model");
		}
		JsonNode criteria = judge.get("criteria");
		if (criteria != null && !criteria.isNull() && !criteria.isString()) {
			throw RequestChecks.invalid("judge.criteria", "must be a string.");
		}
		String text = (criteria != null && criteria.isString() && !criteria.stringValue().isBlank())
				? criteria.stringValue() : DEFAULT_CRITERIA;
		if (text.length() > MAX_CRITERIA) {
			throw RequestChecks.invalid("judge.criteria", "must be at most " + MAX_CRITERIA + " characters.");
		}
		for (String field : judge.propertyNames()) {
			if (!field.equals("model") && !field.equals("criteria")) {
				throw LlmApiException.invalidRequest("Unknown parameter: 'judge." + field
						+ "'. A judge takes model and criteria.", "judge." + field);
			}
		}
		return new Judge(model.stringValue(), text);
	}

	/** The judge's chat body for the answers of {@code scored}, the legs that succeeded, in order. */
	ObjectNode body(JsonNode messages, List<LegResult> scored) {
		ObjectNode body = Json.object().put("model", this.model);
		ArrayNode turns = body.putArray("messages");
		turns.addObject().put("role", "system").put("content", """
				You judge answers that several assistants gave to the same request. Score each answer \
				from 0 (useless) to 10 (excellent) on the criteria given, independently of the others' \
				length or style unless the criteria say so. Reply with JSON only, in this shape: \
				{"scores": [{"answer": 1, "score": 7, "reason": "one sentence"}, ...], "best": 1}""");
		turns.addObject().put("role", "user").put("content", prompt(messages, scored));
		body.putObject("response_format").put("type", "json_object");
		body.put("temperature", 0);
		return body;
	}

	private String prompt(JsonNode messages, List<LegResult> scored) {
		StringBuilder prompt = new StringBuilder("Criteria: ").append(this.criteria).append("\n\nThe request:\n");
		for (JsonNode message : messages) {
			prompt.append(message.path("role").asString("user")).append(": ").append(text(message.path("content")))
				.append('\n');
		}
		for (int i = 0; i < scored.size(); i++) {
			JsonNode message = scored.get(i).completion().path("choices").path(0).path("message");
			prompt.append("\nAnswer ").append(i + 1).append(":\n").append(text(message.path("content")));
			JsonNode calls = message.path("tool_calls");
			if (!calls.isEmpty()) {
				prompt.append("\n(tool calls: ").append(calls).append(')');
			}
			prompt.append('\n');
		}
		return prompt.toString();
	}

	private static String text(JsonNode content) {
		if (content.isString()) {
			return content.stringValue();
		}
		StringBuilder text = new StringBuilder();
		for (JsonNode part : content) {
			if (part.path("text").isString()) {
				text.append(part.path("text").stringValue());
			}
			else if (part.has("type")) {
				text.append('[').append(part.path("type").asString()).append(']');
			}
		}
		return text.toString();
	}

	/**
	 * The judge's verdict as the answer reports it: its scores by leg, the best leg, its prompt,
	 * and what it cost; the judge's own error, or its raw reply when that was not the JSON asked for.
	 */
	ObjectNode verdict(@Nullable LegResult judged, ObjectNode body, List<LegResult> scored) {
		ObjectNode verdict = Json.object().put("model", this.model).put("criteria", this.criteria);
		verdict.set("prompt", body.path("messages"));
		if (judged == null) {
			verdict.putNull("scores");
			verdict.putNull("best");
			verdict.set("error", Json.object().put("message", "No leg answered: there was nothing to judge.")
				.put("type", "invalid_request_error").putNull("param").putNull("code"));
			return verdict;
		}
		verdict.put("status", judged.status());
		verdict.put("cost_usd", judged.cost());
		verdict.set("usage", (judged.usage() != null) ? judged.usage().toOpenAi() : Json.NODES.nullNode());
		if (!judged.succeeded()) {
			verdict.putNull("scores");
			verdict.putNull("best");
			verdict.set("error", judged.error());
			return verdict;
		}
		String reply = judged.completion().path("choices").path(0).path("message").path("content").asString("");
		JsonNode parsed = parse(reply);
		ArrayNode scores = Json.NODES.arrayNode();
		List<Integer> seen = new ArrayList<>();
		for (JsonNode score : (parsed != null) ? parsed.path("scores") : Json.NODES.arrayNode()) {
			int answer = score.path("answer").asInt(0);
			if (answer < 1 || answer > scored.size() || seen.contains(answer) || !score.path("score").isNumber()) {
				continue;
			}
			seen.add(answer);
			LegResult leg = scored.get(answer - 1);
			ObjectNode entry = scores.addObject().put("leg", leg.leg()).put("model", leg.model());
			entry.put("score", Math.max(0, Math.min(10, score.path("score").asDouble())));
			entry.put("reason", score.path("reason").asString(""));
		}
		if (parsed == null || scores.isEmpty()) {
			verdict.putNull("scores");
			verdict.putNull("best");
			verdict.set("error", Json.object()
				.put("message", "The judge's reply was not the JSON scores it was asked for.")
				.put("type", LlmApiException.API_ERROR)
				.putNull("param")
				.put("code", "judge_unparseable"));
			verdict.put("reply", reply);
			return verdict;
		}
		verdict.set("scores", scores);
		JsonNode best = null;
		for (JsonNode entry : scores) {
			if (best == null || entry.path("score").asDouble() > best.path("score").asDouble()) {
				best = entry;
			}
		}
		verdict.put("best", best.path("model").asString());
		verdict.putNull("error");
		return verdict;
	}

	/** The reply as JSON, a Markdown code fence around it tolerated. */
	private static @Nullable JsonNode parse(String reply) {
		String text = reply.strip();
		if (text.startsWith("```")) {
			int start = text.indexOf('\n');
			int end = text.lastIndexOf("```");
			text = (start >= 0 && end > start) ? text.substring(start + 1, end) : text;
		}
		try {
			JsonNode node = Json.MAPPER.readTree(text);
			return node.isObject() ? node : null;
		}
		catch (JacksonException ex) {
			return null;
		}
	}

}
