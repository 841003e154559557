package dev.switchboard.endpoint;

import java.time.Instant;

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

	private final long created = Instant.now().getEpochSecond();

	public ModelsEndpoint(ModelCatalog catalog) {
		this.catalog = catalog;
	}

	public byte[] list(Team team) {
		ObjectNode root = Json.object();
		root.put("object", "list");
		ArrayNode data = root.putArray("data");
		for (ModelSpec model : this.catalog.models()) {
			if (team.mayUse(model.id(), model.qualifiedId())) {
				data.add(entry(model.id(), model));
			}
			for (String alias : model.aliases()) {
				if (team.mayUse(alias, model.id(), model.qualifiedId())) {
					data.add(entry(alias, model));
				}
			}
		}
		return Json.MAPPER.writeValueAsBytes(root);
	}

	/** One model; unknown and forbidden ids look the same (404), as on OpenAI. */
	public byte[] get(String id, Team team) {
		ModelSpec model = this.catalog.find(id)
			.filter(found -> team.mayUse(id, found.id(), found.qualifiedId()))
			.orElseThrow(() -> LlmApiException.modelNotFound(id));
		return Json.MAPPER.writeValueAsBytes(entry(id, model));
	}

	private ObjectNode entry(String id, ModelSpec model) {
		ObjectNode node = Json.object();
		node.put("id", id);
		node.put("object", "model");
		node.put("created", this.created);
		node.put("owned_by", model.provider());
		return node;
	}

}
