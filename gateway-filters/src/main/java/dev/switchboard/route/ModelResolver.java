package dev.switchboard.route;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
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

	private final Map<String, Rollout> rollouts;

	private final Rollouts running;

	/**
	 * @param pools public names served by several models; validated against the catalog
	 * @param balancer orders a pool's members per request
	 * @param rollouts names moving to another model gradually; validated against the catalog and pools
	 * @param running the rollouts' progress and guards, shared by every configuration version
	 */
	public ModelResolver(ModelCatalog catalog, List<ModelPool> pools, PoolBalancer balancer, List<Rollout> rollouts,
			Rollouts running) {
		this.catalog = catalog;
		this.pools = validate(catalog, pools);
		this.balancer = balancer;
		this.rollouts = validateRollouts(catalog, this.pools, rollouts);
		this.running = running;
	}

	public ModelResolver(ModelCatalog catalog, List<ModelPool> pools, PoolBalancer balancer) {
		this(catalog, pools, balancer, List.of(), new Rollouts());
	}

	public ModelResolver(ModelCatalog catalog) {
		this(catalog, List.of(), new PoolBalancer(new TargetStats()));
	}

	private static Map<String, Rollout> validateRollouts(ModelCatalog catalog, Map<String, ModelPool> pools,
			List<Rollout> rollouts) {
		List<String> problems = new ArrayList<>();
		Map<String, Rollout> byName = new LinkedHashMap<>();
		for (int i = 0; i < rollouts.size(); i++) {
			Rollout rollout = rollouts.get(i);
			String where = "switchboard.rollouts[" + i + "]";
			if (!catalog.knows(rollout.name()) && !pools.containsKey(rollout.name())) {
				problems.add(where + ".name: '" + rollout.name()
						+ "' is not a model id, alias or pool name; a rollout moves a name clients already use");
			}
			else if (byName.putIfAbsent(rollout.name(), rollout) != null) {
				problems.add(where + ".name: '" + rollout.name() + "' has another rollout; one at a time per name");
			}
			ModelSpec to = catalog.find(rollout.to()).orElse(null);
			if (to == null) {
				problems.add(where + ".to: '" + rollout.to() + "' is not a model id of switchboard.models");
			}
			else if (!to.id().equals(rollout.to())) {
				problems.add(where + ".to: name the model by its id ('" + to.id() + "'), not an alias");
			}
			else if (catalog.find(rollout.name()).map(ModelSpec::id).filter(to.id()::equals).isPresent()) {
				problems.add(where + ".to: '" + rollout.name() + "' already is '" + to.id() + "'");
			}
		}
		if (!problems.isEmpty()) {
			throw new CatalogException(problems);
		}
		return Collections.unmodifiableMap(byName);
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

	/**
	 * @param body the parsed request, read for what a pool member must support and for sticky keys
	 */
	public ModelRoute resolve(String requested, Team team, Operation operation, JsonNode body) {
		ModelRoute route = resolveName(requested, team, operation, body);
		Rollout rollout = this.rollouts.get(requested);
		return (rollout != null) ? roll(rollout, route, team, operation, body) : route;
	}

	/** The rollouts of this version. */
	public Collection<Rollout> rollouts() {
		return this.rollouts.values();
	}

	/** The rollout of this name in this version, if any. */
	public @Nullable Rollout rollout(String name) {
		return this.rollouts.get(name);
	}

	/**
	 * A request of a name under rollout: on the new side, the rollout's model first (and its
	 * fallbacks), then what the name resolves to without the rollout, so a failing canary falls back
	 * to the model it replaces. The team's right to the name is checked as without the rollout.
	 */
	private ModelRoute roll(Rollout rollout, ModelRoute route, Team team, Operation operation, JsonNode body) {
		ModelSpec to = this.catalog.find(rollout.to()).orElseThrow();
		Capability needed = (operation == Operation.EMBEDDINGS) ? Capability.EMBEDDINGS : Capability.CHAT;
		if (!to.supports(needed)) {
			return new ModelRoute(route.requestedModel(), route.targets(), route.reason() + "; rollout '"
					+ rollout.name() + "' left out: '" + to.id() + "' does not support " + needed.id());
		}
		Rollouts.Choice choice = this.running.choose(rollout, stickyKey(rollout.sticky(), team, body));
		if (!choice.toNew()) {
			return new ModelRoute(route.requestedModel(), route.targets(), route.reason() + "; " + choice.reason());
		}
		List<RouteTarget> targets = new ArrayList<>();
		targets.add(target(to));
		for (String fallback : to.fallbacks()) {
			ModelSpec next = this.catalog.find(fallback).orElseThrow();
			if (next.supports(needed) && targets.stream().noneMatch(t -> t.model() == next)) {
				targets.add(target(next));
			}
		}
		for (RouteTarget old : route.targets()) {
			if (targets.stream().noneMatch(t -> t.model() == old.model())) {
				targets.add(old);
			}
		}
		return new ModelRoute(route.requestedModel(), targets, choice.reason() + ", then " + route.reason());
	}

	private ModelRoute resolveName(String requested, Team team, Operation operation, JsonNode body) {
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
		return stickyKey(pool.sticky(), team, body);
	}

	private static @Nullable String stickyKey(ModelPool.Sticky sticky, Team team, JsonNode body) {
		return switch (sticky) {
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
