package dev.switchboard.endpoint.responses;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.HttpHeaders;

import dev.switchboard.core.Json;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.NativeRequest;
import dev.switchboard.endpoint.door.InboundDoor.Inbound;
import dev.switchboard.translate.spi.DataUrl;
import dev.switchboard.translate.spi.RequestChecks;

/**
 * Reads an OpenAI Responses API request ({@code POST /v1/responses}): validates it in OpenAI's
 * words, so a malformed one is refused at the door before any provider sees it, and builds the
 * canonical chat completions body every capability reads, keeping the request itself
 * ({@link NativeRequest}) for what only the Responses API expresses.
 *
 * <p>Translated: {@code instructions} (a system message first), {@code input} as a string (one user
 * message) or items: messages of any role with {@code input_text}, {@code input_image} (URL or data
 * URL) and {@code input_file} (inline data) parts, the assistant's earlier {@code output_text} and
 * {@code refusal}, {@code function_call} items (tool calls of the assistant turn they follow) and
 * {@code function_call_output} items (tool messages); function tools and {@code tool_choice};
 * {@code text.format} (JSON object or JSON schema); {@code max_output_tokens};
 * {@code reasoning.effort}; {@code parallel_tool_calls}, {@code temperature}, {@code top_p},
 * {@code user}; on streams usage is always asked for, since {@code response.completed} reports it.
 *
 * <p>{@code previous_response_id} is read by the door, which continues the stored conversation
 * ({@link #continuing}); refused: {@code conversation} (OpenAI's Conversations API),
 * {@code item_reference} items, {@code background: true} and files by id.
 * Everything else at the top level ({@code reasoning.summary}, built-in tools such as
 * {@code web_search}, {@code include}, {@code truncation}, {@code text.verbosity}, ...) is
 * <em>unexpressed</em>: left out for the provider, named in the dropped-parameters header, and part
 * of the cache key. Earlier {@code reasoning} items in the input are skipped: their encrypted
 * content is only meaningful to OpenAI's own Responses API.
 */
final class ResponsesRequests {

	/** Top-level fields the canonical body expresses, or that change nothing in the answer. */
	private static final Set<String> READ = Set.of("model", "input", "instructions", "tools", "tool_choice", "text",
			"max_output_tokens", "reasoning", "parallel_tool_calls", "temperature", "top_p", "user", "stream",
			"store", "metadata", "service_tier", "prompt_cache_key", "safety_identifier", "stream_options",
			"previous_response_id");

	private static final Set<String> ROLES = Set.of("user", "assistant", "system", "developer");

	private static final String ITEM_TYPES = "'message', 'function_call', 'function_call_output', 'reasoning', "
			+ "or an item of a built-in tool";

	/**
	 * Items of OpenAI's built-in tools and of its other tool kinds, which a conversation with
	 * OpenAI's own Responses API holds: taken as they are to a provider asked natively, left out of
	 * the canonical body (named, and keying the cache apart) for every other.
	 */
	private static final Set<String> BUILT_IN_ITEMS = Set.of("web_search_call", "file_search_call", "computer_call",
			"computer_call_output", "code_interpreter_call", "image_generation_call", "local_shell_call",
			"local_shell_call_output", "shell_call", "shell_call_output", "apply_patch_call", "apply_patch_call_output",
			"mcp_call", "mcp_list_tools", "mcp_approval_request", "mcp_approval_response", "custom_tool_call",
			"custom_tool_call_output", "tool_search_call", "tool_search_output", "compaction");

	private ResponsesRequests() {
	}

	static Inbound read(ObjectNode body, HttpHeaders headers) {
		String model = requiredString(body, "model");
		refuseState(body);
		ObjectNode canonical = Json.object();
		canonical.put("model", model);
		ArrayNode messages = canonical.putArray("messages");
		JsonNode instructions = body.get("instructions");
		if (instructions != null && !instructions.isNull()) {
			if (!instructions.isString()) {
				throw invalidType("instructions", "a string", instructions);
			}
			if (!instructions.stringValue().isEmpty()) {
				messages.addObject().put("role", "system").put("content", instructions.stringValue());
			}
		}
		input(body.get("input"), messages);
		attachAfterTools(messages);
		ObjectNode unexpressed = Json.object();
		untranslated(body.get("input"), unexpressed);
		generation(body, canonical, unexpressed);
		tools(body, canonical, unexpressed);
		for (Map.Entry<String, JsonNode> field : body.properties()) {
			if (!READ.contains(field.getKey()) && !field.getValue().isNull()) {
				unexpressed.set(field.getKey(), field.getValue());
			}
		}
		return new Inbound(model, canonical,
				new NativeRequest(NativeRequest.OPENAI_RESPONSES, body, new HttpHeaders(), unexpressed));
	}

	/** The response a request continues, or {@code null}; anything but a string is refused. */
	static @Nullable String previousResponseId(ObjectNode body) {
		JsonNode previous = body.get("previous_response_id");
		if (previous == null || previous.isNull()) {
			return null;
		}
		if (!previous.isString() || previous.stringValue().isEmpty()) {
			throw invalidType("previous_response_id", "a response id", previous);
		}
		return previous.stringValue();
	}

	/**
	 * A request that continues a stored conversation: the canonical turns of the conversation so far
	 * go after the request's instructions and before its own input (instructions are the request's
	 * own: OpenAI does not carry them over), and the kept request's {@code input} becomes the
	 * whole conversation, which a stored answer keeps and a native provider is sent.
	 *
	 * @param history the conversation so far, as read from the store for this request: it becomes
	 * the start of the kept request's {@code input}, not copied
	 */
	static Inbound continuing(Inbound inbound, ArrayNode history) {
		ArrayNode before = Json.NODES.arrayNode();
		for (int i = 0; i < history.size(); i++) {
			item(history.get(i), "previous_response_id", before);
		}
		ArrayNode messages = (ArrayNode) inbound.canonical().get("messages");
		ArrayNode joined = Json.NODES.arrayNode();
		int own = 0;
		if (!messages.isEmpty() && "system".equals(messages.get(0).path("role").asString())
				&& inbound.nativeRequest().body().path("instructions").isString()) {
			joined.add(messages.get(0));
			own = 1;
		}
		joined.addAll(before);
		for (int i = own; i < messages.size(); i++) {
			joined.add(messages.get(i));
		}
		attachAfterTools(joined);
		inbound.canonical().set("messages", joined);
		NativeRequest client = inbound.nativeRequest();
		ObjectNode body = client.body().deepCopy();
		ArrayNode input = history;
		input.addAll(items(client.body().get("input")));
		body.set("input", input);
		ObjectNode unexpressed = client.unexpressed().deepCopy();
		untranslated(input, unexpressed);
		return new Inbound(inbound.model(), inbound.canonical(),
				new NativeRequest(client.protocol(), body, client.headers(), unexpressed));
	}

	/**
	 * Names the built-in tools' items of an input as {@code untranslated_items}, with where they
	 * are: a provider asked through chat completions gets none of them, so they are named when one
	 * answers, and two conversations that differ only there are different questions to the cache.
	 */
	private static void untranslated(@Nullable JsonNode input, ObjectNode unexpressed) {
		ArrayNode untranslated = Json.NODES.arrayNode();
		for (int i = 0; input != null && input.isArray() && i < input.size(); i++) {
			if (BUILT_IN_ITEMS.contains(input.get(i).path("type").asString(""))) {
				untranslated.addObject().put("at", "input[" + i + "]").set("item", input.get(i));
			}
		}
		if (!untranslated.isEmpty()) {
			unexpressed.set("untranslated_items", untranslated);
		}
		else {
			unexpressed.remove("untranslated_items");
		}
	}

	/** A request's {@code input} as items: a string is one user message. */
	static ArrayNode items(JsonNode input) {
		if (input.isArray()) {
			return (ArrayNode) input.deepCopy();
		}
		ArrayNode items = Json.NODES.arrayNode();
		ObjectNode message = items.addObject().put("type", "message").put("role", "user");
		message.putArray("content").addObject().put("type", "input_text").put("text", input.asString(""));
		return items;
	}

	private static void refuseState(ObjectNode body) {
		previousResponseId(body);
		JsonNode store = body.get("store");
		if (store != null && !store.isNull() && !store.isBoolean()) {
			throw invalidType("store", "a boolean", store);
		}
		JsonNode conversation = body.get("conversation");
		if (conversation != null && !conversation.isNull()) {
			throw LlmApiException.invalidRequest("'conversation' (OpenAI's Conversations API) is not supported by "
					+ "this gateway: continue a stored response with 'previous_response_id', or send the whole "
					+ "conversation in 'input'.", "conversation");
		}
		if (body.path("background").asBoolean(false)) {
			throw LlmApiException.invalidRequest("Background responses are not supported by this gateway.",
					"background");
		}
	}

	// ---- input

	private static void input(@Nullable JsonNode input, ArrayNode messages) {
		if (input == null || input.isNull()) {
			throw new LlmApiException(400, LlmApiException.INVALID_REQUEST, "missing_required_parameter", "input",
					"Missing required parameter: 'input'.", null, null);
		}
		if (input.isString()) {
			messages.addObject().put("role", "user").put("content", input.stringValue());
			return;
		}
		if (!input.isArray()) {
			throw invalidType("input", "a string or an array of input items", input);
		}
		for (int i = 0; i < input.size(); i++) {
			item(input.get(i), "input[" + i + "]", messages);
		}
	}

	private static void item(JsonNode item, String where, ArrayNode messages) {
		if (!item.isObject()) {
			throw invalidType(where, "an object", item);
		}
		String type = item.path("type").asString(item.has("role") ? "message" : "");
		switch (type) {
			case "message" -> message(item, where, messages);
			case "function_call" -> {
				ObjectNode call = Json.object()
					.put("id", requiredString(item, "call_id", where))
					.put("type", "function");
				call.putObject("function")
					.put("name", requiredString(item, "name", where))
					.put("arguments", item.path("arguments").asString(""));
				assistantTurn(messages).withArray("tool_calls").add(call);
			}
			case "function_call_output" -> {
				ObjectNode result = messages.addObject()
					.put("role", "tool")
					.put("tool_call_id", requiredString(item, "call_id", where));
				JsonNode output = item.get("output");
				result.put("content", (output == null || output.isNull()) ? ""
						: output.isString() ? output.stringValue() : toolOutput(output, where + ".output", result));
			}
			case "reasoning" -> {
				// Only OpenAI's own Responses API can read an earlier turn's encrypted reasoning.
			}
			case "item_reference" -> throw LlmApiException.invalidRequest(
					"Item references are not supported by this gateway: send the item itself, or continue a "
							+ "stored response with 'previous_response_id'.", where);
			default -> {
				// A built-in tool's item is named in untranslated_items: only OpenAI's own Responses API takes it.
				if (!BUILT_IN_ITEMS.contains(type)) {
					throw new LlmApiException(400, LlmApiException.INVALID_REQUEST, "invalid_value", where + ".type",
							"Invalid value: '" + type + "'. Supported values are: " + ITEM_TYPES + ".", null, null);
				}
			}
		}
	}

	private static void message(JsonNode item, String where, ArrayNode messages) {
		String role = item.path("role").asString("");
		if (!ROLES.contains(role)) {
			throw new LlmApiException(400, LlmApiException.INVALID_REQUEST, "invalid_value", where + ".role",
					"Invalid value: '" + role + "'. Supported values are: 'user', 'assistant', 'system', and 'developer'.",
					null, null);
		}
		JsonNode content = item.get("content");
		if (content == null || content.isNull()) {
			throw new LlmApiException(400, LlmApiException.INVALID_REQUEST, "missing_required_parameter",
					where + ".content", "Missing required parameter: '" + where + ".content'.", null, null);
		}
		if ("assistant".equals(role)) {
			String text = content.isString() ? content.stringValue() : text(content, where + ".content");
			ObjectNode turn = assistantTurn(messages);
			if (!text.isEmpty()) {
				String before = turn.path("content").asString("");
				turn.put("content", before + text);
			}
			return;
		}
		ObjectNode message = messages.addObject().put("role", "developer".equals(role) ? "system" : role);
		if (content.isString()) {
			message.put("content", content.stringValue());
			return;
		}
		if (!content.isArray()) {
			throw invalidType(where + ".content", "a string or an array of content parts", content);
		}
		ArrayNode parts = message.putArray("content");
		for (int i = 0; i < content.size(); i++) {
			parts.add(part(content.get(i), where + ".content[" + i + "]"));
		}
	}

	private static ObjectNode part(JsonNode part, String where) {
		String type = part.path("type").asString("");
		switch (type) {
			case "input_text", "output_text" -> {
				return Json.object().put("type", "text").put("text", requiredString(part, "text", where));
			}
			case "input_image" -> {
				String url = part.path("image_url").asString("");
				if (url.isEmpty()) {
					throw LlmApiException.invalidRequest(
							"Images by file id are not supported by this gateway: send 'image_url' (a URL or a data URL).",
							where + ".image_url");
				}
				if (DataUrl.is(url)) {
					DataUrl.parse(url, where + ".image_url");
				}
				else if (!url.regionMatches(true, 0, "https://", 0, 8) && !url.regionMatches(true, 0, "http://", 0, 7)) {
					throw LlmApiException.invalidRequest("Invalid 'image_url': expected an http(s) URL or a base64 "
							+ "data URL.", where + ".image_url");
				}
				ObjectNode image = Json.object().put("type", "image_url");
				ObjectNode imageUrl = image.putObject("image_url").put("url", url);
				if (part.path("detail").isString()) {
					imageUrl.put("detail", part.path("detail").stringValue());
				}
				return image;
			}
			case "input_file" -> {
				String data = part.path("file_data").asString("");
				if (data.isEmpty()) {
					throw LlmApiException.invalidRequest(
							"Files by id or URL are not supported by this gateway: send 'file_data' (a data URL).",
							where + ".file_data");
				}
				DataUrl.parse(data, where + ".file_data");
				ObjectNode file = Json.object().put("type", "file");
				ObjectNode inner = file.putObject("file").put("file_data", data);
				if (part.path("filename").isString()) {
					inner.put("filename", part.path("filename").stringValue());
				}
				return file;
			}
			default -> throw new LlmApiException(400, LlmApiException.INVALID_REQUEST, "invalid_value", where + ".type",
					"Invalid value: '" + type + "'. Supported values are: 'input_text', 'input_image', and 'input_file'.",
					null, null);
		}
	}

	/** Where a tool message keeps the images and files of its output until {@link #attachAfterTools} moves them. */
	private static final String ATTACHMENTS = "x-switchboard-attachments";

	/**
	 * A function's output given as parts: its text for the tool message; its images and files kept
	 * aside on it ({@value #ATTACHMENTS}), since chat completions take only text in a tool message.
	 */
	private static String toolOutput(JsonNode output, String where, ObjectNode toolMessage) {
		if (!output.isArray()) {
			throw invalidType(where, "a string or an array of content parts", output);
		}
		StringBuilder text = new StringBuilder();
		ArrayNode attachments = Json.NODES.arrayNode();
		for (int i = 0; i < output.size(); i++) {
			JsonNode part = output.get(i);
			String type = part.path("type").asString("");
			if ("input_image".equals(type) || "input_file".equals(type)) {
				attachments.add(part(part, where + "[" + i + "]"));
			}
			else {
				text.append(text(Json.NODES.arrayNode().add(part), where + "[" + i + "]"));
			}
		}
		if (!attachments.isEmpty()) {
			toolMessage.set(ATTACHMENTS, attachments);
		}
		return text.toString();
	}

	/**
	 * Moves the images and files of tool outputs into one user message after each run of tool
	 * messages, each behind a line naming its call: OpenAI wants the tool messages of one turn
	 * together, right after the calls, and takes images only from a user.
	 */
	private static void attachAfterTools(ArrayNode messages) {
		for (int i = 0; i < messages.size(); i++) {
			if (!"tool".equals(messages.get(i).path("role").asString())) {
				continue;
			}
			int end = i;
			ArrayNode parts = Json.NODES.arrayNode();
			while (end < messages.size() && "tool".equals(messages.get(end).path("role").asString())) {
				ObjectNode tool = (ObjectNode) messages.get(end);
				JsonNode attachments = tool.remove(ATTACHMENTS);
				if (attachments != null) {
					parts.addObject().put("type", "text")
						.put("text", "Attached to the output of function call " + tool.path("tool_call_id").asString() + ":");
					parts.addAll((ArrayNode) attachments);
				}
				end++;
			}
			if (!parts.isEmpty()) {
				messages.insert(end, Json.object().put("role", "user").set("content", parts));
				end++;
			}
			i = end - 1;
		}
	}

	/** The text of output parts (an assistant's earlier answer, a tool's output given as parts). */
	private static String text(JsonNode content, String where) {
		if (!content.isArray()) {
			throw invalidType(where, "a string or an array of content parts", content);
		}
		StringBuilder text = new StringBuilder();
		for (int i = 0; i < content.size(); i++) {
			JsonNode part = content.get(i);
			String type = part.path("type").asString("");
			switch (type) {
				case "output_text", "input_text" -> text.append(requiredString(part, "text", where + "[" + i + "]"));
				case "refusal" -> text.append(part.path("refusal").asString(""));
				default -> throw new LlmApiException(400, LlmApiException.INVALID_REQUEST, "invalid_value",
						where + "[" + i + "].type", "Invalid value: '" + type
								+ "'. Supported values are: 'output_text', 'input_text', and 'refusal'.",
						null, null);
			}
		}
		return text.toString();
	}

	/** The assistant turn that tool calls and text of one answer join: the last message, if the assistant's. */
	private static ObjectNode assistantTurn(ArrayNode messages) {
		JsonNode last = messages.isEmpty() ? null : messages.get(messages.size() - 1);
		if (last instanceof ObjectNode turn && "assistant".equals(turn.path("role").asString())) {
			return turn;
		}
		return messages.addObject().put("role", "assistant");
	}

	// ---- generation parameters

	private static void generation(ObjectNode body, ObjectNode canonical, ObjectNode unexpressed) {
		JsonNode max = body.get("max_output_tokens");
		if (max != null && !max.isNull()) {
			if (!max.isIntegralNumber()) {
				throw invalidType("max_output_tokens", "an integer", max);
			}
			// Compared at any size: 2^64 + 20 must not wrap to 20.
			boolean tooLarge = max.bigIntegerValue().compareTo(BigInteger.valueOf(Integer.MAX_VALUE)) > 0;
			if (tooLarge || !RequestChecks.isInteger(max, 16, Integer.MAX_VALUE)) {
				throw new LlmApiException(400, LlmApiException.INVALID_REQUEST,
						tooLarge ? "integer_above_max_value" : "integer_below_min_value", "max_output_tokens",
						"Invalid 'max_output_tokens': integer " + (tooLarge ? "above maximum" : "below minimum")
								+ " value. Expected a value " + (tooLarge ? "<= " + Integer.MAX_VALUE : ">= 16")
								+ ", but got " + max + " instead.",
						null, null);
			}
			canonical.set("max_completion_tokens", max);
		}
		JsonNode stream = body.get("stream");
		if (stream != null && !stream.isNull()) {
			if (!stream.isBoolean()) {
				throw invalidType("stream", "a boolean", stream);
			}
			if (stream.booleanValue()) {
				canonical.put("stream", true);
				canonical.putObject("stream_options").put("include_usage", true);
			}
		}
		number(body, "temperature", 2, canonical);
		number(body, "top_p", 1, canonical);
		JsonNode parallel = body.get("parallel_tool_calls");
		if (parallel != null && !parallel.isNull()) {
			if (!parallel.isBoolean()) {
				throw invalidType("parallel_tool_calls", "a boolean", parallel);
			}
			canonical.set("parallel_tool_calls", parallel);
		}
		JsonNode user = body.get("user");
		if (user != null && user.isString()) {
			canonical.put("user", user.stringValue());
		}
		JsonNode reasoning = body.get("reasoning");
		if (reasoning != null && !reasoning.isNull()) {
			if (!reasoning.isObject()) {
				throw invalidType("reasoning", "an object", reasoning);
			}
			JsonNode effort = reasoning.get("effort");
			if (effort != null && effort.isString()) {
				canonical.put("reasoning_effort", effort.stringValue());
			}
			if (reasoning.hasNonNull("summary")) {
				unexpressed.set("reasoning.summary", reasoning.get("summary"));
			}
		}
		JsonNode text = body.get("text");
		if (text != null && !text.isNull()) {
			if (!text.isObject()) {
				throw invalidType("text", "an object", text);
			}
			format(text.get("format"), canonical);
			if (text.hasNonNull("verbosity")) {
				unexpressed.set("text.verbosity", text.get("verbosity"));
			}
		}
	}

	private static void format(@Nullable JsonNode format, ObjectNode canonical) {
		if (format == null || format.isNull()) {
			return;
		}
		switch (format.path("type").asString("")) {
			case "text" -> {
			}
			case "json_object" -> canonical.putObject("response_format").put("type", "json_object");
			case "json_schema" -> {
				JsonNode schema = format.get("schema");
				if (schema == null || !schema.isObject()) {
					throw new LlmApiException(400, LlmApiException.INVALID_REQUEST, "missing_required_parameter",
							"text.format.schema", "Missing required parameter: 'text.format.schema'.", null, null);
				}
				ObjectNode jsonSchema = canonical.putObject("response_format")
					.put("type", "json_schema")
					.putObject("json_schema")
					.put("name", requiredString(format, "name", "text.format"));
				jsonSchema.set("schema", schema);
				if (format.path("strict").isBoolean()) {
					jsonSchema.set("strict", format.get("strict"));
				}
				if (format.path("description").isString()) {
					jsonSchema.set("description", format.get("description"));
				}
			}
			default -> throw new LlmApiException(400, LlmApiException.INVALID_REQUEST, "invalid_value",
					"text.format.type", "Invalid value: '" + format.path("type").asString("")
							+ "'. Supported values are: 'text', 'json_object', and 'json_schema'.",
					null, null);
		}
	}

	private static void number(JsonNode body, String field, double max, ObjectNode canonical) {
		JsonNode value = body.get(field);
		if (value == null || value.isNull()) {
			return;
		}
		if (!RequestChecks.isNumberIn(value, 0, max)) {
			throw new LlmApiException(400, LlmApiException.INVALID_REQUEST, "decimal_above_max_value", field,
					"Invalid '" + field + "': expected a number between 0 and " + (int) max + ", but got " + value
							+ " instead.",
					null, null);
		}
		canonical.set(field, value);
	}

	// ---- tools

	private static void tools(ObjectNode body, ObjectNode canonical, ObjectNode unexpressed) {
		JsonNode tools = body.get("tools");
		if (tools != null && !tools.isNull()) {
			if (!tools.isArray()) {
				throw invalidType("tools", "an array", tools);
			}
			ArrayNode functions = Json.NODES.arrayNode();
			ArrayNode builtIn = Json.NODES.arrayNode();
			for (int i = 0; i < tools.size(); i++) {
				JsonNode tool = tools.get(i);
				if (!"function".equals(tool.path("type").asString(""))) {
					builtIn.add(tool);
					continue;
				}
				ObjectNode function = functions.addObject().put("type", "function").putObject("function");
				function.put("name", requiredString(tool, "name", "tools[" + i + "]"));
				for (String field : new String[] { "description", "parameters", "strict" }) {
					if (tool.hasNonNull(field)) {
						function.set(field, tool.get(field));
					}
				}
			}
			if (!functions.isEmpty()) {
				canonical.set("tools", functions);
			}
			if (!builtIn.isEmpty()) {
				unexpressed.set("built_in_tools", builtIn);
			}
		}
		JsonNode choice = body.get("tool_choice");
		if (choice == null || choice.isNull()) {
			if (!canonical.has("tools")) {
				canonical.remove("parallel_tool_calls");
			}
			return;
		}
		if (choice.isString()) {
			String mode = choice.stringValue();
			if (!Set.of("auto", "none", "required").contains(mode)) {
				throw new LlmApiException(400, LlmApiException.INVALID_REQUEST, "invalid_value", "tool_choice",
						"Invalid value: '" + mode + "'. Supported values are: 'none', 'auto', and 'required'.", null,
						null);
			}
			canonical.put("tool_choice", mode);
		}
		else if ("function".equals(choice.path("type").asString(""))) {
			canonical.putObject("tool_choice")
				.put("type", "function")
				.putObject("function")
				.put("name", requiredString(choice, "name", "tool_choice"));
		}
		else {
			unexpressed.set("tool_choice", choice);
		}
		if (!canonical.has("tools")) {
			// Only built-in tools, or none: OpenAI refuses these settings without tools.
			canonical.remove(List.of("tool_choice", "parallel_tool_calls"));
		}
	}

	// ---- errors in OpenAI's words

	private static String requiredString(JsonNode node, String field) {
		return requiredString(node, field, null);
	}

	private static String requiredString(JsonNode node, String field, @Nullable String where) {
		String param = (where != null) ? where + "." + field : field;
		JsonNode value = node.get(field);
		if (value == null || value.isNull()) {
			throw new LlmApiException(400, LlmApiException.INVALID_REQUEST, "missing_required_parameter", param,
					"Missing required parameter: '" + param + "'.", null, null);
		}
		if (!value.isString() || value.stringValue().isEmpty()) {
			throw invalidType(param, "a non-empty string", value);
		}
		return value.stringValue();
	}

	private static LlmApiException invalidType(String param, String expected, JsonNode got) {
		return new LlmApiException(400, LlmApiException.INVALID_REQUEST, "invalid_type", param,
				"Invalid type for '" + param + "': expected " + expected + ", but got " + kind(got) + " instead.", null,
				null);
	}

	private static String kind(JsonNode node) {
		return node.isString() ? "a string" : node.isBoolean() ? "a boolean" : node.isNumber() ? "a number"
				: node.isArray() ? "an array" : node.isObject() ? "an object" : "null";
	}

}
