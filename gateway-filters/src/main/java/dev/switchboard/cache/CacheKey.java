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
 * {@code service_tier}. Object keys are sorted at every level, and {@code max_tokens} is read as its
 * successor {@code max_completion_tokens}. The team is part of the hash and of the key, so two teams
 * never share an entry.
 *
 * @param team the team namespace (mandatory)
 * @param hash the hex SHA-256 of team and normalized request
 */
public record CacheKey(String team, String hash) {

	/** Request fields that never change the answer. */
	static final Set<String> IGNORED = Set.of("stream", "stream_options", "user", "metadata", "store", "service_tier");

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
				copy.set(name, field.getValue());
			}
		}
		return sorted(copy);
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
