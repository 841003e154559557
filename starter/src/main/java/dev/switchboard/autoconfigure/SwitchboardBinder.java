package dev.switchboard.autoconfigure;

import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.switchboard.auth.ApiKeyTeamResolver;
import dev.switchboard.auth.ApiKeys;
import dev.switchboard.auth.HeaderTeamResolver;
import dev.switchboard.auth.TeamResolver;
import dev.switchboard.catalog.Capability;
import dev.switchboard.catalog.CatalogException;
import dev.switchboard.catalog.ModelCatalog;
import dev.switchboard.catalog.ModelSpec;
import dev.switchboard.catalog.ProviderSpec;
import dev.switchboard.catalog.ProviderType;
import dev.switchboard.catalog.ReasoningTable;
import dev.switchboard.catalog.Secret;
import dev.switchboard.core.Team;
import dev.switchboard.dispatch.ProviderLimits;
import dev.switchboard.endpoint.ModelsEndpoint;
import dev.switchboard.route.ModelPool;
import dev.switchboard.route.ModelResolver;
import dev.switchboard.route.PoolBalancer;
import dev.switchboard.route.Rollout;
import dev.switchboard.route.Rollouts;
import dev.switchboard.translate.ProviderAdapters;

/**
 * Turns bound {@link SwitchboardProperties} into the validated runtime model (catalog, teams),
 * collecting every problem with the property path to fix, so one start-up names them all.
 */
final class SwitchboardBinder {

	private static final Logger log = LoggerFactory.getLogger(SwitchboardBinder.class);

	private SwitchboardBinder() {
	}

	/**
	 * The core's share of a configuration snapshot: the catalog (providers, models, aliases,
	 * fallbacks), the pools, the teams and their resolver, and the models list, each item named for
	 * change summaries.
	 * @param mockUrls base URL of each embedded mock provider, by provider name
	 */
	static void contribute(Candidate candidate, Function<String, URI> mockUrls, ProviderAdapters adapters,
			PoolBalancer balancer, Rollouts running) {
		SwitchboardProperties properties = candidate.switchboard();
		ModelCatalog catalog = catalog(properties, mockUrls);
		checkAdapters(catalog, adapters);
		Map<String, Team> teams = teams(properties, catalog);
		String header = properties.auth().teamHeader();
		TeamResolver teamResolver = (header != null && !header.isBlank()) ? new HeaderTeamResolver(header, teams)
				: new ApiKeyTeamResolver(teamsByKeyHash(properties, teams));
		List<ModelPool> pools = pools(properties);
		List<Rollout> rollouts = rollouts(properties);
		ModelResolver resolver = new ModelResolver(catalog, pools, balancer, rollouts, running);
		candidate.snapshot()
			.part(ModelCatalog.class, catalog)
			.part(ModelResolver.class, resolver)
			.part(ModelsEndpoint.class, new ModelsEndpoint(catalog, resolver.poolNames()))
			.part(TeamResolver.class, teamResolver);

		// Digests of the settings as bound (every field, in the order the properties list them), not of
		// the runtime objects, whose toString leaves fields out and whose sets iterate in an order of
		// their own: the same settings give the same version on every gateway.
		// Field by field: Provider.toString masks the key, whose rotation is a change all the same.
		properties.providers().forEach((name, provider) -> candidate.item("providers", name, provider.type(),
				provider.baseUrl(), provider.apiKey(), provider.headers(), provider.connectTimeout(),
				provider.responseTimeout(), provider.streamUsage(), provider.apiVersion(), provider.defaultMaxTokens(),
				provider.unsupportedParameters(), provider.mock(), provider.healthCheck(), provider.limits()));
		for (SwitchboardProperties.Model model : properties.models()) {
			candidate.item("models", model.id(), model);
			model.aliases().forEach(alias -> candidate.item("aliases", alias, model.id()));
		}
		properties.pools().forEach(pool -> candidate.item("pools", pool.name(), pool));
		properties.rollouts().forEach(rollout -> candidate.item("rollouts", rollout.name(), rollout));
		properties.teams().forEach((name, team) -> candidate.item("teams", name, team, header));

		if (catalog.models().isEmpty()) {
			log.warn("Switchboard has no models: every LLM request will get 404 model_not_found. "
					+ "Declare providers and models under switchboard.providers and switchboard.models.");
		}
		if (teams.isEmpty() && (header == null || header.isBlank())) {
			log.warn("Switchboard has no teams: every LLM request will get 401. Declare switchboard.teams.<name>."
					+ "key-hashes, or define a TeamResolver bean.");
		}
	}

	/**
	 * @param mockUrls base URL of each embedded mock provider, by provider name
	 */
	static ModelCatalog catalog(SwitchboardProperties properties, Function<String, URI> mockUrls) {
		List<String> problems = new ArrayList<>();
		List<ProviderSpec> providers = new ArrayList<>();
		properties.providers().forEach((name, provider) -> {
			String where = "switchboard.providers." + name;
			ProviderType type;
			try {
				type = ProviderType.of(provider.type());
			}
			catch (IllegalArgumentException ex) {
				problems.add(where + ".type: '" + provider.type() + "' is not a provider type; use one of "
						+ Arrays.stream(ProviderType.values()).map(ProviderType::id).toList());
				return;
			}
			URI baseUrl = provider.baseUrl();
			if (baseUrl == null && type == ProviderType.MOCK) {
				baseUrl = mockUrls.apply(name);
			}
			if (baseUrl == null && type == ProviderType.MOCK) {
				problems.add(where + ".base-url: required for type mock unless the simulator runs in-process, "
						+ "which needs dev.switchboard:switchboard-mock-provider on the classpath");
				return;
			}
			if (baseUrl == null) {
				problems.add(where + ".base-url: required for type " + type.id()
						+ ", e.g. https://api.openai.com/v1 or http://localhost:11434/v1 for Ollama");
				return;
			}
			if (!baseUrl.isAbsolute() || !("http".equals(baseUrl.getScheme()) || "https".equals(baseUrl.getScheme()))
					|| baseUrl.getHost() == null) {
				problems.add(where + ".base-url: '" + baseUrl + "' must be an absolute http(s) URL");
				return;
			}
			if (baseUrl.getUserInfo() != null) {
				problems.add(where + ".base-url: must not contain credentials; use api-key or headers");
				return;
			}
			if (Boolean.TRUE.equals(provider.responsesApi()) && type != ProviderType.OPENAI) {
				problems.add(where + ".responses-api: only openai providers serve OpenAI's Responses API; remove it "
						+ "(requests at /v1/responses are translated for type " + type.id() + ")");
				return;
			}
			reasoning(provider, problem -> problems.add(where + ".reasoning" + (problem.startsWith("providers ")
					? ": " : ".") + problem));
			String url = baseUrl.toString();
			URI normalized = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
			Secret key = (provider.apiKey() != null && !provider.apiKey().isBlank()) ? Secret.of(provider.apiKey())
					: null;
			String apiVersion = (provider.apiVersion() != null && !provider.apiVersion().isBlank())
					? provider.apiVersion() : null;
			providers.add(new ProviderSpec(name, type, normalized, key, provider.headers(), provider.connectTimeout(),
					provider.responseTimeout(), provider.streamUsage(), apiVersion, provider.defaultMaxTokens(),
					provider.unsupportedParameters(), responsesApi(type, normalized, provider.responsesApi())));
		});
		List<ModelSpec> models = new ArrayList<>();
		for (int i = 0; i < properties.models().size(); i++) {
			SwitchboardProperties.Model model = properties.models().get(i);
			Set<Capability> capabilities = EnumSet.noneOf(Capability.class);
			for (String capability : model.capabilities()) {
				try {
					capabilities.add(Capability.of(capability));
				}
				catch (IllegalArgumentException ex) {
					problems.add("switchboard.models[" + i + "].capabilities: '" + capability + "' is unknown; use "
							+ Arrays.stream(Capability.values()).map(Capability::id).toList());
				}
			}
			String upstream = (model.upstreamModel() != null && !model.upstreamModel().isBlank())
					? model.upstreamModel() : model.id();
			models.add(new ModelSpec(model.id(), model.provider(), upstream, model.aliases(), model.inputPrice(),
					model.outputPrice(), model.cachedInputPrice(), model.cacheWritePrice(), model.cacheWriteHourPrice(),
					model.contextWindow(), capabilities, model.fallbacks(),
					reasoning(properties, model, "switchboard.models[" + i + "].reasoning", problems)));
		}
		ModelCatalog catalog = null;
		try {
			catalog = new ModelCatalog(providers, models);
		}
		catch (CatalogException ex) {
			problems.addAll(ex.problems());
		}
		if (!problems.isEmpty()) {
			throw new CatalogException(problems);
		}
		return catalog;
	}

	/**
	 * A model's reasoning table: its provider type's defaults, then the provider's
	 * {@code reasoning}, then the model's own. {@code null} (the type's defaults) when the model's
	 * provider is unknown or its own table is wrong, which are reported where they are found.
	 */
	private static @Nullable ReasoningTable reasoning(SwitchboardProperties properties, SwitchboardProperties.Model model,
			String where, List<String> problems) {
		SwitchboardProperties.Provider provider = properties.providers().get(model.provider());
		ReasoningTable table = (provider != null) ? reasoning(provider, null) : null;
		if (table == null || model.reasoning().isEmpty()) {
			return table;
		}
		ProviderType type = ProviderType.of(provider.type());
		if (ReasoningTable.levels(type).isEmpty()) {
			problems.add(where + ": " + noTable(type));
			return null;
		}
		try {
			return table.with(model.reasoning(), type);
		}
		catch (IllegalArgumentException ex) {
			problems.add(where + "." + ex.getMessage());
			return null;
		}
	}

	/**
	 * A provider's reasoning table, its type's defaults overridden by its {@code reasoning};
	 * {@code null} when its type is unknown or the table is wrong, reported to {@code problems}
	 * when given.
	 */
	private static @Nullable ReasoningTable reasoning(SwitchboardProperties.Provider provider,
			@Nullable Consumer<String> problems) {
		ProviderType type;
		try {
			type = ProviderType.of(provider.type());
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
		if (provider.reasoning().isEmpty()) {
			return ReasoningTable.defaults(type);
		}
		try {
			if (ReasoningTable.levels(type).isEmpty()) {
				throw new IllegalArgumentException(noTable(type));
			}
			return ReasoningTable.defaults(type).with(provider.reasoning(), type);
		}
		catch (IllegalArgumentException ex) {
			if (problems != null) {
				problems.accept(ex.getMessage());
			}
			return null;
		}
	}

	private static String noTable(ProviderType type) {
		return "providers of type " + type.id() + " are sent reasoning_effort as the client wrote it; only "
				+ "anthropic and gemini providers take a reasoning table";
	}

	/** Teams by name, validated against the catalog. */
	static Map<String, Team> teams(SwitchboardProperties properties, ModelCatalog catalog) {
		List<String> problems = new ArrayList<>();
		Map<String, Team> teams = new LinkedHashMap<>();
		properties.teams().forEach((name, team) -> {
			for (String model : team.models()) {
				if (!model.contains("*") && !catalog.knows(model)) {
					problems.add("switchboard.teams." + name + ".models: '" + model
							+ "' is not a model id, alias or provider/model id of switchboard.models");
				}
			}
			teams.put(name, new Team(name, team.models()));
		});
		throwIfAny(problems);
		return teams;
	}

	/** Lower-case key hash to team, rejecting anything that is not a SHA-256 hex digest. */
	static Map<String, Team> teamsByKeyHash(SwitchboardProperties properties, Map<String, Team> teams) {
		List<String> problems = new ArrayList<>();
		Map<String, Team> byHash = new LinkedHashMap<>();
		properties.teams().forEach((name, team) -> {
			for (String hash : team.keyHashes()) {
				String normalized = hash.trim().toLowerCase(Locale.ROOT);
				if (!ApiKeys.isSha256Hex(normalized)) {
					problems.add("switchboard.teams." + name + ".key-hashes: entries must be the 64-character SHA-256 "
							+ "hex of a client key, made with: echo -n \"$KEY\" | sha256sum");
					continue;
				}
				Team previous = byHash.put(normalized, teams.get(name));
				if (previous != null && !previous.name().equals(name)) {
					problems.add("switchboard.teams." + name + ".key-hashes: a key hash is also listed for team '"
							+ previous.name() + "'; a key must belong to one team");
				}
			}
		});
		throwIfAny(problems);
		return byHash;
	}

	/** Pools, with their strategy and sticky names checked; members are checked by the resolver. */
	static List<ModelPool> pools(SwitchboardProperties properties) {
		List<String> problems = new ArrayList<>();
		List<ModelPool> pools = new ArrayList<>();
		for (int i = 0; i < properties.pools().size(); i++) {
			SwitchboardProperties.Pool pool = properties.pools().get(i);
			String where = "switchboard.pools[" + i + "]";
			ModelPool.Strategy strategy = null;
			ModelPool.Sticky sticky = null;
			try {
				strategy = ModelPool.Strategy.of(pool.strategy());
			}
			catch (IllegalArgumentException ex) {
				problems.add(where + ".strategy: '" + pool.strategy()
						+ "' is unknown; use weighted, least-latency, least-in-flight or cheapest");
			}
			try {
				sticky = ModelPool.Sticky.of(pool.sticky());
			}
			catch (IllegalArgumentException ex) {
				problems.add(where + ".sticky: '" + pool.sticky() + "' is unknown; use none, team or user");
			}
			if (strategy != null && sticky != null) {
				pools.add(new ModelPool(pool.name(), strategy, sticky, pool.members()
					.stream()
					.map(member -> new ModelPool.Member(member.model(), member.weight()))
					.toList()));
			}
		}
		throwIfAny(problems);
		return pools;
	}

	/** Rollouts, with their sticky names and intervals checked; names and models are checked by the resolver. */
	static List<Rollout> rollouts(SwitchboardProperties properties) {
		List<String> problems = new ArrayList<>();
		List<Rollout> rollouts = new ArrayList<>();
		for (int i = 0; i < properties.rollouts().size(); i++) {
			SwitchboardProperties.Rollout rollout = properties.rollouts().get(i);
			String where = "switchboard.rollouts[" + i + "]";
			ModelPool.Sticky sticky = null;
			try {
				sticky = ModelPool.Sticky.of(rollout.sticky());
			}
			catch (IllegalArgumentException ex) {
				problems.add(where + ".sticky: '" + rollout.sticky() + "' is unknown; use none, team or user");
			}
			if (rollout.step() > 0 && (rollout.every().isZero() || rollout.every().isNegative())) {
				problems.add(where + ".every: must be positive when step is set, was " + rollout.every());
			}
			SwitchboardProperties.Guards guards = rollout.guards();
			if (guards.window().isZero() || guards.window().isNegative()) {
				problems.add(where + ".guards.window: must be positive, was " + guards.window());
			}
			if (sticky != null) {
				rollouts.add(new Rollout(rollout.name(), rollout.to(), rollout.percent(), rollout.step(), rollout.every(),
						sticky, new Rollout.Guards(guards.window(), guards.minRequests(), guards.maxErrorRateIncrease(),
								guards.maxLatencyRatio(), guards.maxTtftRatio())));
			}
		}
		throwIfAny(problems);
		return rollouts;
	}

	/** Every configured provider type needs an adapter bean. */
	static void checkAdapters(ModelCatalog catalog, ProviderAdapters adapters) {
		List<String> problems = new ArrayList<>();
		catalog.providers().forEach((name, provider) -> {
			if (!adapters.supports(provider.type())) {
				problems.add("switchboard.providers." + name + ".type: no ProviderAdapter bean handles type '"
						+ provider.type().id() + "'");
			}
		});
		throwIfAny(problems);
	}

	private static void throwIfAny(List<String> problems) {
		if (!problems.isEmpty()) {
			throw new CatalogException(problems);
		}
	}

	/** Each provider's limits, checked: a message per property to fix. */
	static Map<String, ProviderLimits.Limits> providerLimits(SwitchboardProperties properties) {
		List<String> problems = new ArrayList<>();
		Map<String, ProviderLimits.Limits> limits = new LinkedHashMap<>();
		properties.providers().forEach((name, provider) -> {
			SwitchboardProperties.ProviderLimits own = provider.limits();
			try {
				limits.put(name, new ProviderLimits.Limits(own.maxInFlight(), own.requestsPerMinute(),
						own.tokensPerMinute(), own.maxWait(), own.maxLength()));
			}
			catch (IllegalArgumentException ex) {
				problems.add("switchboard.providers." + name + ".limits: " + ex.getMessage());
			}
		});
		if (!problems.isEmpty()) {
			throw new CatalogException(problems);
		}
		return limits;
	}

	/**
	 * Whether a provider serves OpenAI's Responses API: as configured, else OpenAI itself does and
	 * no other server is assumed to (most OpenAI-compatible servers have chat completions only).
	 */
	static boolean responsesApi(ProviderType type, URI baseUrl, @Nullable Boolean configured) {
		if (configured != null) {
			return configured;
		}
		return type == ProviderType.OPENAI && "api.openai.com".equalsIgnoreCase(baseUrl.getHost());
	}

}
