package dev.switchboard.translate.spi;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import dev.switchboard.core.LlmApiException;

/**
 * Checks of OpenAI request values that adapters rebuilding a request (Anthropic, Gemini) must
 * refuse instead of rewriting.
 *
 * <p>An adapter that reads a value with a default ({@code asString("")}, {@code asInt(1)},
 * {@code path(...)} of something that is not an object) turns a malformed value into a different
 * request: a tool schema that is a string became an empty schema, a stop sequence that is a number
 * went missing, {@code tool_choice: required} without tools was left out, and the model answered
 * something else than what was asked, with a 200. OpenAI refuses such values, and an
 * OpenAI-compatible upstream behind the gateway refuses them too; so the translating adapters do
 * the same, as the client's 400 naming the parameter, before anything is sent. What a provider
 * lacks, as opposed to what is malformed, goes through {@link ParameterPolicy} instead.
 *
 * <p>What {@code endpoint.RequestValidator} checks for every provider (messages and roles, the
 * token limits, {@code n}, the ranges of {@code temperature} and {@code top_p}) is not checked
 * again here.
 */
public final class RequestChecks {

	private RequestChecks() {
	}

	/** A 400 whose message starts with the parameter, as {@link DataUrl}'s do. */
	public static LlmApiException invalid(String param, String problem) {
		return LlmApiException.invalidRequest("'" + param + "' " + problem, param);
	}

	/** The field unless absent or JSON null, which OpenAI treats alike. */
	public static @Nullable JsonNode present(JsonNode node, String field) {
		JsonNode value = node.get(field);
		return (value == null || value.isNull()) ? null : value;
	}

	/**
	 * {@code stop}: a string or an array of strings, as a list; empty when absent.
	 * @throws LlmApiException 400 naming {@code stop} or the element that is not a string
	 */
	public static List<String> stopSequences(JsonNode request) {
		JsonNode stop = present(request, "stop");
		List<String> sequences = new ArrayList<>();
		if (stop == null) {
			return sequences;
		}
		if (stop.isString()) {
			sequences.add(stop.stringValue());
			return sequences;
		}
		if (!stop.isArray()) {
			throw invalid("stop", "must be a string or an array of strings.");
		}
		for (int i = 0; i < stop.size(); i++) {
			if (!stop.get(i).isString()) {
				throw invalid("stop[" + i + "]", "must be a string.");
			}
			sequences.add(stop.get(i).stringValue());
		}
		return sequences;
	}

	/**
	 * {@code tools}: an array of objects, or absent.
	 * @throws LlmApiException 400 naming {@code tools} or the element that is not an object
	 */
	public static @Nullable JsonNode tools(JsonNode request) {
		JsonNode tools = present(request, "tools");
		if (tools == null) {
			return null;
		}
		if (!tools.isArray()) {
			throw invalid("tools", "must be an array of tools.");
		}
		for (int i = 0; i < tools.size(); i++) {
			if (!tools.get(i).isObject()) {
				throw invalid("tools[" + i + "]", "must be an object.");
			}
		}
		return tools;
	}

	/**
	 * A function tool's {@code parameters}: a JSON Schema object, or {@code null} when absent (a
	 * function without arguments, which OpenAI allows).
	 * @param param the function's path, e.g. {@code tools[0].function}
	 */
	public static @Nullable JsonNode parameters(JsonNode function, String param) {
		return schema(function, "parameters", param + ".parameters");
	}

	/** A schema field: an object, or {@code null} when absent; anything else is a 400 naming {@code param}. */
	public static @Nullable JsonNode schema(JsonNode holder, String field, String param) {
		JsonNode schema = present(holder, field);
		if (schema != null && !schema.isObject()) {
			throw invalid(param, "must be a JSON Schema object.");
		}
		return schema;
	}

	/**
	 * A function tool's {@code name}, which OpenAI requires and both providers need to call it.
	 * @param param the function's path, e.g. {@code tools[0].function}
	 */
	public static String functionName(JsonNode function, String param) {
		JsonNode name = function.get("name");
		if (name == null || !name.isString() || name.stringValue().isEmpty()) {
			throw invalid(param + ".name", "must be the function's name, a non-empty string.");
		}
		return name.stringValue();
	}

	/**
	 * {@code tool_choice} against the functions the request offers: {@code required} or a named
	 * function without any tool to call, or naming a function that is not offered, would have the
	 * adapter leave the choice out (or the provider refuse it after a round trip). {@code auto} and
	 * {@code none} ask for nothing a missing tool changes. Shapes a provider cannot express are
	 * left to the adapter and its {@link ParameterPolicy}.
	 * @param functions the names of the request's function tools
	 */
	public static void toolChoiceOffered(JsonNode request, Collection<String> functions) {
		JsonNode choice = present(request, "tool_choice");
		if (choice == null) {
			return;
		}
		if (choice.isString()) {
			if ("required".equals(choice.stringValue()) && functions.isEmpty()) {
				throw invalid("tool_choice", "is 'required' but the request offers no function in 'tools'.");
			}
			return;
		}
		if (!choice.isObject()) {
			throw invalid("tool_choice", "must be a string or an object.");
		}
		JsonNode type = choice.get("type");
		if (type != null && type.isString() && "function".equals(type.stringValue())) {
			String name = functionName(choice.path("function"), "tool_choice.function");
			if (!functions.contains(name)) {
				throw invalid("tool_choice", "names the function '" + name + "', which is not in 'tools'.");
			}
		}
	}

	/**
	 * {@code response_format}: absent, or an object with a string {@code type} and, for
	 * {@code json_schema}, a schema object if any. What the type is worth to a provider is the
	 * adapter's question.
	 * @return the format's type, {@code "text"} when absent
	 */
	public static String responseFormat(JsonNode request) {
		JsonNode format = present(request, "response_format");
		if (format == null) {
			return "text";
		}
		if (!format.isObject()) {
			throw invalid("response_format", "must be an object such as {\"type\": \"json_object\"}.");
		}
		JsonNode type = format.get("type");
		if (type == null || !type.isString()) {
			throw invalid("response_format.type", "must be a string: text, json_object or json_schema.");
		}
		if ("json_schema".equals(type.stringValue())) {
			JsonNode jsonSchema = present(format, "json_schema");
			if (jsonSchema != null && !jsonSchema.isObject()) {
				throw invalid("response_format.json_schema", "must be an object.");
			}
			if (jsonSchema != null) {
				schema(jsonSchema, "schema", "response_format.json_schema.schema");
			}
		}
		return type.stringValue();
	}

	/**
	 * Message content: absent, a string or an array of content parts (objects). A number or an
	 * object would otherwise read as no content, and the turn would disappear.
	 * @param param the content's path, e.g. {@code messages[0].content}
	 */
	public static void content(@Nullable JsonNode content, String param) {
		if (content == null || content.isMissingNode() || content.isNull() || content.isString()) {
			return;
		}
		if (!content.isArray()) {
			throw invalid(param, "must be a string or an array of content parts.");
		}
		for (int j = 0; j < content.size(); j++) {
			if (!content.get(j).isObject()) {
				throw invalid(param + "[" + j + "]", "must be a content part object.");
			}
		}
	}

	/**
	 * The string a text-like part carries in {@code field}; a part whose text is not a string
	 * would otherwise read as blank and be left out.
	 * @param param the part's path, e.g. {@code messages[0].content[1]}
	 */
	public static String partText(JsonNode part, String field, String param) {
		JsonNode text = part.get(field);
		if (text == null || !text.isString()) {
			throw invalid(param + "." + field, "must be a string.");
		}
		return text.stringValue();
	}

	/**
	 * An assistant message's {@code tool_calls}: absent or an array of objects.
	 * @param param the message's path, e.g. {@code messages[1]}
	 */
	public static @Nullable JsonNode toolCalls(JsonNode message, String param) {
		JsonNode calls = present(message, "tool_calls");
		if (calls == null) {
			return null;
		}
		if (!calls.isArray()) {
			throw invalid(param + ".tool_calls", "must be an array of tool calls.");
		}
		for (int k = 0; k < calls.size(); k++) {
			if (!calls.get(k).isObject()) {
				throw invalid(param + ".tool_calls[" + k + "]", "must be an object.");
			}
		}
		return calls;
	}

	/**
	 * Whether {@code value} is an integer from {@code min} to {@link Integer#MAX_VALUE}. Compared as
	 * a {@link BigInteger}, so that {@code 2^63} and beyond are refused rather than read as a default
	 * ({@code asInt(d)}) or thrown as a 500 ({@code asLong()}).
	 */
	public static boolean isInt(JsonNode value, int min) {
		return isInteger(value, min, Integer.MAX_VALUE);
	}

	/**
	 * Whether {@code value} is an integer from {@code min} to {@code max}, compared at any size: JSON
	 * has no integer width, and narrowing first would turn {@code 2^64} into another number or a 500.
	 */
	public static boolean isInteger(JsonNode value, long min, long max) {
		if (!value.isIntegralNumber()) {
			return false;
		}
		BigInteger number = value.bigIntegerValue();
		return number.compareTo(BigInteger.valueOf(min)) >= 0 && number.compareTo(BigInteger.valueOf(max)) <= 0;
	}

	/**
	 * Whether {@code value} is a number from {@code min} to {@code max}, compared at any size: a
	 * 400-digit integer is a number no double holds (read here as infinite, so it fails), and
	 * Jackson's {@code asDouble()} throws on it, which would make it a 500.
	 */
	public static boolean isNumberIn(JsonNode value, double min, double max) {
		if (!value.isNumber()) {
			return false;
		}
		double number = value.isIntegralNumber() ? value.bigIntegerValue().doubleValue()
				: value.isBigDecimal() ? value.decimalValue().doubleValue() : value.doubleValue();
		return number >= min && number <= max;
	}

}
