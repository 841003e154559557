package dev.switchboard.endpoint;

import java.time.Instant;
import java.util.List;
import java.util.function.BiConsumer;

import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.catalog.ModelCatalog;
import dev.switchboard.catalog.ModelSpec;
import dev.switchboard.core.Json;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.Team;

/**
 * {@code GET /v1/models} and {@code GET /v1/models/{id}}, generated from the catalog and filtered
 * by the caller's allow-list, so a team sees exactly the names it may send.
 */
public class ModelsEndpoint {

	private final ModelCatalog catalog;

	private final List<String> pools;

	private final long created = Instant.now().getEpochSecond();

	/** @param pools names served by a pool of models, listed as owned by the gateway */
	public ModelsEndpoint(ModelCatalog catalog, List<String> pools) {
		this.catalog = catalog;
		this.pools = List.copyOf(pools);
	}

	public ModelsEndpoint(ModelCatalog catalog) {
		this(catalog, List.of());
	}

	public byte[] list(Team team) {
		ObjectNode root = Json.object();
		root.put("object", "list");
		ArrayNode data = root.putArray("data");
		visible(team, (id, ownedBy) -> data.add(entry(id, ownedBy)));
		return Json.MAPPER.writeValueAsBytes(root);
	}

	/** One model; unknown and forbidden ids look the same (404), as on OpenAI. */
	public byte[] get(String id, Team team) {
		return Json.MAPPER.writeValueAsBytes(entry(id, ownerOf(id, team)));
	}

	/**
	 * The list in the Anthropic API's shape ({@code {"data":[{"type":"model","id","display_name",
	 * "created_at"}],"first_id","last_id","has_more"}}), for clients at the Anthropic door: Claude
	 * Code's model discovery keeps the ids that start with {@code claude}, so aliases named after
	 * Claude models show up there whatever serves them.
	 */
	public byte[] anthropicList(Team team) {
		ObjectNode root = Json.object();
		ArrayNode data = root.putArray("data");
		visible(team, (id, ownedBy) -> data.add(anthropicEntry(id)));
		root.put("first_id", data.isEmpty() ? null : data.get(0).path("id").asString());
		root.put("last_id", data.isEmpty() ? null : data.get(data.size() - 1).path("id").asString());
		root.put("has_more", false);
		return Json.MAPPER.writeValueAsBytes(root);
	}

	/** One model in the Anthropic API's shape. */
	public byte[] anthropicGet(String id, Team team) {
		ownerOf(id, team);
		return Json.MAPPER.writeValueAsBytes(anthropicEntry(id));
	}

	/** Every name the team may send, with who serves it: models, their aliases, pools. */
	private void visible(Team team, BiConsumer<String, String> into) {
		for (ModelSpec model : this.catalog.models()) {
			if (team.mayUse(model.id(), model.qualifiedId())) {
				into.accept(model.id(), model.provider());
			}
			for (String alias : model.aliases()) {
				if (team.mayUse(alias, model.id(), model.qualifiedId())) {
					into.accept(alias, model.provider());
				}
			}
		}
		for (String pool : this.pools) {
			if (team.mayUse(pool)) {
				into.accept(pool, "switchboard");
			}
		}
	}

	private String ownerOf(String id, Team team) {
		if (this.pools.contains(id) && team.mayUse(id)) {
			return "switchboard";
		}
		return this.catalog.find(id)
			.filter(found -> team.mayUse(id, found.id(), found.qualifiedId()))
			.orElseThrow(() -> LlmApiException.modelNotFound(id))
			.provider();
	}

	private ObjectNode anthropicEntry(String id) {
		return Json.object()
			.put("type", "model")
			.put("id", id)
			.put("display_name", id)
			.put("created_at", Instant.ofEpochSecond(this.created).toString());
	}

	private ObjectNode entry(String id, String ownedBy) {
		ObjectNode node = Json.object();
		node.put("id", id);
		node.put("object", "model");
		node.put("created", this.created);
		node.put("owned_by", ownedBy);
		return node;
	}

}
