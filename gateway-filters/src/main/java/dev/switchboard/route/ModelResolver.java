package dev.switchboard.route;

import java.util.ArrayList;
import java.util.List;

import dev.switchboard.catalog.Capability;
import dev.switchboard.catalog.ModelCatalog;
import dev.switchboard.catalog.ModelSpec;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.Operation;
import dev.switchboard.core.Team;

/**
 * Turns the {@code model} a client sent into the targets that serve it, enforcing the team's
 * allow-list.
 *
 * <p>A team allowed a model may use it under any of its names (id, alias, {@code provider/model});
 * a team allowed only an alias may use only that alias. Unknown and forbidden names are told apart
 * (404 vs 403) only after the caller is authenticated, so an anonymous client cannot probe the
 * catalog.
 */
public class ModelResolver {

	private final ModelCatalog catalog;

	public ModelResolver(ModelCatalog catalog) {
		this.catalog = catalog;
	}

	public ModelRoute resolve(String requested, Team team, Operation operation) {
		ModelSpec model = this.catalog.find(requested).orElseThrow(() -> LlmApiException.modelNotFound(requested));
		if (!team.mayUse(requested, model.id(), model.qualifiedId())) {
			throw LlmApiException.modelNotAllowed(requested, team.name());
		}
		Capability needed = (operation == Operation.EMBEDDINGS) ? Capability.EMBEDDINGS : Capability.CHAT;
		if (!model.supports(needed)) {
			throw LlmApiException.invalidRequest("The model `" + requested + "` does not support "
					+ ((needed == Capability.CHAT) ? "chat completions" : "embeddings") + ".", "model");
		}
		List<RouteTarget> targets = new ArrayList<>();
		targets.add(target(model));
		for (String fallback : model.fallbacks()) {
			ModelSpec next = this.catalog.find(fallback).orElseThrow();
			// The operator chose the fallbacks; they serve a team allowed the primary, capability permitting.
			if (next.supports(needed) && targets.stream().noneMatch(t -> t.model() == next)) {
				targets.add(target(next));
			}
		}
		String reason = reasonFor(requested, model) + ((targets.size() > 1) ? ", fallbacks "
				+ targets.subList(1, targets.size()).stream().map(RouteTarget::label).toList() : "");
		return new ModelRoute(requested, targets, reason);
	}

	private RouteTarget target(ModelSpec model) {
		return new RouteTarget(model, this.catalog.provider(model.provider()));
	}

	private static String reasonFor(String requested, ModelSpec model) {
		if (requested.equals(model.id())) {
			return "model id '" + requested + "'";
		}
		if (requested.equals(model.qualifiedId())) {
			return "provider/model id '" + requested + "'";
		}
		return "alias '" + requested + "' -> '" + model.id() + "'";
	}

	public ModelCatalog catalog() {
		return this.catalog;
	}

}
