package dev.switchboard.endpoint;

import java.time.Instant;
import java.util.List;

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
		for (ModelSpec model : this.catalog.models()) {
			if (team.mayUse(model.id(), model.qualifiedId())) {
				data.add(entry(model.id(), model.provider()));
			}
			for (String alias : model.aliases()) {
				if (team.mayUse(alias, model.id(), model.qualifiedId())) {
					data.add(entry(alias, model.provider()));
				}
			}
		}
		for (String pool : this.pools) {
			if (team.mayUse(pool)) {
				data.add(entry(pool, "switchboard"));
			}
		}
		return Json.MAPPER.writeValueAsBytes(root);
	}

	/** One model; unknown and forbidden ids look the same (404), as on OpenAI. */
	public byte[] get(String id, Team team) {
		if (this.pools.contains(id) && team.mayUse(id)) {
			return Json.MAPPER.writeValueAsBytes(entry(id, "switchboard"));
		}
		ModelSpec model = this.catalog.find(id)
			.filter(found -> team.mayUse(id, found.id(), found.qualifiedId()))
			.orElseThrow(() -> LlmApiException.modelNotFound(id));
		return Json.MAPPER.writeValueAsBytes(entry(id, model.provider()));
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
