package dev.switchboard.catalog;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The providers and models the gateway serves, indexed by every name a client may use.
 *
 * <p>Immutable and validated on construction: a catalog that exists is one the gateway can route
 * with, so request-time code never meets a dangling provider reference or an ambiguous name.
 */
public final class ModelCatalog {

	private final Map<String, ProviderSpec> providers;

	private final List<ModelSpec> models;

	/** Public id, alias and {@code provider/model} id to model; one map keeps lookup at one hash. */
	private final Map<String, ModelSpec> byName;

	public ModelCatalog(Collection<ProviderSpec> providers, List<ModelSpec> models) {
		List<String> problems = new ArrayList<>();
		Map<String, ProviderSpec> providerMap = new LinkedHashMap<>();
		for (ProviderSpec provider : providers) {
			providerMap.put(provider.name(), provider);
		}
		Map<String, ModelSpec> names = new LinkedHashMap<>();
		for (int i = 0; i < models.size(); i++) {
			ModelSpec model = models.get(i);
			String where = "switchboard.models[" + i + "]";
			if (!providerMap.containsKey(model.provider())) {
				problems.add(where + ".provider: '" + model.provider() + "' is not a configured provider; add it under "
						+ "switchboard.providers or use one of " + providerMap.keySet());
			}
			if (model.capabilities().isEmpty()) {
				problems.add(where + ".capabilities: list at least one of chat, tools, vision, json, embeddings");
			}
			register(names, model.id(), model, where + ".id", problems);
			for (String alias : model.aliases()) {
				register(names, alias, model, where + ".aliases", problems);
			}
			if (!model.qualifiedId().equals(model.id())) {
				ModelSpec previous = names.get(model.qualifiedId());
				if (previous != null && !previous.qualifiedId().equals(model.qualifiedId())) {
					problems.add(where + ": '" + model.qualifiedId() + "' is also the id or an alias of model '"
							+ previous.id() + "'; rename one of them");
				}
				names.putIfAbsent(model.qualifiedId(), model);
			}
		}
		for (int i = 0; i < models.size(); i++) {
			ModelSpec model = models.get(i);
			for (String fallback : model.fallbacks()) {
				ModelSpec target = names.get(fallback);
				if (target == null) {
					problems.add("switchboard.models[" + i + "].fallbacks: '" + fallback
							+ "' is not a model id, alias or provider/model id of switchboard.models");
				}
				else if (target == model) {
					problems.add("switchboard.models[" + i + "].fallbacks: '" + fallback + "' is the model itself");
				}
			}
		}
		if (!problems.isEmpty()) {
			throw new CatalogException(problems);
		}
		this.providers = Collections.unmodifiableMap(providerMap);
		this.models = List.copyOf(models);
		this.byName = Map.copyOf(names);
	}

	private static void register(Map<String, ModelSpec> names, String name, ModelSpec model, String where,
			List<String> problems) {
		if (name == null || name.isBlank()) {
			problems.add(where + ": must not be blank");
			return;
		}
		ModelSpec previous = names.putIfAbsent(name, model);
		if (previous != null && previous != model) {
			problems.add(where + ": '" + name + "' already names model '" + previous.id()
					+ "'; every id and alias must be unique");
		}
	}

	public Optional<ModelSpec> find(String name) {
		return Optional.ofNullable(this.byName.get(name));
	}

	public ProviderSpec provider(String name) {
		ProviderSpec provider = this.providers.get(name);
		if (provider == null) {
			throw new IllegalArgumentException("No provider named " + name);
		}
		return provider;
	}

	public Map<String, ProviderSpec> providers() {
		return this.providers;
	}

	public List<ModelSpec> models() {
		return this.models;
	}

	/** Whether {@code name} is a known id, alias or {@code provider/model} id. */
	public boolean knows(String name) {
		return this.byName.containsKey(name);
	}

}
