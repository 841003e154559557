package dev.switchboard.mock;

import java.util.Iterator;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A JSON value valid against a JSON Schema, for the simulator's structured output and tool call
 * arguments: what a model would answer, so a client's parser and validator see a real instance.
 *
 * <p>It covers what OpenAI's structured outputs accept: {@code type} (also as an array, the first
 * non-null type), {@code properties} (every property, as strict mode requires them all),
 * {@code items} with {@code minItems}, {@code enum}, {@code const}, {@code anyOf}/{@code oneOf}
 * (the first branch), {@code allOf} (merged objects), local {@code $ref} to {@code $defs} or
 * {@code definitions}, numeric {@code minimum}/{@code maximum}, string {@code minLength} and the
 * common formats. Strings take a word from the prompt where one fits (a capitalised word, such as a
 * city), so {@code get_weather("Paris")} looks like an answer to "the weather in Paris". Recursion
 * stops at {@value #MAX_DEPTH} levels with {@code null}, so a self-referencing schema terminates.
 */
final class SchemaExample {

	private static final int MAX_DEPTH = 16;

	/** Values made at most, whatever the schema: a self-referencing array of objects grows exponentially. */
	private static final int MAX_NODES = 10_000;

	/** Longest string made for a {@code minLength}. */
	private static final int MAX_STRING = 4_096;

	private int nodes;

	private final JsonNode root;

	private final String word;

	private SchemaExample(JsonNode root, String word) {
		this.root = root;
		this.word = word;
	}

	/**
	 * An instance of {@code schema}.
	 * @param prompt the text the answer responds to, a source of plausible strings
	 */
	static JsonNode of(JsonNode schema, String prompt) {
		JsonNode value = new SchemaExample(schema, subject(prompt)).value(schema, 0);
		// Tool arguments and structured answers are objects whatever a loose schema says.
		return value.isObject() ? value : JsonNodeFactory.instance.objectNode();
	}

	/** The last capitalised word of the prompt past its first, else its last word, else "example". */
	static String subject(String prompt) {
		String[] words = prompt.replaceAll("[^\\p{L}\\p{N} ]", " ").trim().split("\\s+");
		for (int i = words.length - 1; i > 0; i--) {
			if (!words[i].isEmpty() && Character.isUpperCase(words[i].charAt(0))) {
				return words[i];
			}
		}
		return (words.length > 0 && !words[words.length - 1].isEmpty()) ? words[words.length - 1] : "example";
	}

	private JsonNode value(JsonNode schema, int depth) {
		JsonNodeFactory nodes = JsonNodeFactory.instance;
		if (depth > MAX_DEPTH || !schema.isObject() || ++this.nodes > MAX_NODES) {
			return nodes.nullNode();
		}
		if (schema.has("$ref")) {
			return value(resolve(schema.path("$ref").asString("")), depth + 1);
		}
		if (schema.has("const")) {
			return schema.get("const");
		}
		if (schema.path("enum").isArray() && !schema.path("enum").isEmpty()) {
			return schema.path("enum").get(0);
		}
		for (String choice : new String[] { "anyOf", "oneOf" }) {
			if (schema.path(choice).isArray() && !schema.path(choice).isEmpty()) {
				return value(firstNonNull(schema.path(choice)), depth + 1);
			}
		}
		if (schema.path("allOf").isArray()) {
			ObjectNode merged = nodes.objectNode();
			for (JsonNode part : schema.path("allOf")) {
				JsonNode instance = value(part, depth + 1);
				if (instance.isObject()) {
					merged.setAll((ObjectNode) instance);
				}
			}
			return merged;
		}
		return switch (type(schema)) {
			case "object" -> object(schema, depth);
			case "array" -> array(schema, depth);
			case "integer" -> nodes.numberNode(integer(schema));
			case "number" -> nodes.numberNode(number(schema));
			case "boolean" -> nodes.booleanNode(true);
			case "null" -> nodes.nullNode();
			default -> nodes.stringNode(string(schema));
		};
	}

	private ObjectNode object(JsonNode schema, int depth) {
		ObjectNode object = JsonNodeFactory.instance.objectNode();
		JsonNode properties = schema.path("properties");
		for (Iterator<Map.Entry<String, JsonNode>> it = properties.properties().iterator(); it.hasNext();) {
			Map.Entry<String, JsonNode> property = it.next();
			object.set(property.getKey(), value(property.getValue(), depth + 1));
		}
		return object;
	}

	private ArrayNode array(JsonNode schema, int depth) {
		ArrayNode array = JsonNodeFactory.instance.arrayNode();
		int count = Math.max(1, schema.path("minItems").asInt(1));
		if (schema.has("maxItems")) {
			count = Math.min(count, schema.path("maxItems").asInt(count));
		}
		JsonNode items = schema.path("items");
		for (int i = 0; i < Math.min(count, 8); i++) {
			array.add(value(items.isObject() ? items : JsonNodeFactory.instance.objectNode().put("type", "string"),
					depth + 1));
		}
		return array;
	}

	private static long integer(JsonNode schema) {
		long value = 1;
		if (schema.has("minimum")) {
			value = Math.max(value, (long) Math.ceil(schema.path("minimum").asDouble()));
		}
		if (schema.has("exclusiveMinimum") && schema.path("exclusiveMinimum").isNumber()) {
			value = Math.max(value, (long) Math.floor(schema.path("exclusiveMinimum").asDouble()) + 1);
		}
		if (schema.has("maximum")) {
			value = Math.min(value, (long) Math.floor(schema.path("maximum").asDouble()));
		}
		return value;
	}

	private static double number(JsonNode schema) {
		double value = 1.5;
		if (schema.has("minimum")) {
			value = Math.max(value, schema.path("minimum").asDouble());
		}
		if (schema.has("maximum")) {
			value = Math.min(value, schema.path("maximum").asDouble());
		}
		return value;
	}

	private String string(JsonNode schema) {
		String value = switch (schema.path("format").asString("")) {
			case "date" -> "2026-01-01";
			case "date-time" -> "2026-01-01T00:00:00Z";
			case "time" -> "00:00:00Z";
			case "email" -> "user@example.com";
			case "uri", "url" -> "https://example.com/";
			case "uuid" -> "00000000-0000-4000-8000-000000000000";
			default -> this.word;
		};
		int min = Math.min(MAX_STRING, schema.path("minLength").asInt(0));
		StringBuilder padded = new StringBuilder(value);
		while (padded.length() < min) {
			padded.append('x');
		}
		int max = Math.max(0, schema.path("maxLength").asInt(Integer.MAX_VALUE));
		return (padded.length() > max) ? padded.substring(0, max) : padded.toString();
	}

	private static String type(JsonNode schema) {
		JsonNode type = schema.path("type");
		if (type.isArray()) {
			for (JsonNode candidate : type) {
				if (!"null".equals(candidate.asString(""))) {
					return candidate.asString("string");
				}
			}
			return "null";
		}
		if (type.isString()) {
			return type.stringValue();
		}
		return schema.has("properties") ? "object" : (schema.has("items") ? "array" : "string");
	}

	private static JsonNode firstNonNull(JsonNode branches) {
		for (JsonNode branch : branches) {
			if (!"null".equals(branch.path("type").asString(""))) {
				return branch;
			}
		}
		return branches.get(0);
	}

	/** {@code #/$defs/Name} or {@code #/definitions/Name}, as a JSON pointer into the root schema. */
	private JsonNode resolve(String ref) {
		if (!ref.startsWith("#/")) {
			return JsonNodeFactory.instance.objectNode();
		}
		JsonNode target = this.root.at(ref.substring(1));
		return target.isMissingNode() ? JsonNodeFactory.instance.objectNode() : target;
	}

}
