package dev.switchboard.translate.gemini;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.catalog.ReasoningTable;
import dev.switchboard.catalog.ReasoningTable.Setting;
import dev.switchboard.core.Json;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.RouteTarget;
import dev.switchboard.core.TranslationNotes;
import dev.switchboard.translate.spi.DataUrl;
import dev.switchboard.translate.spi.ParameterPolicy;
import dev.switchboard.translate.spi.ReasoningEffort;
import dev.switchboard.translate.spi.RequestChecks;

/**
 * Builds a Gemini {@code GenerateContentRequest} from an OpenAI chat completion request.
 *
 * <p>Every top-level OpenAI parameter is either translated, knowingly ignored (it changes nothing
 * Gemini could honour: {@code user}, {@code store}, cache and billing hints) or handed to
 * {@link ParameterPolicy}: a parameter this class does not know is never lost silently, since
 * nothing reaches Gemini that was not rebuilt here.
 *
 * <p>Schemas go to {@code parametersJsonSchema} and {@code responseJsonSchema}, the fields that take
 * JSON Schema as OpenAI clients write it ({@code additionalProperties}, {@code $ref}, {@code anyOf}
 * included). The older {@code parameters} and {@code responseSchema} take an OpenAPI subset that
 * rejects those keywords, so using them would mean stripping constraints the client asked for.
 *
 * <p>A value of the wrong type or shape is the client's 400 naming it ({@link RequestChecks}),
 * never copied for Gemini to refuse after a round trip nor replaced by a default: tools and their
 * schemas and names, a {@code tool_choice} naming a function that is not offered, {@code stop},
 * {@code response_format}, message content, text parts, {@code input_audio} without its format or
 * data, tool calls, and a {@code seed} that is not an integer in Gemini's 32-bit range.
 */
final class GeminiChatRequests {

	/**
	 * The documented stand-in for a missing thought signature. Gemini 3 rejects a replayed function
	 * call without a signature (400); history the model did not write (another provider's turns, a
	 * client that dropped {@code extra_content}) has none to give.
	 */
	private static final String SKIP_SIGNATURE = "skip_thought_signature_validator";

	/** OpenAI parameters that carry nothing Gemini could act on; the request is the same without them. */
	private static final Set<String> IGNORED = Set.of("model", "messages", "stream", "stream_options", "user",
			"safety_identifier", "prompt_cache_key", "metadata", "store", "service_tier");

	/** Parameters {@link #build} translates itself (or rejects there, depending on their value). */
	private static final Set<String> TRANSLATED = Set.of("max_tokens", "max_completion_tokens", "temperature",
			"top_p", "stop", "seed", "n", "presence_penalty", "frequency_penalty", "response_format", "tools",
			"tool_choice", "reasoning_effort");

	private GeminiChatRequests() {
	}

	static ObjectNode build(LlmExchange exchange, RouteTarget target) {
		JsonNode body = exchange.body();
		checkParameters(exchange, target, body);
		ObjectNode request = Json.object();
		new Messages(exchange, target).translate(body.path("messages"), request);
		ArrayNode declarations = functionDeclarations(exchange, target, RequestChecks.tools(body));
		RequestChecks.toolChoiceOffered(body,
				declarations.values().stream().map(declaration -> declaration.get("name").stringValue()).toList());
		if (!declarations.isEmpty()) {
			request.putArray("tools").addObject().set("functionDeclarations", declarations);
			ObjectNode config = functionCallingConfig(exchange, target, body.get("tool_choice"));
			if (config != null) {
				request.putObject("toolConfig").set("functionCallingConfig", config);
			}
		}
		ObjectNode generation = generationConfig(exchange, target, body);
		if (!generation.isEmpty()) {
			request.set("generationConfig", generation);
		}
		return request;
	}

	private static void checkParameters(LlmExchange exchange, RouteTarget target, JsonNode body) {
		for (Map.Entry<String, JsonNode> field : body.properties()) {
			String name = field.getKey();
			JsonNode value = field.getValue();
			if (value.isNull() || IGNORED.contains(name) || TRANSLATED.contains(name)) {
				continue;
			}
			String why = switch (name) {
				case "logprobs" -> value.asBoolean(false) ? "Gemini log probabilities are not translated" : null;
				case "top_logprobs" -> "Gemini log probabilities are not translated";
				case "logit_bias" -> "Gemini has no logit bias";
				case "parallel_tool_calls" ->
					value.asBoolean(true) ? null : "Gemini cannot be limited to one function call per turn";
				case "modalities" ->
					(value.isArray() && onlyText(value)) ? null : "Gemini audio output is not translated";
				case "audio" -> "Gemini audio output is not translated";
				case "verbosity" -> "Gemini has no verbosity setting";
				case "prediction" -> "Gemini has no predicted outputs";
				case "web_search_options" -> "Gemini's Google Search grounding is not translated";
				case "functions", "function_call" -> "use 'tools' and 'tool_choice' instead";
				default -> "the Gemini adapter does not translate it";
			};
			if (why != null) {
				ParameterPolicy.unsupported(exchange, target, name, why);
			}
		}
	}

	private static boolean onlyText(JsonNode modalities) {
		for (JsonNode modality : modalities) {
			if (!"text".equals(modality.asString(""))) {
				return false;
			}
		}
		return true;
	}

	private static ObjectNode generationConfig(LlmExchange exchange, RouteTarget target, JsonNode body) {
		ObjectNode config = Json.object();
		JsonNode maxTokens = present(body, "max_completion_tokens");
		copy((maxTokens != null) ? maxTokens : present(body, "max_tokens"), config, "maxOutputTokens");
		copy(present(body, "temperature"), config, "temperature");
		copy(present(body, "top_p"), config, "topP");
		copy(seed(body), config, "seed");
		penalty(exchange, target, body, "presence_penalty");
		penalty(exchange, target, body, "frequency_penalty");
		List<String> stop = RequestChecks.stopSequences(body);
		if (!stop.isEmpty()) {
			ArrayNode sequences = config.putArray("stopSequences");
			stop.forEach(sequences::add);
		}
		JsonNode n = present(body, "n");
		if (n != null) {
			if (exchange.stream() && n.asInt(1) > 1) {
				ParameterPolicy.unsupported(exchange, target, "n", "Gemini streams a single candidate");
			}
			else {
				config.set("candidateCount", n);
			}
		}
		responseFormat(exchange, target, body, config);
		thinkingConfig(exchange, target, config);
		return config;
	}

	/**
	 * {@code thinkingConfig} for {@code reasoning_effort}, as the model's {@link ReasoningTable}
	 * says: a budget as {@code thinkingBudget} (0 off, -1 dynamic; Gemini 2.5), a level as
	 * {@code thinkingLevel} (Gemini 3), with the thought summaries asked for whenever thinking is on
	 * ({@code includeThoughts}). Gemini counts thinking inside {@code maxOutputTokens}, so a
	 * budget is lowered below the client's ceiling rather than the ceiling raised: OpenAI counts
	 * reasoning inside {@code max_completion_tokens} too, and the quota reserved by it.
	 */
	private static void thinkingConfig(LlmExchange exchange, RouteTarget target, ObjectNode config) {
		Setting setting = ReasoningEffort.setting(exchange, target);
		if (setting == null) {
			return;
		}
		String effort = exchange.body().path("reasoning_effort").asString();
		ObjectNode thinking = config.putObject("thinkingConfig");
		if (!setting.off()) {
			// Thought summaries, which come back as reasoning_content, as Anthropic's thinking does.
			thinking.put("includeThoughts", true);
		}
		if (setting.level() != null) {
			thinking.put("thinkingLevel", setting.level());
			exchange.decide("translate", "reasoning_effort " + effort + " sent to Gemini as thinkingLevel "
					+ setting.level());
			return;
		}
		int budget = setting.budget();
		String adjusted = "";
		long max = config.path("maxOutputTokens").asLong(0);
		if (max > 0 && budget >= max) {
			budget = (int) Math.max(0, max - 1);
			adjusted = " (lowered from " + setting.budget() + " to stay below max_completion_tokens " + max + ")";
		}
		thinking.put("thinkingBudget", budget);
		exchange.decide("translate", "reasoning_effort " + effort + " sent to Gemini as thinkingBudget " + budget
				+ adjusted);
	}

	/**
	 * {@code seed}: Gemini's is a 32-bit integer. A larger OpenAI seed cannot be carried over
	 * without becoming another seed, so it is refused, as are non-integers.
	 */
	private static @Nullable JsonNode seed(JsonNode body) {
		JsonNode seed = present(body, "seed");
		if (seed != null && !RequestChecks.isInt(seed, Integer.MIN_VALUE)) {
			throw RequestChecks.invalid("seed", "must be an integer from " + Integer.MIN_VALUE + " to "
					+ Integer.MAX_VALUE + " for Gemini.");
		}
		return seed;
	}

	/**
	 * {@code presence_penalty} and {@code frequency_penalty}. Gemini declares
	 * {@code presencePenalty} and {@code frequencyPenalty}, but the 2.5 models and later refuse
	 * them ("Penalty is not enabled for models/..."), and the gateway cannot tell which models
	 * would take them. Zero, the OpenAI default many clients send explicitly, asks for nothing and
	 * is left out; any other value goes through the parameter policy.
	 */
	private static void penalty(LlmExchange exchange, RouteTarget target, JsonNode body, String name) {
		JsonNode penalty = present(body, name);
		if (penalty != null && !(penalty.isNumber() && penalty.asDouble() == 0)) {
			ParameterPolicy.unsupported(exchange, target, name,
					"Gemini 2.5 and later models answer 400 'Penalty is not enabled'");
		}
	}

	private static void responseFormat(LlmExchange exchange, RouteTarget target, JsonNode body, ObjectNode config) {
		JsonNode format = body.path("response_format");
		switch (RequestChecks.responseFormat(body)) {
			case "text" -> {
				// Gemini's default
			}
			case "json_object" -> config.put("responseMimeType", "application/json");
			case "json_schema" -> {
				config.put("responseMimeType", "application/json");
				JsonNode schema = present(format.path("json_schema"), "schema");
				if (schema != null) {
					config.set("responseJsonSchema", schema);
				}
			}
			default -> ParameterPolicy.unsupported(exchange, target, "response_format",
					"Gemini knows the formats text, json_object and json_schema");
		}
	}

	private static ArrayNode functionDeclarations(LlmExchange exchange, RouteTarget target, @Nullable JsonNode tools) {
		ArrayNode declarations = Json.NODES.arrayNode();
		if (tools == null) {
			return declarations;
		}
		for (int i = 0; i < tools.size(); i++) {
			JsonNode tool = tools.get(i);
			String param = "tools[" + i + "]";
			if (!"function".equals(tool.path("type").asString(""))) {
				ParameterPolicy.unsupported(exchange, target, "tools",
						"Gemini takes function tools only, not '" + tool.path("type").asString("") + "'");
				continue;
			}
			JsonNode function = tool.path("function");
			if (!function.isObject()) {
				throw RequestChecks.invalid(param + ".function", "must be an object.");
			}
			ObjectNode declaration = declarations.addObject();
			declaration.put("name", RequestChecks.functionName(function, param + ".function"));
			copy(present(function, "description"), declaration, "description");
			copy(RequestChecks.parameters(function, param + ".function"), declaration, "parametersJsonSchema");
		}
		return declarations;
	}

	/**
	 * Maps {@code tool_choice}: auto, none and required are Gemini's AUTO, NONE and ANY; a named
	 * function is ANY restricted to that name. Returns {@code null} for Gemini's default.
	 */
	private static @Nullable ObjectNode functionCallingConfig(LlmExchange exchange, RouteTarget target,
			@Nullable JsonNode choice) {
		if (choice == null || choice.isNull()) {
			return null;
		}
		ObjectNode config = Json.object();
		if (choice.isString()) {
			String mode = switch (choice.stringValue()) {
				case "auto" -> "AUTO";
				case "none" -> "NONE";
				case "required" -> "ANY";
				default -> null;
			};
			if (mode != null) {
				return config.put("mode", mode);
			}
		}
		else if ("function".equals(choice.path("type").asString(""))) {
			// RequestChecks.toolChoiceOffered made sure the name is a string among the declarations
			config.put("mode", "ANY");
			config.putArray("allowedFunctionNames").add(choice.path("function").path("name").stringValue());
			return config;
		}
		ParameterPolicy.unsupported(exchange, target, "tool_choice",
				"Gemini knows auto, none, required and a named function");
		return null;
	}

	private static @Nullable JsonNode present(JsonNode node, String field) {
		JsonNode value = node.get(field);
		return (value == null || value.isNull()) ? null : value;
	}

	private static void copy(@Nullable JsonNode value, ObjectNode to, String field) {
		if (value != null) {
			to.set(field, value.deepCopy());
		}
	}

	/**
	 * OpenAI messages to Gemini {@code contents} and {@code systemInstruction}.
	 *
	 * <p>Gemini has two roles: assistant turns become {@code model}, and tool results become
	 * {@code functionResponse} parts of a {@code user} turn (the {@code function} role is refused by
	 * current models). A function response must name its function, which OpenAI's tool message
	 * does not: the name is looked up from the assistant tool call with the same id. Consecutive
	 * turns of one role are merged, which is how Gemini expects parallel function results.
	 */
	private static final class Messages {

		private final LlmExchange exchange;

		private final RouteTarget target;

		private final Map<String, String> toolNames = new HashMap<>();

		private final ArrayNode system = Json.NODES.arrayNode();

		private final ArrayNode contents = Json.NODES.arrayNode();

		Messages(LlmExchange exchange, RouteTarget target) {
			this.exchange = exchange;
			this.target = target;
		}

		void translate(JsonNode messages, ObjectNode request) {
			for (int i = 0; i < messages.size(); i++) {
				JsonNode message = messages.get(i);
				String param = "messages[" + i + "]";
				switch (message.path("role").asString("")) {
					case "system", "developer" -> this.system.addAll(parts(message.get("content"), param));
					case "user" -> append("user", parts(message.get("content"), param));
					case "assistant" -> append("model", assistantParts(message, param));
					case "tool" -> append("user", functionResponse(toolName(message, param), message, param));
					case "function" -> append("user",
							functionResponse(RequestChecks.functionName(message, param), message, param));
					default -> throw LlmApiException.invalidRequest(
							"'" + param + ".role' is not a role Gemini can take.", param + ".role");
				}
			}
			request.set("contents", this.contents);
			if (!this.system.isEmpty()) {
				request.putObject("systemInstruction").set("parts", this.system);
			}
		}

		private void append(String role, ArrayNode parts) {
			if (parts.isEmpty()) {
				return;
			}
			JsonNode last = this.contents.isEmpty() ? null : this.contents.get(this.contents.size() - 1);
			if (last != null && role.equals(last.path("role").asString(""))) {
				((ArrayNode) last.get("parts")).addAll(parts);
				return;
			}
			ObjectNode content = this.contents.addObject();
			content.put("role", role);
			content.set("parts", parts);
		}

		private ArrayNode assistantParts(JsonNode message, String param) {
			ArrayNode parts = parts(message.get("content"), param);
			JsonNode calls = RequestChecks.toolCalls(message, param);
			if (calls == null) {
				return parts;
			}
			boolean signed = false;
			for (JsonNode call : calls) {
				signed |= signature(call) != null;
			}
			for (int k = 0; k < calls.size(); k++) {
				JsonNode call = calls.get(k);
				String callParam = param + ".tool_calls[" + k + "]";
				if (!"function".equals(call.path("type").asString("function"))) {
					ParameterPolicy.unsupported(this.exchange, this.target, callParam,
							"Gemini replays function calls only");
					continue;
				}
				String name = RequestChecks.functionName(call.path("function"), callParam + ".function");
				this.toolNames.put(call.path("id").asString(""), name);
				ObjectNode part = parts.addObject();
				ObjectNode functionCall = part.putObject("functionCall");
				functionCall.put("name", name);
				functionCall.set("args", arguments(call.path("function").get("arguments"), callParam));
				String signature = signature(call);
				if (signature != null) {
					part.put("thoughtSignature", signature);
				}
				else if (!signed && k == 0) {
					// Gemini 3 validates the first call of each step only (parallel calls carry one signature).
					part.put("thoughtSignature", SKIP_SIGNATURE);
				}
			}
			return parts;
		}

		/** The signature {@link GeminiChatResponses} put on the tool call, where clients keep it. */
		private static @Nullable String signature(JsonNode call) {
			JsonNode signature = call.path("extra_content").path("google").get("thought_signature");
			return (signature != null && signature.isString()) ? signature.stringValue() : null;
		}

		private static JsonNode arguments(@Nullable JsonNode arguments, String param) {
			if (arguments == null || arguments.isNull()
					|| (arguments.isString() && arguments.stringValue().isBlank())) {
				return Json.object();
			}
			if (arguments.isObject()) {
				return arguments.deepCopy();
			}
			try {
				JsonNode parsed = Json.MAPPER.readTree(arguments.asString(""));
				if (parsed.isObject()) {
					return parsed;
				}
			}
			catch (JacksonException ignored) {
				// reported below
			}
			throw LlmApiException.invalidRequest(
					"'" + param + ".function.arguments' must be a JSON object for Gemini.", param + ".function.arguments");
		}

		private String toolName(JsonNode message, String param) {
			String name = this.toolNames.get(message.path("tool_call_id").asString(""));
			if (name == null) {
				throw LlmApiException.invalidRequest("'" + param + ".tool_call_id' matches no earlier assistant tool "
						+ "call; Gemini needs the name of the function that produced the result.",
						param + ".tool_call_id");
			}
			return name;
		}

		/** Gemini wants a JSON object as function result; anything else is wrapped as {@code {"content": ...}}. */
		private static ArrayNode functionResponse(String name, JsonNode message, String param) {
			String result = text(message.get("content"), param);
			ObjectNode response;
			try {
				JsonNode parsed = Json.MAPPER.readTree(result);
				response = parsed.isObject() ? (ObjectNode) parsed : wrap(result);
			}
			catch (JacksonException ex) {
				response = wrap(result);
			}
			ArrayNode parts = Json.NODES.arrayNode();
			ObjectNode functionResponse = parts.addObject().putObject("functionResponse");
			functionResponse.put("name", name);
			functionResponse.set("response", response);
			return parts;
		}

		private static ObjectNode wrap(String result) {
			return Json.object().put("content", result);
		}

		/** A tool result's text: a string, or the text parts of an array joined. */
		private static String text(@Nullable JsonNode content, String param) {
			if (content == null || content.isNull()) {
				return "";
			}
			if (content.isString()) {
				return content.stringValue();
			}
			RequestChecks.content(content, param + ".content");
			StringBuilder text = new StringBuilder();
			for (int j = 0; j < content.size(); j++) {
				JsonNode part = content.get(j);
				if (!"text".equals(part.path("type").asString(""))) {
					throw LlmApiException.invalidRequest("'" + param + ".content' of a tool result must be text.",
							param + ".content");
				}
				text.append(RequestChecks.partText(part, "text", param + ".content[" + j + "]"));
			}
			return text.toString();
		}

		/**
		 * Message content to Gemini parts. Gemini only takes media inline, so image URLs were fetched
		 * by the dispatcher beforehand ({@link GeminiAdapter#inlinesImageUrls()}). Empty text is left
		 * out: Gemini rejects empty text parts.
		 */
		private ArrayNode parts(@Nullable JsonNode content, String param) {
			ArrayNode parts = Json.NODES.arrayNode();
			if (content == null || content.isNull()) {
				return parts;
			}
			if (content.isString()) {
				addText(parts, content.stringValue());
				return parts;
			}
			RequestChecks.content(content, param + ".content");
			for (int j = 0; j < content.size(); j++) {
				JsonNode part = content.get(j);
				String partParam = param + ".content[" + j + "]";
				switch (part.path("type").asString("")) {
					case "text" -> addText(parts, RequestChecks.partText(part, "text", partParam));
					case "refusal" -> addText(parts, RequestChecks.partText(part, "refusal", partParam));
					case "image_url" -> parts.addObject().set("inlineData", image(part.path("image_url"), partParam));
					case "input_audio" ->
						parts.addObject().set("inlineData", audio(part.path("input_audio"), partParam));
					case "file" -> {
						JsonNode data = part.path("file").get("file_data");
						if (data == null || !data.isString()) {
							ParameterPolicy.unsupported(this.exchange, this.target, partParam,
									"Gemini cannot read OpenAI file ids; send the file as file_data");
						}
						else {
							parts.addObject().set("inlineData", dataUrl(data.stringValue(), partParam + ".file.file_data"));
						}
					}
					default -> ParameterPolicy.unsupported(this.exchange, this.target, partParam,
							"Gemini takes text, image_url, input_audio and file parts");
				}
			}
			return parts;
		}

		/**
		 * {@code input_audio} as {@code inlineData}. OpenAI requires both the format and the data; a
		 * missing format is not guessed as {@code wav}, since Gemini would then decode the bytes as
		 * something they may not be.
		 */
		private static ObjectNode audio(JsonNode audio, String param) {
			if (!audio.isObject()) {
				throw RequestChecks.invalid(param + ".input_audio", "must be an object with 'data' and 'format'.");
			}
			String format = RequestChecks.partText(audio, "format", param + ".input_audio");
			String data = RequestChecks.partText(audio, "data", param + ".input_audio");
			if (format.isBlank()) {
				throw RequestChecks.invalid(param + ".input_audio.format", "must name the audio's format (wav, mp3).");
			}
			if (data.isEmpty()) {
				throw RequestChecks.invalid(param + ".input_audio.data", "must carry the audio as base64.");
			}
			return inline("audio/" + format, data);
		}

		private static void addText(ArrayNode parts, String text) {
			if (!text.isEmpty()) {
				parts.addObject().put("text", text);
			}
		}

		private ObjectNode image(JsonNode imageUrl, String param) {
			String url = imageUrl.isString() ? imageUrl.stringValue() : imageUrl.path("url").asString("");
			if (DataUrl.is(url)) {
				return dataUrl(url, param + ".image_url.url");
			}
			if (url.startsWith("http://") || url.startsWith("https://")) {
				TranslationNotes.InlineData data = this.exchange.translation().inlined(url);
				if (data == null) {
					throw new IllegalStateException("Image URL of " + param + " was not fetched before translation");
				}
				return inline(data.mediaType(), data.base64());
			}
			throw LlmApiException.invalidRequest("'" + param + ".image_url.url' must be an http(s) or data URL.",
					param + ".image_url.url");
		}

		/**
		 * A base64 data URL as {@code inlineData}. The media type goes without its parameters
		 * ({@code image/png;name=cat.png}): Gemini takes a bare MIME type and refuses the rest.
		 */
		private static ObjectNode dataUrl(String url, String param) {
			DataUrl data = DataUrl.parse(url, param);
			return inline(data.mediaType(), data.base64());
		}

		private static ObjectNode inline(String mimeType, String base64) {
			return Json.object().put("mimeType", mimeType).put("data", base64);
		}

	}

}
