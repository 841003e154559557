package dev.switchboard.route;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;

import dev.switchboard.catalog.Capability;
import dev.switchboard.catalog.CatalogException;
import dev.switchboard.catalog.ModelCatalog;
import dev.switchboard.catalog.ModelSpec;
import dev.switchboard.core.Json;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.ModelRoute;
import dev.switchboard.core.Operation;
import dev.switchboard.core.RouteTarget;
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

	private final Map<String, ModelPool> pools;

	private final PoolBalancer balancer;

	/**
	 * @param pools public names served by several models; validated against the catalog
	 * @param balancer orders a pool's members per request
	 */
	public ModelResolver(ModelCatalog catalog, List<ModelPool> pools, PoolBalancer balancer) {
		this.catalog = catalog;
		this.pools = validate(catalog, pools);
		this.balancer = balancer;
	}

	public ModelResolver(ModelCatalog catalog) {
		this(catalog, List.of(), new PoolBalancer(new TargetStats()));
	}

	private static Map<String, ModelPool> validate(ModelCatalog catalog, List<ModelPool> pools) {
		List<String> problems = new ArrayList<>();
		Map<String, ModelPool> byName = new LinkedHashMap<>();
		for (int i = 0; i < pools.size(); i++) {
			ModelPool pool = pools.get(i);
			String where = "switchboard.pools[" + i + "]";
			if (catalog.knows(pool.name()) || byName.putIfAbsent(pool.name(), pool) != null) {
				problems.add(where + ".name: '" + pool.name() + "' is already a model, alias or pool name");
			}
			if (pool.members().isEmpty()) {
				problems.add(where + ".members: list at least one model");
			}
			for (ModelPool.Member member : pool.members()) {
				if (!catalog.knows(member.model())) {
					problems.add(where + ".members: '" + member.model()
							+ "' is not a model id, alias or provider/model id of switchboard.models");
				}
				if (member.weight() < 0) {
					problems.add(where + ".members: weight of '" + member.model() + "' must not be negative");
				}
			}
		}
		if (!problems.isEmpty()) {
			throw new CatalogException(problems);
		}
		return Collections.unmodifiableMap(byName);
	}

	public ModelRoute resolve(String requested, Team team, Operation operation) {
		return resolve(requested, team, operation, Json.object());
	}

	/** @param body the parsed request, read for what a pool member must support and for sticky keys */
	public ModelRoute resolve(String requested, Team team, Operation operation, JsonNode body) {
		ModelPool pool = this.pools.get(requested);
		if (pool != null) {
			return resolvePool(pool, team, operation, body);
		}
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

	private ModelRoute resolvePool(ModelPool pool, Team team, Operation operation, JsonNode body) {
		if (!team.mayUse(pool.name())) {
			throw LlmApiException.modelNotAllowed(pool.name(), team.name());
		}
		List<PoolBalancer.Candidate> candidates = pool.members()
			.stream()
			.map(member -> new PoolBalancer.Candidate(target(this.catalog.find(member.model()).orElseThrow()),
					member.weight()))
			.toList();
		RequestNeeds needs = RequestNeeds.of(body, operation);
		StringBuilder why = new StringBuilder();
		List<RouteTarget> ordered = this.balancer.order(pool, candidates, needs, stickyKey(pool, team, body), why);
		if (ordered.isEmpty()) {
			throw LlmApiException.invalidRequest("No model behind `" + pool.name() + "` supports what this request needs "
					+ needs.capabilities() + " with a context window of at least "
					+ (needs.promptTokens() + needs.maxTokens()) + " tokens.", "model");
		}
		List<RouteTarget> targets = new ArrayList<>(ordered);
		for (String fallback : ordered.get(0).model().fallbacks()) {
			ModelSpec next = this.catalog.find(fallback).orElseThrow();
			if (needs.metBy(next) && targets.stream().noneMatch(t -> t.model() == next)) {
				targets.add(target(next));
			}
		}
		return new ModelRoute(pool.name(), targets, why + " -> " + ordered.get(0).label());
	}

	private static String stickyKey(ModelPool pool, Team team, JsonNode body) {
		return switch (pool.sticky()) {
			case NONE -> null;
			case TEAM -> team.name();
			case USER -> body.path("safety_identifier").asString(body.path("user").asString(null));
		};
	}

	/** Pool names, for {@code /v1/models}. */
	public List<String> poolNames() {
		return List.copyOf(this.pools.keySet());
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
