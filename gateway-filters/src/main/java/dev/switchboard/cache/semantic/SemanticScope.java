package dev.switchboard.cache.semantic;

import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.cache.CacheKey;
import dev.switchboard.core.Hashes;
import dev.switchboard.core.Json;

/**
 * What a semantic match must share exactly, and what it may only share in meaning.
 *
 * <p>The {@link #scope() scope} is the hash of the whole normalized request (the same normalization
 * as the exact tier: model, system and developer prompts, tools, tool_choice, response_format,
 * sampling parameters, and every earlier turn of the conversation) with the text of the last user
 * turn left out. Only that last user turn is embedded and compared by meaning. The namespace (team,
 * or team and user) is part of every lookup, so an entry can only ever match within it.
 *
 * @param namespace the cache namespace, as in the exact key
 * @param scope hex SHA-256 of the request without its last user turn's text
 * @param text the last user turn's text, the only part compared by meaning
 */
public record SemanticScope(String namespace, String scope, String text) {

	/**
	 * Longest last user turn compared by meaning, in characters (about 500 tokens). Embedding cost
	 * grows with length and the small model reads only its first 256 word pieces anyway; long prompts
	 * (documents, pasted code) are rarely asked again in other words, and the exact tier still serves
	 * them when they are asked again word for word.
	 */
	public static final int MAX_TEXT_CHARS = 2000;

	/**
	 * The scope of a chat request, or {@code null} when it has no semantic scope: the last message is
	 * not a user turn, holds something other than text (an image, audio, a file), or is longer than
	 * {@link #MAX_TEXT_CHARS}.
	 */
	public static @Nullable SemanticScope of(CacheKey key, JsonNode request) {
		JsonNode messages = request.path("messages");
		if (!messages.isArray() || messages.isEmpty()) {
			return null;
		}
		JsonNode last = messages.get(messages.size() - 1);
		if (!"user".equals(last.path("role").asString(""))) {
			return null;
		}
		String text = text(last.path("content"));
		if (text == null || text.isBlank() || text.length() > MAX_TEXT_CHARS) {
			return null;
		}
		ObjectNode withoutText = (ObjectNode) request.deepCopy();
		ArrayNode copied = (ArrayNode) withoutText.get("messages");
		((ObjectNode) copied.get(copied.size() - 1)).remove("content");
		byte[] normalized = Json.MAPPER.writeValueAsBytes(CacheKey.normalize(withoutText));
		String scope = Hashes.sha256Hex(key.team().getBytes(StandardCharsets.UTF_8), new byte[] { 0 }, normalized);
		return new SemanticScope(key.team(), scope, text);
	}

	private static @Nullable String text(JsonNode content) {
		if (content.isString()) {
			return content.asString();
		}
		if (!content.isArray()) {
			return null;
		}
		StringBuilder text = new StringBuilder();
		for (JsonNode part : content) {
			if (!"text".equals(part.path("type").asString(""))) {
				return null;
			}
			if (!text.isEmpty()) {
				text.append('\n');
			}
			text.append(part.path("text").asString(""));
		}
		return text.toString();
	}

}
