package dev.switchboard.cache;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.core.Hashes;
import dev.switchboard.core.Json;

/**
 * The exact-tier key of a chat request: a team namespace plus the SHA-256 of the normalized request.
 *
 * <p>Normalization keeps everything that can change the answer (model, messages, tools,
 * tool_choice, response_format, temperature, top_p, max tokens, stop, seed, n, penalties, and any
 * parameter the gateway does not know, to stay on the safe side) and drops only what cannot:
 * {@code stream}, {@code stream_options}, {@code user}, {@code metadata}, {@code store},
 * {@code service_tier}, and prompt-caching hints ({@code cache_control}) on the request, its
 * messages, their parts and its tools. Object keys are sorted at every level, and {@code max_tokens} is read as its
 * successor {@code max_completion_tokens}. The team is part of the hash and of the key, so two teams
 * never share an entry.
 *
 * @param team the team namespace (mandatory)
 * @param hash the hex SHA-256 of team and normalized request
 */
public record CacheKey(String team, String hash) {

	/** Request fields that never change the answer. */
	static final Set<String> IGNORED = Set.of("stream", "stream_options", "user", "metadata", "store", "service_tier",
			"cache_control");

	private static final String CACHE_CONTROL = "cache_control";

	public CacheKey {
		if (team == null || team.isBlank()) {
			throw new IllegalArgumentException("a cache key needs a team namespace");
		}
	}

	public static CacheKey of(String team, JsonNode body) {
		byte[] normalized = Json.MAPPER.writeValueAsBytes(normalize(body));
		return new CacheKey(team,
				Hashes.sha256Hex(team.getBytes(StandardCharsets.UTF_8), new byte[] { 0 }, normalized));
	}

	/** The request without the fields that do not change the answer, keys sorted. */
	public static JsonNode normalize(JsonNode body) {
		ObjectNode copy = Json.object();
		for (Map.Entry<String, JsonNode> field : body.properties()) {
			if (!IGNORED.contains(field.getKey())) {
				String name = "max_tokens".equals(field.getKey()) ? "max_completion_tokens" : field.getKey();
				JsonNode value = switch (name) {
					case "messages" -> withoutCacheControl(field.getValue(), true);
					case "tools" -> withoutCacheControl(field.getValue(), false);
					case CacheService.NATIVE_FIELDS -> nativeWithoutCacheControl(field.getValue());
					default -> field.getValue();
				};
				copy.set(name, value);
			}
		}
		return sorted(copy);
	}

	/** The front door's own fields (Anthropic's server tools, its untranslated blocks) likewise. */
	private static JsonNode nativeWithoutCacheControl(JsonNode fields) {
		if (!fields.isObject()) {
			return fields;
		}
		ObjectNode copy = Json.object();
		for (Map.Entry<String, JsonNode> field : fields.properties()) {
			if (!CACHE_CONTROL.equals(field.getKey())) {
				copy.set(field.getKey(), withoutCacheControl(field.getValue(), false));
			}
		}
		return copy;
	}

	/**
	 * Messages (and their content parts) or tools without {@code cache_control}: where a client
	 * asks the provider to cache a prefix says nothing about the answer, so two requests that differ
	 * only there are the same question. Only those positions: a tool's parameter schema may well
	 * have a property of that name, which is part of the question.
	 */
	private static JsonNode withoutCacheControl(JsonNode items, boolean messages) {
		if (!items.isArray()) {
			return items;
		}
		ArrayNode result = Json.NODES.arrayNode();
		for (JsonNode item : items) {
			if (!item.isObject()) {
				result.add(item);
				continue;
			}
			ObjectNode copy = ((ObjectNode) item).deepCopy();
			copy.remove(CACHE_CONTROL);
			if (messages && copy.path("content").isArray()) {
				for (JsonNode part : copy.get("content")) {
					if (part instanceof ObjectNode block) {
						block.remove(CACHE_CONTROL);
					}
				}
			}
			result.add(copy);
		}
		return result;
	}

	private static JsonNode sorted(JsonNode node) {
		if (node.isObject()) {
			List<String> names = new ArrayList<>(node.propertyNames());
			names.sort(null);
			ObjectNode result = Json.object();
			for (String name : names) {
				result.set(name, sorted(node.get(name)));
			}
			return result;
		}
		if (node.isArray()) {
			ArrayNode result = Json.NODES.arrayNode();
			node.forEach(item -> result.add(sorted(item)));
			return result;
		}
		return node;
	}

	/** The Redis key: {@code <prefix>:{team}:<hash>}, the braces keeping a team's keys on one cluster slot. */
	public String redisKey(String prefix) {
		return prefix + ":{" + this.team + "}:" + this.hash;
	}

	/** For logs and decision records: the team, never a user's namespace hash, and a short hash. */
	@Override
	public String toString() {
		int user = this.team.indexOf('/');
		String namespace = (user < 0) ? this.team : this.team.substring(0, user) + "/(user)";
		return namespace + ":" + this.hash.substring(0, Math.min(12, this.hash.length()));
	}

}
