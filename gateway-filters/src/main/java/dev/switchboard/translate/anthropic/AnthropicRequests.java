package dev.switchboard.translate.anthropic;

import java.util.ArrayList;
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
import dev.switchboard.core.Thinking;
import dev.switchboard.translate.spi.DataUrl;
import dev.switchboard.translate.spi.ParameterPolicy;
import dev.switchboard.translate.spi.ReasoningEffort;
import dev.switchboard.translate.spi.RequestChecks;

/**
 * Builds the Anthropic Messages request body for an OpenAI chat completion request.
 *
 * <p>The body is built field by field rather than copied, because Anthropic rejects fields it does
 * not know: an OpenAI parameter is either translated, refused or dropped through
 * {@link ParameterPolicy}, or knowingly ignored. Ignored, because they do not change what the
 * model generates: {@code stream_options} (Anthropic always reports usage in its stream and the
 * translator honours {@code include_usage}), {@code store}, {@code metadata} (OpenAI's dashboard
 * tags), {@code prompt_cache_key}, {@code service_tier} {@code auto}/{@code default}, the
 * {@code detail} of images, and {@code strict} on tools and schemas (Claude follows schemas
 * closely but without constrained decoding; the client still receives valid JSON). Defaults
 * ({@code n: 1}, {@code logprobs: false}, zero penalties, {@code response_format: text}) are
 * accepted since they ask for nothing Anthropic lacks.
 *
 * <p>Messages: system and developer messages become the top-level {@code system}, in order, even
 * when they appear mid-conversation, since Anthropic has no system turns; tool results become
 * {@code tool_result} blocks of a user turn, ahead of any user text as Anthropic requires; turns of
 * the same role are merged because Anthropic expects user and assistant to alternate; blank text is
 * left out because Anthropic rejects empty text blocks, and a turn left without content goes with
 * it. The {@code name} of a message has no Anthropic equivalent and can matter (it tells
 * participants apart), so it goes through the parameter policy.
 *
 * <p>{@code reasoning_effort} becomes extended thinking for models declared to reason, as their
 * reasoning table says ({@link #thinking}); thinking handed back in an assistant message
 * ({@link Thinking}) goes back as the model's own signed blocks.
 *
 * <p>JSON mode ({@code response_format} {@code json_object} or {@code json_schema}) is emulated
 * with the technique Anthropic documents: a single tool, {@value #JSON_TOOL}, whose input schema
 * is the requested schema, forced with {@code tool_choice}; the response side turns that tool's
 * input back into the message content. A forced tool cannot coexist with the client's own tools,
 * so {@code response_format} together with {@code tools} goes through the parameter policy.
 *
 * <p>A value of the wrong type or shape is the client's 400 naming it, never replaced by a default
 * ({@link RequestChecks}): a tool whose {@code parameters} is not a schema object, {@code tools}
 * that are not an array of objects, a function without a name, {@code tool_choice}
 * {@code required} or a named function that {@code tools} does not offer, a {@code stop} that is
 * not a string or strings, a {@code response_format} without a string type, message content that
 * is neither a string nor an array of parts, text parts whose text is not a string, and tool call
 * arguments that are not a JSON object. Only what Anthropic lacks goes through the parameter
 * policy. {@code temperature} above Anthropic's range of 0 to 1 is one of those: it is never
 * clamped or rescaled (1.5 on OpenAI's scale means nothing fixed on Anthropic's), but refused
 * with a 400 stating Anthropic's range, or left out where the provider drops unsupported
 * parameters.
 */
final class AnthropicRequests {

	/** The forced tool that carries a JSON-mode answer. */
	static final String JSON_TOOL = "json_response";

	private static final Set<String> IGNORED_SERVICE_TIERS = Set.of("auto", "default");

	private AnthropicRequests() {
	}

	static ObjectNode chat(LlmExchange exchange, RouteTarget target) {
		JsonNode request = exchange.body();
		refuseUnsupported(exchange, target, request);
		ArrayNode tools = tools(request);
		RequestChecks.toolChoiceOffered(request,
				tools.values().stream().map(tool -> tool.get("name").stringValue()).toList());
		ObjectNode body = Json.object();
		body.put("model", target.model().upstreamModel());
		Conversation conversation = new Conversation();
		JsonNode messages = request.path("messages");
		for (int i = 0; i < messages.size(); i++) {
			message(exchange, target, messages.get(i), "messages[" + i + "]", conversation);
		}
		if (conversation.system.size() == 1 && !conversation.system.get(0).has("cache_control")) {
			body.set("system", conversation.system.get(0).get("text"));
		}
		else if (!conversation.system.isEmpty()) {
			body.set("system", conversation.system);
		}
		body.set("messages", conversation.finish());
		body.put("max_tokens", maxTokens(request, target));
		boolean thinking = thinking(exchange, target, request, body);
		samplingParameters(exchange, target, request, body, thinking);
		List<String> stop = RequestChecks.stopSequences(request);
		if (!stop.isEmpty()) {
			ArrayNode sequences = body.putArray("stop_sequences");
			stop.forEach(sequences::add);
		}
		if (exchange.stream()) {
			body.put("stream", true);
		}
		String user = string(request, "safety_identifier");
		if (user == null) {
			user = string(request, "user");
		}
		if (user != null) {
			body.putObject("metadata").put("user_id", user);
		}
		if (jsonMode(request)) {
			jsonTool(exchange, request.path("response_format"), body);
		}
		else if (!tools.isEmpty()) {
			body.set("tools", tools);
			putToolChoice(exchange, target, request, body);
		}
		return body;
	}

	/**
	 * Whether the request is answered through the forced {@value #JSON_TOOL}: JSON was asked for
	 * and no client tools stand in the way. The response side asks the same question of the same
	 * body, so both sides always agree.
	 */
	static boolean jsonMode(JsonNode request) {
		String format = request.path("response_format").path("type").asString("text");
		return ("json_object".equals(format) || "json_schema".equals(format)) && !hasTools(request);
	}

	private static boolean hasTools(JsonNode request) {
		JsonNode tools = request.get("tools");
		return tools != null && tools.isArray() && !tools.isEmpty();
	}

	private static void refuseUnsupported(LlmExchange exchange, RouteTarget target, JsonNode request) {
		if (request.path("n").asInt(1) > 1) {
			ParameterPolicy.unsupported(exchange, target, "n", "Anthropic returns a single choice");
		}
		if (request.path("logprobs").asBoolean(false)) {
			ParameterPolicy.unsupported(exchange, target, "logprobs", "Anthropic returns no log probabilities");
		}
		if (present(request, "top_logprobs") != null) {
			ParameterPolicy.unsupported(exchange, target, "top_logprobs", "Anthropic returns no log probabilities");
		}
		for (String penalty : List.of("presence_penalty", "frequency_penalty")) {
			JsonNode value = present(request, penalty);
			if (value != null && !(value.isNumber() && value.asDouble() == 0)) {
				ParameterPolicy.unsupported(exchange, target, penalty, "Anthropic has no repetition penalties");
			}
		}
		JsonNode logitBias = present(request, "logit_bias");
		if (logitBias != null && !(logitBias.isObject() && logitBias.isEmpty())) {
			ParameterPolicy.unsupported(exchange, target, "logit_bias", "Anthropic has no token biases");
		}
		if (present(request, "seed") != null) {
			ParameterPolicy.unsupported(exchange, target, "seed", "Anthropic has no deterministic sampling seed");
		}
		if (present(request, "audio") != null) {
			ParameterPolicy.unsupported(exchange, target, "audio", "Anthropic generates no audio");
		}
		JsonNode modalities = present(request, "modalities");
		if (modalities != null && (!modalities.isArray()
				|| modalities.values().stream().anyMatch(m -> !"text".equals(m.asString(""))))) {
			ParameterPolicy.unsupported(exchange, target, "modalities", "Anthropic generates text only");
		}
		if (present(request, "prediction") != null) {
			ParameterPolicy.unsupported(exchange, target, "prediction", "Anthropic has no predicted outputs");
		}
		if (present(request, "verbosity") != null) {
			ParameterPolicy.unsupported(exchange, target, "verbosity", "Anthropic has no verbosity setting");
		}
		if (present(request, "web_search_options") != null) {
			ParameterPolicy.unsupported(exchange, target, "web_search_options",
					"the gateway does not map it to Anthropic's web search tool");
		}
		String tier = string(request, "service_tier");
		if (tier != null && !IGNORED_SERVICE_TIERS.contains(tier)) {
			ParameterPolicy.unsupported(exchange, target, "service_tier",
					"Anthropic has no '" + tier + "' service tier");
		}
		for (String legacy : List.of("functions", "function_call")) {
			if (present(request, legacy) != null) {
				ParameterPolicy.unsupported(exchange, target, legacy,
						"only 'tools' and 'tool_choice' are translated for Anthropic");
			}
		}
		String format = RequestChecks.responseFormat(request);
		if (!Set.of("text", "json_object", "json_schema").contains(format)) {
			ParameterPolicy.unsupported(exchange, target, "response_format",
					"Anthropic has no '" + format + "' response format");
		}
		else if (!"text".equals(format) && hasTools(request)) {
			ParameterPolicy.unsupported(exchange, target, "response_format",
					"the gateway emulates JSON mode on Anthropic with a forced tool, which cannot be combined with "
							+ "'tools'");
		}
	}

	// ---- messages

	private static void message(LlmExchange exchange, RouteTarget target, JsonNode message, String param,
			Conversation conversation) {
		if (present(message, "name") != null) {
			ParameterPolicy.unsupported(exchange, target, param + ".name",
					"Anthropic messages carry no participant name");
		}
		String role = message.path("role").asString("");
		JsonNode content = message.path("content");
		RequestChecks.content(content, param + ".content");
		switch (role) {
			case "system", "developer" -> conversation.system.addAll(systemText(content, param + ".content"));
			case "user" -> conversation.add("user", List.of(), parts(content, param + ".content"));
			case "assistant" -> conversation.add("assistant", List.of(), assistant(message, param));
			case "tool" -> conversation.add("user", List.of(toolResult(message, param)), List.of());
			default -> throw LlmApiException.invalidRequest("Messages with role '" + role
					+ "' (deprecated function calling) cannot be sent to Anthropic; use tool_calls and role 'tool'.",
					param + ".role");
		}
	}

	private static List<ObjectNode> systemText(JsonNode content, String param) {
		List<ObjectNode> blocks = parts(content, param);
		if (blocks.stream().anyMatch(block -> !"text".equals(block.path("type").asString()))) {
			throw LlmApiException.invalidRequest("System and developer messages may only contain text.", param);
		}
		return blocks;
	}

	/**
	 * An assistant turn: its signed thinking first, as Anthropic requires of a turn that called
	 * tools while thinking was on, then its text and tool calls. Thinking comes back as
	 * {@link Thinking} keeps it, each block as the model wrote it: Anthropic checks the signature
	 * against the text, and an empty text with a signature (thinking not displayed) is replayed as
	 * it is. Thinking without a signature (another provider's {@code reasoning_content}) is not
	 * sent: Anthropic refuses unsigned thinking.
	 */
	private static List<ObjectNode> assistant(JsonNode message, String param) {
		List<ObjectNode> blocks = new ArrayList<>();
		JsonNode thinking = Thinking.blocks(message);
		for (int j = 0; thinking != null && j < thinking.size(); j++) {
			ObjectNode block = thinkingBlock(thinking.get(j));
			if (block != null) {
				blocks.add(block);
			}
		}
		blocks.addAll(parts(message.path("content"), param + ".content"));
		String refusal = string(message, "refusal");
		if (blocks.isEmpty() && refusal != null && !refusal.isBlank()) {
			blocks.add(text(refusal));
		}
		JsonNode calls = RequestChecks.toolCalls(message, param);
		for (int j = 0; calls != null && j < calls.size(); j++) {
			blocks.add(toolUse(calls.get(j), param + ".tool_calls[" + j + "]"));
		}
		return blocks;
	}

	private static @Nullable ObjectNode thinkingBlock(JsonNode block) {
		String type = block.path("type").asString("");
		if ("redacted_thinking".equals(type) && !block.path("data").asString("").isEmpty()) {
			return Json.object().put("type", type).put("data", block.path("data").asString());
		}
		if ("thinking".equals(type) && !block.path("signature").asString("").isEmpty()) {
			return Json.object()
				.put("type", type)
				.put("thinking", block.path("thinking").asString(""))
				.put("signature", block.path("signature").asString());
		}
		return null;
	}

	private static ObjectNode toolUse(JsonNode call, String param) {
		String type = call.path("type").asString("function");
		if (!"function".equals(type)) {
			throw LlmApiException.invalidRequest("Tool calls of type '" + type + "' cannot be sent to Anthropic.",
					param + ".type");
		}
		String id = required(call, "id", param);
		String name = required(call.path("function"), "name", param + ".function");
		ObjectNode block = Json.object().put("type", "tool_use").put("id", id).put("name", name);
		block.set("input", arguments(call.path("function").path("arguments"), param + ".function.arguments"));
		return block;
	}

	/**
	 * Tool arguments arrive as a JSON string; Anthropic wants the object itself. None at all is a
	 * call without arguments; a number or an array is no arguments object.
	 */
	private static JsonNode arguments(JsonNode arguments, String param) {
		if (arguments.isObject()) {
			return arguments;
		}
		if (arguments.isMissingNode() || arguments.isNull()
				|| (arguments.isString() && arguments.stringValue().isBlank())) {
			return Json.object();
		}
		String text = arguments.isString() ? arguments.stringValue() : "";
		try {
			JsonNode input = Json.MAPPER.readTree(text);
			if (input.isObject()) {
				return input;
			}
		}
		catch (JacksonException ignored) {
			// reported below
		}
		throw LlmApiException.invalidRequest("'" + param + "' must be a JSON object encoded as a string.", param);
	}

	private static ObjectNode toolResult(JsonNode message, String param) {
		ObjectNode block = Json.object()
			.put("type", "tool_result")
			.put("tool_use_id", required(message, "tool_call_id", param));
		JsonNode content = message.path("content");
		if (content.isString()) {
			if (!content.stringValue().isEmpty()) {
				block.set("content", content);
			}
		}
		else {
			List<ObjectNode> parts = parts(content, param + ".content");
			if (!parts.isEmpty()) {
				block.putArray("content").addAll(parts);
			}
		}
		return block;
	}

	/** Content as Anthropic blocks: a string is one text block, an array is mapped part by part. */
	private static List<ObjectNode> parts(JsonNode content, String param) {
		List<ObjectNode> blocks = new ArrayList<>();
		if (content.isString()) {
			if (!content.stringValue().isBlank()) {
				blocks.add(text(content.stringValue()));
			}
			return blocks;
		}
		for (int j = 0; j < content.size(); j++) {
			ObjectNode block = part(content.get(j), param + "[" + j + "]");
			if (block != null) {
				blocks.add(block);
			}
		}
		return blocks;
	}

	/**
	 * One content part; {@code null} for blank text. A {@code cache_control} on the part is kept:
	 * OpenAI has no such field, but clients that target Anthropic through OpenAI-style gateways send
	 * it to mark prompt-cache breakpoints, and without breakpoints Anthropic caches nothing.
	 */
	private static @Nullable ObjectNode part(JsonNode part, String param) {
		String type = part.path("type").asString("");
		ObjectNode block = switch (type) {
			case "text", "refusal" -> {
				String value = RequestChecks.partText(part, type, param);
				yield value.isBlank() ? null : text(value);
			}
			case "image_url" -> image(part.path("image_url"), param + ".image_url");
			case "file" -> document(part.path("file"), param + ".file");
			default -> throw LlmApiException.invalidRequest(
					"Content parts of type '" + type + "' cannot be sent to Anthropic.", param + ".type");
		};
		JsonNode cacheControl = part.get("cache_control");
		if (block != null && cacheControl != null && cacheControl.isObject()) {
			block.set("cache_control", cacheControl);
		}
		return block;
	}

	/** Anthropic fetches http(s) images itself, so URLs pass as URLs and only data URLs are unpacked. */
	private static ObjectNode image(JsonNode imageUrl, String param) {
		String url = imageUrl.isString() ? imageUrl.stringValue() : imageUrl.path("url").asString("");
		ObjectNode block = Json.object().put("type", "image");
		if (DataUrl.is(url)) {
			block.set("source", base64(url, param + ".url"));
		}
		else if (url.startsWith("https://") || url.startsWith("http://")) {
			block.putObject("source").put("type", "url").put("url", url);
		}
		else {
			throw LlmApiException.invalidRequest("'" + param + ".url' must be an http(s) URL or a base64 data URL.",
					param + ".url");
		}
		return block;
	}

	/** A PDF sent inline; OpenAI file ids mean nothing to Anthropic. */
	private static ObjectNode document(JsonNode file, String param) {
		String data = file.path("file_data").asString("");
		if (!DataUrl.is(data)) {
			throw LlmApiException.invalidRequest(
					"Files must be sent to Anthropic models inline as a base64 data URL in 'file_data'.", param);
		}
		ObjectNode block = Json.object().put("type", "document");
		block.set("source", base64(data, param + ".file_data"));
		String filename = string(file, "filename");
		if (filename != null) {
			block.put("title", filename);
		}
		return block;
	}

	/**
	 * A data URL as an Anthropic base64 source. {@link DataUrl} refuses a URL without a media type
	 * up front: Anthropic would refuse the block too, but only after an upstream attempt.
	 */
	private static ObjectNode base64(String url, String param) {
		DataUrl data = DataUrl.parse(url, param);
		return Json.object().put("type", "base64").put("media_type", data.mediaType()).put("data", data.base64());
	}

	private static ObjectNode text(String text) {
		return Json.object().put("type", "text").put("text", text);
	}

	// ---- generation parameters

	/**
	 * {@code temperature} (0 to 1 on Anthropic) and {@code top_p}. Recent Claude models refuse a
	 * request that sets both (400, "temperature and top_p cannot both be specified"), and the
	 * gateway cannot tell which models do, so it never sends both: {@code temperature}, the one
	 * clients usually mean, wins, and {@code top_p} goes through the parameter policy, except
	 * {@code top_p: 1}, which samples from the whole distribution like leaving it out and is
	 * dropped silently. When {@code temperature} itself is dropped, {@code top_p} is sent alone.
	 */
	private static void samplingParameters(LlmExchange exchange, RouteTarget target, JsonNode request,
			ObjectNode body, boolean thinking) {
		JsonNode temperature = present(request, "temperature");
		if (temperature != null) {
			if (thinking && temperature.asDouble() != 1) {
				ParameterPolicy.unsupported(exchange, target, "temperature",
						"with extended thinking Anthropic takes only a temperature of 1");
			}
			else if (temperature.asDouble() > 1) {
				ParameterPolicy.unsupported(exchange, target, "temperature",
						"Anthropic accepts a temperature from 0 to 1, got " + temperature.asString());
			}
			else {
				body.set("temperature", temperature);
			}
		}
		JsonNode topP = present(request, "top_p");
		if (topP == null) {
			return;
		}
		if (thinking && topP.asDouble() < 0.95) {
			ParameterPolicy.unsupported(exchange, target, "top_p",
					"with extended thinking Anthropic takes a top_p from 0.95 to 1");
		}
		else if (!body.has("temperature")) {
			body.set("top_p", topP);
		}
		else if (topP.asDouble() != 1) {
			ParameterPolicy.unsupported(exchange, target, "top_p",
					"recent Claude models refuse temperature and top_p together; temperature is sent");
		}
	}

	/**
	 * Extended thinking for {@code reasoning_effort}, as the model's {@link ReasoningTable} says:
	 * a budget as {@code thinking: {type: enabled, budget_tokens}}, a level as adaptive thinking
	 * with {@code output_config.effort}, {@code dynamic} as adaptive thinking alone, off as
	 * nothing (Anthropic's default).
	 *
	 * <p>Anthropic counts thinking inside {@code max_tokens} and wants the budget below it. The
	 * client's own {@code max_completion_tokens} is a ceiling the gateway keeps (OpenAI counts
	 * reasoning inside it too, and the quota reserved by it), so the budget is lowered to fit under
	 * it, and where not even Anthropic's minimum of 1,024 fits the effort goes through the parameter
	 * policy. Without a client ceiling, {@code max_tokens} is raised to the budget plus the
	 * provider's {@code default-max-tokens}, so the answer keeps the room it has without thinking.
	 *
	 * <p>Anthropic refuses thinking with a forced tool, and JSON mode is one here: what forces the
	 * answer's shape wins, and the effort goes through the policy. Returns whether thinking is on,
	 * which restricts the sampling parameters.
	 */
	private static boolean thinking(LlmExchange exchange, RouteTarget target, JsonNode request, ObjectNode body) {
		Setting setting = ReasoningEffort.setting(exchange, target);
		if (setting == null || setting.off()) {
			return false;
		}
		if (jsonMode(request) || forcesTool(request)) {
			ParameterPolicy.unsupported(exchange, target, "reasoning_effort", "Anthropic's extended thinking cannot "
					+ "be combined with " + (jsonMode(request) ? "JSON mode, which the gateway sends as a forced tool"
							: "a tool_choice that forces a tool call"));
			return false;
		}
		String effort = request.path("reasoning_effort").asString();
		if (setting.level() != null || setting.budget() == Setting.DYNAMIC) {
			body.putObject("thinking").put("type", "adaptive");
			if (setting.level() != null) {
				body.putObject("output_config").put("effort", setting.level());
			}
			exchange.decide("translate", "reasoning_effort " + effort + " sent to Anthropic as adaptive thinking"
					+ ((setting.level() != null) ? " with effort " + setting.level() : ""));
			return true;
		}
		long max = body.path("max_tokens").asLong();
		long budget = setting.budget();
		String adjusted = "";
		if (budget >= max) {
			if (clientMaxTokens(request) != null) {
				if (max - 1 < ReasoningTable.ANTHROPIC_MIN_BUDGET) {
					ParameterPolicy.unsupported(exchange, target, "reasoning_effort", "max_completion_tokens " + max
							+ " leaves no room for Anthropic's minimum thinking budget of "
							+ ReasoningTable.ANTHROPIC_MIN_BUDGET + " tokens; allow more than "
							+ ReasoningTable.ANTHROPIC_MIN_BUDGET);
					return false;
				}
				budget = max - 1;
				adjusted = " (lowered from " + setting.budget() + " to stay below max_completion_tokens " + max + ")";
			}
			else {
				max = budget + target.provider().defaultMaxTokens();
				body.put("max_tokens", max);
				adjusted = " (max_tokens raised to " + max + " to leave the answer its room)";
			}
		}
		body.putObject("thinking").put("type", "enabled").put("budget_tokens", budget);
		exchange.decide("translate", "reasoning_effort " + effort + " sent to Anthropic as a thinking budget of "
				+ budget + " tokens" + adjusted);
		return true;
	}

	/** Whether {@code tool_choice} makes the model call a tool: {@code required} or a named function. */
	private static boolean forcesTool(JsonNode request) {
		JsonNode choice = present(request, "tool_choice");
		return choice != null && (choice.isObject() || "required".equals(choice.asString("")));
	}

	private static @Nullable JsonNode clientMaxTokens(JsonNode request) {
		JsonNode max = present(request, "max_completion_tokens");
		return (max != null) ? max : present(request, "max_tokens");
	}

	private static long maxTokens(JsonNode request, RouteTarget target) {
		JsonNode max = clientMaxTokens(request);
		return (max != null) ? max.asLong() : target.provider().defaultMaxTokens();
	}

	// ---- tools

	/**
	 * The client's tools in Anthropic's shape, empty when there are none. Built in JSON mode too,
	 * where they are not sent, so that malformed tools are refused either way.
	 */
	private static ArrayNode tools(JsonNode request) {
		ArrayNode tools = Json.NODES.arrayNode();
		JsonNode definitions = RequestChecks.tools(request);
		for (int i = 0; definitions != null && i < definitions.size(); i++) {
			tools.add(tool(definitions.get(i), "tools[" + i + "]"));
		}
		return tools;
	}

	private static void putToolChoice(LlmExchange exchange, RouteTarget target, JsonNode request, ObjectNode body) {
		ObjectNode choice = toolChoice(exchange, target, request);
		if (!request.path("parallel_tool_calls").asBoolean(true)
				&& (choice == null || !"none".equals(choice.path("type").asString()))) {
			if (choice == null) {
				choice = Json.object().put("type", "auto");
			}
			choice.put("disable_parallel_tool_use", true);
		}
		if (choice != null) {
			body.set("tool_choice", choice);
		}
	}

	private static ObjectNode tool(JsonNode definition, String param) {
		String type = definition.path("type").asString("");
		if (!"function".equals(type)) {
			throw LlmApiException.invalidRequest("Tools of type '" + type + "' cannot be sent to Anthropic.",
					param + ".type");
		}
		JsonNode function = definition.path("function");
		if (!function.isObject()) {
			throw RequestChecks.invalid(param + ".function", "must be an object.");
		}
		ObjectNode tool = Json.object().put("name", RequestChecks.functionName(function, param + ".function"));
		String description = string(function, "description");
		if (description != null) {
			tool.put("description", description);
		}
		ObjectNode noArguments = Json.object().put("type", "object");
		noArguments.putObject("properties");
		tool.set("input_schema", inputSchema(RequestChecks.parameters(function, param + ".function"), noArguments));
		return tool;
	}

	private static @Nullable ObjectNode toolChoice(LlmExchange exchange, RouteTarget target, JsonNode request) {
		JsonNode choice = present(request, "tool_choice");
		if (choice == null) {
			return null;
		}
		if (choice.isString()) {
			String type = switch (choice.stringValue()) {
				case "auto" -> "auto";
				case "required" -> "any";
				case "none" -> "none";
				default -> null;
			};
			if (type != null) {
				return Json.object().put("type", type);
			}
		}
		else if ("function".equals(choice.path("type").asString()) && string(choice.path("function"), "name") != null) {
			return Json.object().put("type", "tool").put("name", choice.path("function").path("name").stringValue());
		}
		ParameterPolicy.unsupported(exchange, target, "tool_choice",
				"Anthropic can only choose auto, required, none or one named function");
		return null;
	}

	private static void jsonTool(LlmExchange exchange, JsonNode format, ObjectNode body) {
		JsonNode jsonSchema = format.path("json_schema");
		JsonNode schema = jsonSchema.get("schema");
		StringBuilder description = new StringBuilder("Answer by calling this tool: its input is the response.");
		String name = string(jsonSchema, "name");
		if (name != null) {
			description.append(" Response format: ").append(name).append('.');
		}
		String about = string(jsonSchema, "description");
		if (about != null) {
			description.append(' ').append(about);
		}
		ObjectNode tool = body.putArray("tools").addObject().put("name", JSON_TOOL);
		tool.put("description", description.toString());
		tool.set("input_schema", inputSchema(schema, Json.object().put("type", "object")));
		body.putObject("tool_choice").put("type", "tool").put("name", JSON_TOOL);
		exchange.decide("translate", "response_format " + format.path("type").asString()
				+ " sent to Anthropic as the forced tool '" + JSON_TOOL + "'");
	}

	/**
	 * A tool's {@code input_schema}. Anthropic requires {@code "type": "object"} at its top, which
	 * OpenAI does not: clients routinely declare argument-less functions without
	 * {@code parameters}, or with {@code {"properties": {...}}} alone, and OpenAI takes both. Such a
	 * schema is sent as a copy with the type added; the client's own node is never changed, since
	 * the same parsed body is translated again for each target a failover tries (and by other
	 * adapters). A missing schema becomes an object without properties, or, for the JSON-mode tool
	 * of {@code json_object}, an object of any shape. A schema that is not an object was refused by
	 * {@link RequestChecks} before this.
	 */
	private static JsonNode inputSchema(@Nullable JsonNode schema, ObjectNode missing) {
		if (schema == null) {
			return missing;
		}
		JsonNode type = schema.get("type");
		if (type != null && !type.isNull()) {
			return schema;
		}
		ObjectNode typed = Json.object().put("type", "object");
		for (Map.Entry<String, JsonNode> field : schema.properties()) {
			if (!"type".equals(field.getKey())) {
				typed.set(field.getKey(), field.getValue().deepCopy());
			}
		}
		return typed;
	}

	// ---- JSON helpers

	/** The field unless absent or JSON null, which OpenAI treats alike. */
	static @Nullable JsonNode present(JsonNode node, String field) {
		JsonNode value = node.get(field);
		return (value == null || value.isNull()) ? null : value;
	}

	static @Nullable String string(JsonNode node, String field) {
		JsonNode value = node.get(field);
		return (value != null && value.isString()) ? value.stringValue() : null;
	}

	private static String required(JsonNode node, String field, String param) {
		String value = string(node, field);
		if (value == null || value.isEmpty()) {
			throw LlmApiException.invalidRequest("Missing required parameter: '" + param + "." + field + "'.",
					param + "." + field);
		}
		return value;
	}

	/**
	 * The Anthropic turns under construction: consecutive turns of one role collect into one, tool
	 * results ahead of other content.
	 */
	private static final class Conversation {

		private final ArrayNode system = Json.NODES.arrayNode();

		private final ArrayNode messages = Json.NODES.arrayNode();

		private @Nullable String role;

		private final List<ObjectNode> toolResults = new ArrayList<>();

		private final List<ObjectNode> blocks = new ArrayList<>();

		/** Adds a turn; one without content is left out before it can break the alternation. */
		void add(String role, List<ObjectNode> toolResults, List<ObjectNode> blocks) {
			if (toolResults.isEmpty() && blocks.isEmpty()) {
				return;
			}
			if (!role.equals(this.role)) {
				flush();
				this.role = role;
			}
			this.toolResults.addAll(toolResults);
			this.blocks.addAll(blocks);
		}

		ArrayNode finish() {
			flush();
			return this.messages;
		}

		private void flush() {
			if (this.role != null) {
				ArrayNode content = this.messages.addObject().put("role", this.role).putArray("content");
				content.addAll(this.toolResults);
				content.addAll(this.blocks);
			}
			this.toolResults.clear();
			this.blocks.clear();
		}

	}

}
