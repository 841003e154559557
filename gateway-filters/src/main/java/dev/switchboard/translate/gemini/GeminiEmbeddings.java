package dev.switchboard.translate.gemini;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.core.Json;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.RouteTarget;
import dev.switchboard.core.Usage;
import dev.switchboard.translate.spi.ParameterPolicy;
import dev.switchboard.translate.spi.RequestChecks;

/**
 * OpenAI {@code /v1/embeddings} over Gemini's {@code batchEmbedContents}: one embed request per
 * input string, answered in order.
 *
 * <p>Gemini reports no token count for embeddings, so usage is estimated at four characters per
 * token and recorded as an estimate ({@link Usage#reported()} false): enough for quotas and cost
 * attribution, not an invoice. Token-array inputs are refused outright rather than through
 * {@link ParameterPolicy}: the input cannot be dropped, and Gemini only embeds text.
 *
 * <p>{@code batchEmbedContents} takes at most {@value #MAX_INPUTS} requests, so a longer
 * {@code input} is refused as the client's 400 naming {@code input}; splitting it over several
 * calls is left to the client, which knows how to retry part of a batch.
 *
 * <p>{@code encoding_format: base64} (the official OpenAI SDKs' default) is honoured by encoding
 * Gemini's floats as little-endian float32, as OpenAI does.
 *
 * <p>{@code dimensions} becomes each request's {@code outputDimensionality}, a 32-bit integer.
 * {@code endpoint.RequestValidator} has already refused what is not a positive integer in that
 * range and any {@code encoding_format} but {@code float} and {@code base64}, for every provider.
 */
final class GeminiEmbeddings {

	private static final Set<String> TRANSLATED = Set.of("model", "input", "dimensions", "encoding_format", "user");

	private static final int CHARS_PER_TOKEN = 4;

	/** The most requests one {@code batchEmbedContents} call takes. */
	static final int MAX_INPUTS = 100;

	private GeminiEmbeddings() {
	}

	static ObjectNode request(LlmExchange exchange, RouteTarget target, String resource) {
		JsonNode body = exchange.body();
		for (Map.Entry<String, JsonNode> field : body.properties()) {
			if (!field.getValue().isNull() && !TRANSLATED.contains(field.getKey())) {
				ParameterPolicy.unsupported(exchange, target, field.getKey(),
						"the Gemini adapter does not translate it for embeddings");
			}
		}
		List<String> inputs = inputs(body);
		if (inputs.size() > MAX_INPUTS) {
			// Gemini would answer 400 too, after a round trip and with a message naming its own field.
			throw LlmApiException.invalidRequest("Gemini embeds at most " + MAX_INPUTS
					+ " inputs per request (the limit of batchEmbedContents); 'input' has " + inputs.size()
					+ ". Split the inputs over several requests.", "input");
		}
		JsonNode dimensions = RequestChecks.present(body, "dimensions");
		ObjectNode request = Json.object();
		ArrayNode requests = request.putArray("requests");
		for (String text : inputs) {
			ObjectNode embed = requests.addObject();
			embed.put("model", resource);
			embed.putObject("content").putArray("parts").addObject().put("text", text);
			if (dimensions != null) {
				embed.set("outputDimensionality", dimensions);
			}
		}
		return request;
	}

	static byte[] response(LlmExchange exchange, RouteTarget target, JsonNode response) {
		boolean base64 = "base64".equals(exchange.body().path("encoding_format").asString(""));
		ObjectNode list = Json.object();
		list.put("object", "list");
		ArrayNode data = list.putArray("data");
		JsonNode embeddings = response.path("embeddings");
		for (int i = 0; i < embeddings.size(); i++) {
			ObjectNode embedding = data.addObject();
			embedding.put("object", "embedding");
			embedding.put("index", i);
			JsonNode values = embeddings.get(i).path("values");
			if (base64) {
				embedding.put("embedding", float32(values));
			}
			else {
				embedding.set("embedding", values);
			}
		}
		list.put("model", target.model().upstreamModel());
		long tokens = estimateTokens(inputs(exchange.body()));
		list.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
		exchange.recordUsage(new Usage(tokens, 0, 0, false));
		return Json.MAPPER.writeValueAsBytes(list);
	}

	private static List<String> inputs(JsonNode body) {
		JsonNode input = body.path("input");
		if (input.isString()) {
			return List.of(input.stringValue());
		}
		List<String> texts = new ArrayList<>();
		for (JsonNode item : input) {
			if (!item.isString()) {
				throw LlmApiException.invalidRequest(
						"Gemini needs text input: 'input' must be a string or an array of strings, not token ids.",
						"input");
			}
			texts.add(item.stringValue());
		}
		return texts;
	}

	private static long estimateTokens(List<String> texts) {
		long tokens = 0;
		for (String text : texts) {
			tokens += (text.codePointCount(0, text.length()) + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN;
		}
		return tokens;
	}

	private static String float32(JsonNode values) {
		ByteBuffer bytes = ByteBuffer.allocate(values.size() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
		for (JsonNode value : values) {
			bytes.putFloat(value.floatValue());
		}
		return Base64.getEncoder().encodeToString(bytes.array());
	}

}
