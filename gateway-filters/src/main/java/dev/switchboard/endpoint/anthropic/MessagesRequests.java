package dev.switchboard.endpoint.anthropic;

import java.util.HashSet;
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
import dev.switchboard.core.Operation;
import dev.switchboard.core.Thinking;
import dev.switchboard.endpoint.door.InboundDoor.Inbound;
import dev.switchboard.translate.spi.DataUrl;
import dev.switchboard.translate.spi.RequestChecks;

/**
 * Reads an Anthropic Messages request: validates it as Anthropic would, so a malformed one is
 * refused at the door in Anthropic's words before any provider sees it, and builds the canonical
 * (OpenAI chat completions) body every capability reads, keeping the request itself for Anthropic
 * providers ({@link NativeRequest}).
 *
 * <p>The canonical body is what a provider of another protocol is sent. Translated: {@code system}
 * (a string, or text blocks whose {@code cache_control} stays on the part), turns and their blocks
 * (text, images as data or http(s) URLs, PDF documents as files, plain-text documents as text,
 * {@code tool_use} as tool calls, {@code tool_result} as tool messages ahead of the turn's other
 * content, thinking with its signature as {@link Thinking} describes), {@code max_tokens},
 * {@code temperature}, {@code top_p}, {@code stop_sequences}, custom tools and
 * {@code tool_choice} ({@code disable_parallel_tool_use} as {@code parallel_tool_calls: false}),
 * {@code metadata.user_id} as {@code user}; on streams usage is always asked for, so the door can
 * report it in {@code message_delta}. Ignored, since they change nothing in the answer:
 * {@code stream} itself (it is the exchange's), {@code metadata}'s other fields,
 * {@code service_tier}, the top-level {@code cache_control}.
 *
 * <p>Everything else at the top level ({@code top_k}, server tools,
 * {@code context_management}, {@code output_config}, {@code mcp_servers}, betas' fields and any
 * field newer than the gateway) is <em>unexpressed</em>: it goes to Anthropic providers in the
 * native body, is left out for the others (and named in the dropped-parameters header when one of
 * them answers), and is part of the cache key, so two requests that differ only there are never
 * answered alike.
 *
 * <p>Thinking settings are also said as {@code reasoning_effort} for providers of other protocols
 * ({@link #reasoning}), which the gateway sends only to models declared {@code reasoning}; what
 * the effort cannot say (the exact budget) stays unexpressed.
 */
final class MessagesRequests {

	/** Top-level fields the canonical body expresses, or that do not change the answer. */
	private static final Set<String> READ = Set.of("model", "messages", "system", "max_tokens", "stream",
			"temperature", "top_p", "stop_sequences", "tools", "tool_choice", "metadata", "service_tier",
			"cache_control", "thinking", "output_config");

	/** Block types Anthropic documents for turns; an unknown one is refused as Anthropic would. */
	private static final Set<String> BLOCKS = Set.of("text", "image", "document", "tool_use", "tool_result",
			"thinking", "redacted_thinking", "search_result", "server_tool_use", "web_search_tool_result",
			"web_fetch_tool_result", "code_execution_tool_result", "bash_code_execution_tool_result",
			"text_editor_code_execution_tool_result", "mcp_tool_use", "mcp_tool_result", "container_upload",
			"tool_search_tool_result", "tool_reference");

	/** Request headers of the protocol that a native request carries on; credentials never. */
	static final Set<String> FORWARDED_HEADERS = Set.of("anthropic-version", "anthropic-beta");

	private MessagesRequests() {
	}

	static Inbound read(Operation operation, ObjectNode body, HttpHeaders headers) {
		String model = requiredString(body, "model");
		JsonNode messages = body.get("messages");
		if (messages == null || messages.isNull()) {
			throw invalid("messages: Field required");
		}
		if (!messages.isArray()) {
			throw invalid("messages: Input should be a valid list");
		}
		if (operation == Operation.CHAT) {
			JsonNode max = body.get("max_tokens");
			if (max == null || max.isNull()) {
				throw invalid("max_tokens: Field required");
			}
			// Compared at any size: 2^64 + 5 must not wrap to 5.
			if (!RequestChecks.isInt(max, 1)) {
				throw invalid("max_tokens: Input should be a valid integer greater than or equal to 1");
			}
		}
		ObjectNode canonical = Json.object();
		canonical.put("model", model);
		ArrayNode turns = canonical.putArray("messages");
		system(body.get("system"), turns);
		messages(messages, turns);
		if (operation == Operation.CHAT) {
			generation(body, canonical);
		}
		tools(body, canonical);
		ObjectNode unexpressed = Json.object();
		if (operation == Operation.CHAT) {
			reasoning(body, canonical, unexpressed);
		}
		for (Map.Entry<String, JsonNode> field : body.properties()) {
			if (!READ.contains(field.getKey())) {
				unexpressed.set(field.getKey(), field.getValue());
			}
		}
		ArrayNode serverTools = serverTools(body.get("tools"));
		if (!serverTools.isEmpty()) {
			unexpressed.set("server_tools", serverTools);
		}
		ArrayNode untranslated = untranslated(messages);
		if (!untranslated.isEmpty()) {
			unexpressed.set("untranslated_blocks", untranslated);
		}
		HttpHeaders forwarded = new HttpHeaders();
		for (String name : FORWARDED_HEADERS) {
			List<String> values = headers.get(name);
			if (values != null) {
				forwarded.addAll(name, values);
			}
		}
		return new Inbound(model, canonical,
				new NativeRequest(NativeRequest.ANTHROPIC_MESSAGES, body, forwarded, unexpressed));
	}

	// ---- generation parameters

	private static void generation(ObjectNode body, ObjectNode canonical) {
		canonical.set("max_completion_tokens", body.get("max_tokens"));
		JsonNode stream = body.get("stream");
		if (stream != null && !stream.isNull()) {
			if (!stream.isBoolean()) {
				throw invalid("stream: Input should be a valid boolean");
			}
			if (stream.booleanValue()) {
				canonical.put("stream", true);
				canonical.putObject("stream_options").put("include_usage", true);
			}
		}
		number(body, "temperature", 0, 1, canonical);
		number(body, "top_p", 0, 1, canonical);
		JsonNode stop = body.get("stop_sequences");
		if (stop != null && !stop.isNull()) {
			if (!stop.isArray() || stop.valueStream().anyMatch(value -> !value.isString())) {
				throw invalid("stop_sequences: Input should be a valid list of strings");
			}
			if (!stop.isEmpty()) {
				canonical.set("stop", stop);
			}
		}
		JsonNode metadata = body.get("metadata");
		if (metadata != null && !metadata.isNull()) {
			if (!metadata.isObject()) {
				throw invalid("metadata: Input should be a valid dictionary");
			}
			String user = string(metadata, "user_id");
			if (user != null) {
				canonical.put("user", user);
			}
		}
	}

	/**
	 * {@code thinking} and {@code output_config.effort} as {@code reasoning_effort}, the reverse of
	 * what the Anthropic adapter sends: an effort is taken as it is ({@code max} as
	 * {@code xhigh}); a budget as the effort whose default budget is nearest (below 4,096 tokens
	 * low, below 16,384 medium, else high, around the defaults of 1,024, 8,192 and 24,576), the
	 * budget itself kept unexpressed. Adaptive thinking and thinking turned off stay unexpressed
	 * (an effort says neither; without one the provider's default applies), as does the rest of
	 * {@code output_config} ({@code format}).
	 */
	private static void reasoning(ObjectNode body, ObjectNode canonical, ObjectNode unexpressed) {
		String effort = null;
		JsonNode config = body.get("output_config");
		if (config != null && !config.isNull()) {
			if (!config.isObject()) {
				throw invalid("output_config: Input should be a valid dictionary");
			}
			ObjectNode rest = ((ObjectNode) config).deepCopy();
			JsonNode level = rest.remove("effort");
			if (level != null && !level.isNull()) {
				effort = switch (level.asString("")) {
					case "low", "medium", "high" -> level.asString();
					case "max" -> "xhigh";
					default -> throw invalid("output_config.effort: Input should be 'low', 'medium', 'high' or 'max'");
				};
			}
			if (!rest.isEmpty()) {
				unexpressed.set("output_config", rest);
			}
		}
		JsonNode thinking = body.get("thinking");
		if (thinking != null && !thinking.isNull()) {
			if (!thinking.isObject()) {
				throw invalid("thinking: Input should be a valid dictionary");
			}
			String type = thinking.path("type").asString("");
			switch (type) {
				case "enabled" -> {
					JsonNode budget = thinking.get("budget_tokens");
					if (budget == null || budget.isNull()) {
						throw invalid("thinking.enabled.budget_tokens: Field required");
					}
					if (!RequestChecks.isInt(budget, 1024)) {
						throw invalid("thinking.enabled.budget_tokens: Input should be an integer greater than or "
								+ "equal to 1024");
					}
					long tokens = budget.asLong();
					if (effort == null) {
						effort = (tokens < 4096) ? "low" : (tokens < 16384) ? "medium" : "high";
					}
					unexpressed.set("thinking.budget_tokens", budget);
				}
				// Kept unexpressed even beside an effort: to an Anthropic provider adaptive thinking
				// with an effort is another request than the effort alone, and the cache must know.
				case "adaptive", "disabled" -> unexpressed.put("thinking", type);
				default -> throw invalid("thinking: Input tag '" + type + "' found using 'type' does not match any of "
						+ "the expected tags: 'enabled', 'disabled', 'adaptive'");
			}
			for (Map.Entry<String, JsonNode> field : thinking.properties()) {
				if (!field.getKey().equals("type") && !field.getKey().equals("budget_tokens")) {
					unexpressed.set("thinking." + field.getKey(), field.getValue());
				}
			}
			if (type.equals("disabled")) {
				effort = null;
			}
		}
		if (effort != null) {
			canonical.put("reasoning_effort", effort);
		}
	}

	private static void number(JsonNode body, String field, double min, double max, ObjectNode canonical) {
		JsonNode value = body.get(field);
		if (value == null || value.isNull()) {
			return;
		}
		if (!RequestChecks.isNumberIn(value, min, max)) {
			throw invalid(field + ": Input should be a number between " + (int) min + " and " + (int) max);
		}
		canonical.set(field, value);
	}

	// ---- system and turns

	private static void system(@Nullable JsonNode system, ArrayNode turns) {
		if (system == null || system.isNull()) {
			return;
		}
		if (system.isString()) {
			if (!system.stringValue().isEmpty()) {
				turns.addObject().put("role", "system").put("content", system.stringValue());
			}
			return;
		}
		if (!system.isArray()) {
			throw invalid("system: Input should be a valid string or a list of text blocks");
		}
		ArrayNode parts = Json.NODES.arrayNode();
		for (int i = 0; i < system.size(); i++) {
			JsonNode block = system.get(i);
			if (!"text".equals(block.path("type").asString("")) || !block.path("text").isString()) {
				throw invalid("system." + i + ": system blocks must be text blocks with a string 'text'");
			}
			parts.add(textPart(block));
		}
		if (!parts.isEmpty()) {
			turns.addObject().put("role", "system").set("content", parts);
		}
	}

	private static void messages(JsonNode messages, ArrayNode turns) {
		Set<String> offered = Set.of();
		for (int i = 0; i < messages.size(); i++) {
			JsonNode message = messages.get(i);
			String where = "messages." + i;
			if (!message.isObject()) {
				throw invalid(where + ": Input should be a valid dictionary");
			}
			String role = message.path("role").asString("");
			JsonNode content = message.get("content");
			if (content == null || content.isNull()) {
				throw invalid(where + ".content: Field required");
			}
			if (!content.isString() && !content.isArray()) {
				throw invalid(where + ".content: Input should be a valid string or a list of content blocks");
			}
			for (int j = 0; content.isArray() && j < content.size(); j++) {
				block(content.get(j), where + ".content." + j);
			}
			switch (role) {
				case "user" -> {
					user(content, where, offered, turns);
					offered = Set.of();
				}
				case "assistant" -> offered = assistant(content, turns);
				default -> throw invalid(where + ".role: Input should be 'user' or 'assistant'");
			}
		}
	}

	private static void block(JsonNode block, String where) {
		if (!block.isObject()) {
			throw invalid(where + ": Input should be a valid dictionary");
		}
		String type = block.path("type").asString("");
		if (!BLOCKS.contains(type)) {
			throw invalid(where + ".type: Input tag '" + type + "' found using 'type' does not match any of the "
					+ "expected tags");
		}
		if ("text".equals(type) && !block.path("text").isString()) {
			throw invalid(where + ".text: Input should be a valid string");
		}
		if ("tool_use".equals(type) && (string(block, "id") == null || string(block, "name") == null)) {
			throw invalid(where + ": tool_use blocks need a string 'id' and 'name'");
		}
		if ("tool_use".equals(type) && block.has("input") && !block.get("input").isObject()) {
			throw invalid(where + ".input: Input should be a valid dictionary");
		}
		if ("tool_result".equals(type) && string(block, "tool_use_id") == null) {
			throw invalid(where + ".tool_use_id: Field required");
		}
		if ("image".equals(type) || "document".equals(type)) {
			source(block.get("source"), where + ".source", "image".equals(type));
		}
	}

	/**
	 * An image's or document's source, checked as Anthropic would before anything is sent:
	 * base64 data must be base64 with a media type, a URL must be http(s).
	 */
	private static void source(@Nullable JsonNode source, String where, boolean image) {
		if (source == null || !source.isObject()) {
			throw invalid(where + ": Input should be a valid dictionary");
		}
		String type = source.path("type").asString("");
		switch (type) {
			case "base64" -> {
				String mediaType = string(source, "media_type");
				if (mediaType == null) {
					throw invalid(where + ".media_type: Field required");
				}
				DataUrl.parse("data:" + mediaType + ";base64," + source.path("data").asString(""), where + ".data");
			}
			case "url" -> {
				String url = source.path("url").asString("");
				if (!url.regionMatches(true, 0, "https://", 0, 8) && !url.regionMatches(true, 0, "http://", 0, 7)) {
					throw invalid(where + ".url: Input should be an http(s) URL");
				}
			}
			case "file" -> {
				if (string(source, "file_id") == null) {
					throw invalid(where + ".file_id: Field required");
				}
			}
			case "text", "content" -> {
				if (image) {
					throw invalid(where + ".type: Input tag '" + type + "' found using 'type' does not match any of "
							+ "the expected tags: 'base64', 'url', 'file'");
				}
			}
			default -> throw invalid(where + ".type: Input tag '" + type + "' found using 'type' does not match any "
					+ "of the expected tags: 'base64', 'url'" + (image ? ", 'file'" : ", 'text', 'content', 'file'"));
		}
	}

	/**
	 * A user turn: its tool results become tool messages, first (OpenAI wants them right after the
	 * assistant's calls), then the rest of its content as one user message.
	 */
	private static void user(JsonNode content, String where, Set<String> offered, ArrayNode turns) {
		if (content.isString()) {
			turns.addObject().put("role", "user").put("content", content.stringValue());
			return;
		}
		ArrayNode parts = Json.NODES.arrayNode();
		ArrayNode attachments = Json.NODES.arrayNode();
		for (int j = 0; j < content.size(); j++) {
			JsonNode block = content.get(j);
			String type = block.path("type").asString();
			if ("tool_result".equals(type)) {
				String id = block.get("tool_use_id").stringValue();
				if (!offered.contains(id)) {
					throw invalid(where + ".content." + j + ": unexpected `tool_use_id` found in `tool_result` "
							+ "blocks: " + id + ". Each `tool_result` block must have a corresponding `tool_use` "
							+ "block in the previous message.");
				}
				turns.addObject()
					.put("role", "tool")
					.put("tool_call_id", id)
					.set("content", toolResultContent(block.get("content"), id, where + ".content." + j, attachments));
			}
			else {
				ObjectNode part = part(block);
				if (part != null) {
					parts.add(part);
				}
			}
		}
		// The tools' images and documents open the user message that follows the tool messages.
		if (!attachments.isEmpty()) {
			attachments.addAll(parts);
			parts = attachments;
		}
		if (!parts.isEmpty()) {
			turns.addObject().put("role", "user").set("content", parts);
		}
	}

	/** An assistant turn as one message; returns the ids of the tools it called. */
	private static Set<String> assistant(JsonNode content, ArrayNode turns) {
		ObjectNode message = Json.object().put("role", "assistant");
		if (content.isString()) {
			message.put("content", content.stringValue());
			turns.add(message);
			return Set.of();
		}
		StringBuilder text = new StringBuilder();
		StringBuilder reasoning = new StringBuilder();
		ArrayNode thinking = Json.NODES.arrayNode();
		ArrayNode calls = Json.NODES.arrayNode();
		Set<String> ids = new HashSet<>();
		for (JsonNode block : content) {
			switch (block.path("type").asString()) {
				case "text" -> text.append(block.get("text").stringValue());
				case "tool_use" -> {
					ids.add(block.get("id").stringValue());
					ObjectNode call = calls.addObject().put("id", block.get("id").stringValue()).put("type", "function");
					JsonNode input = block.has("input") ? block.get("input") : Json.object();
					call.putObject("function")
						.put("name", block.get("name").stringValue())
						.put("arguments", Json.MAPPER.writeValueAsString(input));
				}
				case "thinking", "redacted_thinking" -> reasoning.append(Thinking.add(thinking, block));
				default -> {
					// server tool calls and their results: only an Anthropic provider can take them back
				}
			}
		}
		if (!text.isEmpty() || calls.isEmpty()) {
			message.put("content", text.toString());
		}
		else {
			message.putNull("content");
		}
		if (!reasoning.isEmpty()) {
			message.put(Thinking.REASONING_CONTENT, reasoning.toString());
		}
		if (!thinking.isEmpty()) {
			message.set(Thinking.THINKING_BLOCKS, thinking);
		}
		if (!calls.isEmpty()) {
			message.set("tool_calls", calls);
		}
		turns.add(message);
		return ids;
	}

	/**
	 * A tool result's content: a string, or its text as text parts. Its images and documents go to
	 * {@code attachments}, behind a line naming the tool call they came from: chat completions take
	 * only text in a tool message (OpenAI refuses an image there), so they reach the model in the
	 * user message that follows the turn's tool messages.
	 */
	private static JsonNode toolResultContent(@Nullable JsonNode content, String id, String where, ArrayNode attachments) {
		if (content == null || content.isNull()) {
			return Json.NODES.stringNode("");
		}
		if (content.isString()) {
			return content;
		}
		if (!content.isArray()) {
			throw invalid(where + ".content: Input should be a valid string or a list of content blocks");
		}
		ArrayNode parts = Json.NODES.arrayNode();
		boolean named = false;
		for (int k = 0; k < content.size(); k++) {
			block(content.get(k), where + ".content." + k);
			ObjectNode part = part(content.get(k));
			if (part == null) {
				continue;
			}
			if ("text".equals(part.path("type").asString())) {
				parts.add(part);
				continue;
			}
			if (!named) {
				attachments.addObject().put("type", "text").put("text", "Attached to the result of tool call " + id + ":");
				named = true;
			}
			attachments.add(part);
		}
		if (parts.isEmpty()) {
			return Json.NODES.stringNode(named ? "(the result is attached in the next message)" : "");
		}
		return parts;
	}

	/**
	 * The blocks of the turns that the canonical body leaves out (search results, server tools'
	 * calls and results, documents by URL or file, images by file, a tool result's
	 * {@code is_error}), with where they are: only an Anthropic provider gets them, so they are
	 * named when another answers, and they key the cache apart, since two requests that differ
	 * only there (one PDF's URL or another's) are different questions.
	 */
	private static ArrayNode untranslated(JsonNode messages) {
		ArrayNode untranslated = Json.NODES.arrayNode();
		for (int i = 0; i < messages.size(); i++) {
			JsonNode message = messages.get(i);
			boolean user = "user".equals(message.path("role").asString(""));
			JsonNode content = message.path("content");
			for (int j = 0; content.isArray() && j < content.size(); j++) {
				JsonNode block = content.get(j);
				String type = block.path("type").asString("");
				boolean kept = switch (type) {
					case "text" -> true;
					case "tool_use", "thinking", "redacted_thinking" -> !user;
					case "tool_result" -> user && !block.path("is_error").asBoolean(false);
					default -> user && part(block) != null;
				};
				if (!kept) {
					untranslated.addObject().put("at", "messages." + i + ".content." + j).set("block", block);
				}
			}
		}
		return untranslated;
	}

	/** A user block as an OpenAI content part; {@code null} for what only Anthropic can take. */
	private static @Nullable ObjectNode part(JsonNode block) {
		return switch (block.path("type").asString()) {
			case "text" -> textPart(block);
			case "image" -> image(block.path("source"));
			case "document" -> document(block);
			default -> null;
		};
	}

	private static ObjectNode textPart(JsonNode block) {
		ObjectNode part = Json.object().put("type", "text").put("text", block.get("text").stringValue());
		JsonNode cacheControl = block.get("cache_control");
		if (cacheControl != null && cacheControl.isObject()) {
			part.set("cache_control", cacheControl);
		}
		return part;
	}

	private static @Nullable ObjectNode image(JsonNode source) {
		String url = switch (source.path("type").asString("")) {
			case "base64" -> "data:" + source.path("media_type").asString("") + ";base64,"
					+ source.path("data").asString("");
			case "url" -> source.path("url").asString("");
			default -> null;
		};
		if (url == null) {
			return null;
		}
		ObjectNode part = Json.object().put("type", "image_url");
		part.putObject("image_url").put("url", url);
		return part;
	}

	private static @Nullable ObjectNode document(JsonNode block) {
		JsonNode source = block.path("source");
		String type = source.path("type").asString("");
		if ("text".equals(type)) {
			return Json.object().put("type", "text").put("text", source.path("data").asString(""));
		}
		if (!"base64".equals(type)) {
			return null;
		}
		ObjectNode part = Json.object().put("type", "file");
		ObjectNode file = part.putObject("file")
			.put("file_data", "data:" + source.path("media_type").asString("application/pdf") + ";base64,"
					+ source.path("data").asString(""));
		String title = string(block, "title");
		if (title != null) {
			file.put("filename", title);
		}
		return part;
	}

	// ---- tools

	private static void tools(ObjectNode body, ObjectNode canonical) {
		JsonNode tools = body.get("tools");
		if (tools != null && !tools.isNull()) {
			if (!tools.isArray()) {
				throw invalid("tools: Input should be a valid list");
			}
			ArrayNode functions = Json.NODES.arrayNode();
			for (int i = 0; i < tools.size(); i++) {
				JsonNode tool = tools.get(i);
				if (!tool.isObject()) {
					throw invalid("tools." + i + ": Input should be a valid dictionary");
				}
				if (!isCustom(tool)) {
					continue;
				}
				String name = string(tool, "name");
				if (name == null || name.isEmpty()) {
					throw invalid("tools." + i + ".name: Field required");
				}
				JsonNode schema = tool.get("input_schema");
				if (schema == null || !schema.isObject()) {
					throw invalid("tools." + i + ".input_schema: Input should be a valid dictionary");
				}
				ObjectNode function = functions.addObject().put("type", "function").putObject("function");
				function.put("name", name);
				String description = string(tool, "description");
				if (description != null) {
					function.put("description", description);
				}
				function.set("parameters", schema);
			}
			if (!functions.isEmpty()) {
				canonical.set("tools", functions);
			}
		}
		toolChoice(body.get("tool_choice"), canonical);
	}

	private static void toolChoice(@Nullable JsonNode choice, ObjectNode canonical) {
		if (choice == null || choice.isNull()) {
			return;
		}
		if (!choice.isObject()) {
			throw invalid("tool_choice: Input should be a valid dictionary");
		}
		switch (choice.path("type").asString("")) {
			case "auto" -> canonical.put("tool_choice", "auto");
			case "any" -> canonical.put("tool_choice", "required");
			case "none" -> canonical.put("tool_choice", "none");
			case "tool" -> {
				String name = string(choice, "name");
				if (name == null) {
					throw invalid("tool_choice.name: Field required");
				}
				canonical.putObject("tool_choice").put("type", "function").putObject("function").put("name", name);
			}
			default -> throw invalid("tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'");
		}
		if (choice.path("disable_parallel_tool_use").asBoolean(false) && canonical.has("tools")) {
			canonical.put("parallel_tool_calls", false);
		}
		if (!canonical.has("tools")) {
			// Only server tools, or none: OpenAI refuses a tool_choice without tools.
			canonical.remove("tool_choice");
		}
	}

	/** A tool the client runs (the default, or type {@code custom}), not one of Anthropic's own. */
	private static boolean isCustom(JsonNode tool) {
		String type = string(tool, "type");
		return type == null || "custom".equals(type);
	}

	private static ArrayNode serverTools(@Nullable JsonNode tools) {
		ArrayNode server = Json.NODES.arrayNode();
		if (tools != null && tools.isArray()) {
			for (JsonNode tool : tools) {
				if (tool.isObject() && !isCustom(tool)) {
					server.add(tool);
				}
			}
		}
		return server;
	}

	// ---- helpers

	private static String requiredString(JsonNode body, String field) {
		JsonNode value = body.get(field);
		if (value == null || value.isNull()) {
			throw invalid(field + ": Field required");
		}
		if (!value.isString() || value.stringValue().isBlank()) {
			throw invalid(field + ": Input should be a valid, non-empty string");
		}
		return value.stringValue();
	}

	private static @Nullable String string(JsonNode node, String field) {
		JsonNode value = node.get(field);
		return (value != null && value.isString()) ? value.stringValue() : null;
	}

	static LlmApiException invalid(String message) {
		return LlmApiException.invalidRequest(message, null);
	}

}
