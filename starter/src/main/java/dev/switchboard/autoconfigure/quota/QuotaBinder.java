package dev.switchboard.autoconfigure.quota;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

import dev.switchboard.catalog.Capability;
import dev.switchboard.catalog.CatalogException;
import dev.switchboard.catalog.ModelCatalog;
import dev.switchboard.catalog.ModelSpec;
import dev.switchboard.quota.LimitSet;
import dev.switchboard.quota.QueuePolicy;
import dev.switchboard.quota.QuotaLimit;
import dev.switchboard.quota.QuotaPolicy;
import dev.switchboard.quota.backend.BucketSpec;

/**
 * Turns {@link QuotaProperties} into a {@link QuotaPolicy}, collecting every problem with the
 * property to fix: negative or zero limits, unknown teams and models, dry-run and soft lists that
 * name no limit, soft limits without a model to downgrade to, Redis chosen without settings.
 */
final class QuotaBinder {

	private static final BigDecimal NANO = BigDecimal.valueOf(1_000_000_000L);

	/** Requests that may wait per lane when a queue sets max-wait but no max-length. */
	static final int DEFAULT_QUEUE_LENGTH = 100;

	private QuotaBinder() {
	}

	/** Every team's burst queue, the defaults' merged under each team's own settings. */
	static QueuePolicy queues(QuotaProperties properties) {
		List<String> problems = new ArrayList<>();
		String root = "switchboard.quota";
		QuotaProperties.Queue base = properties.defaults().queue();
		QueuePolicy.Queue defaults = queue(root + ".defaults.queue", base, null, problems);
		Map<String, QueuePolicy.Queue> teams = new LinkedHashMap<>();
		properties.teams().forEach((team, limits) -> {
			if (limits.queue() != null) {
				teams.put(team, queue(root + ".teams." + team + ".queue", limits.queue(), base, problems));
			}
			limits.models().forEach((model, own) -> {
				if (own.queue() != null) {
					problems.add(root + ".teams." + team + ".models." + model
							+ ".queue: the queue is set per team (teams." + team + ".queue), not per model");
				}
			});
		});
		properties.defaults().models().forEach((model, own) -> {
			if (own.queue() != null) {
				problems.add(root + ".defaults.models." + model + ".queue: the queue is set per team or under defaults, "
						+ "not per model");
			}
		});
		QuotaProperties.ClientLayer client = properties.clientLayer();
		if (client != null && client.limits().queue() != null) {
			problems.add(root + ".client-layer.limits.queue: the queue is set per team; a client waits in its team's "
					+ "queue, in a lane of its own");
		}
		if (!problems.isEmpty()) {
			throw new CatalogException(problems);
		}
		return new QueuePolicy(defaults, teams);
	}

	private static QueuePolicy.Queue queue(String where, QuotaProperties.@Nullable Queue own,
			QuotaProperties.@Nullable Queue base, List<String> problems) {
		if (own == null && base == null) {
			return QueuePolicy.Queue.OFF;
		}
		Duration maxWait = pick(own, base, QuotaProperties.Queue::maxWait, Duration.ZERO);
		Integer maxLength = pick(own, base, QuotaProperties.Queue::maxLength, null);
		if (maxWait.isNegative()) {
			problems.add(where + ".max-wait: must not be negative, got " + maxWait + "; 0 turns the queue off");
			return QueuePolicy.Queue.OFF;
		}
		if (maxLength != null && maxLength < 0) {
			problems.add(where + ".max-length: must not be negative, got " + maxLength);
			return QueuePolicy.Queue.OFF;
		}
		if (!maxWait.isZero() && maxLength != null && maxLength == 0) {
			problems.add(where + ".max-length: 0 lets nobody wait, but max-wait is " + maxWait
					+ "; set max-length to at least 1, or max-wait to 0 to turn the queue off");
			return QueuePolicy.Queue.OFF;
		}
		int length = (maxLength != null) ? maxLength : (maxWait.isZero() ? 0 : DEFAULT_QUEUE_LENGTH);
		return new QueuePolicy.Queue(maxWait, length,
				pick(own, base, QuotaProperties.Queue::priority, QueuePolicy.Priority.NORMAL),
				pick(own, base, QuotaProperties.Queue::priorityHeader, false));
	}

	/** The team's own value, else the defaults', else {@code fallback}. */
	private static <T> T pick(QuotaProperties.@Nullable Queue own, QuotaProperties.@Nullable Queue base,
			Function<QuotaProperties.Queue, @Nullable T> field, T fallback) {
		T value = (own != null) ? field.apply(own) : null;
		if (value == null && base != null) {
			value = field.apply(base);
		}
		return (value != null) ? value : fallback;
	}

	static QuotaPolicy policy(QuotaProperties properties, ModelCatalog catalog, Set<String> knownTeams) {
		List<String> problems = new ArrayList<>();
		String root = "switchboard.quota";
		if (properties.completionReservation() < 1) {
			problems.add(root + ".completion-reservation: must be at least 1, got " + properties.completionReservation());
		}
		if (properties.backend() == QuotaProperties.Backend.REDIS) {
			// The connection (switchboard.redis) is checked where it is made: SwitchboardRedisAutoConfiguration.
			QuotaProperties.Redis redis = properties.redis();
			if (redis.timeout().isNegative() || redis.timeout().isZero()) {
				problems.add(root + ".redis.timeout: must be positive, got " + redis.timeout());
			}
		}
		// Bucket4j counts in memory, and in the fail-open fallback of the Redis backend: its buckets
		// bound the largest limit (BucketSpec.maxAmount). Redis failing closed never builds one.
		boolean bucketed = properties.backend() == QuotaProperties.Backend.MEMORY
				|| properties.failureMode() == dev.switchboard.quota.FailureMode.OPEN;
		LimitSet defaults = limits(root + ".defaults", properties.defaults(), catalog, problems, bucketed);
		Map<String, LimitSet> defaultModels = models(root + ".defaults", properties.defaults(), catalog, problems, bucketed);
		Map<String, LimitSet> teams = new LinkedHashMap<>();
		Map<String, Map<String, LimitSet>> teamModels = new LinkedHashMap<>();
		properties.teams().forEach((team, limits) -> {
			String where = root + ".teams." + team;
			if (!knownTeams.isEmpty() && !knownTeams.contains(team)) {
				problems.add(where + ": '" + team + "' is not a team of switchboard.teams " + knownTeams);
			}
			teams.put(team, limits(where, limits, catalog, problems, bucketed));
			teamModels.put(team, models(where, limits, catalog, problems, bucketed));
		});
		QuotaPolicy.ClientLayer layer = null;
		QuotaProperties.ClientLayer client = properties.clientLayer();
		if (client != null) {
			String where = root + ".client-layer";
			QuotaPolicy.ClientLayer.Source source = null;
			try {
				source = QuotaPolicy.ClientLayer.Source.valueOf(client.source().trim().toUpperCase(Locale.ROOT));
			}
			catch (IllegalArgumentException ex) {
				problems.add(where + ".source: '" + client.source() + "' is not key or header");
			}
			if (source == QuotaPolicy.ClientLayer.Source.HEADER && (client.header() == null || client.header().isBlank())) {
				problems.add(where + ".header: required when client-layer.source is header, e.g. X-End-User");
			}
			if (!client.limits().models().isEmpty()) {
				problems.add(where + ".limits.models: per-model limits are set on teams or defaults, not per client");
			}
			LimitSet limits = limits(where + ".limits", client.limits(), catalog, problems, bucketed);
			if (source != null) {
				layer = new QuotaPolicy.ClientLayer(source, client.header(), limits);
			}
		}
		if (!problems.isEmpty()) {
			throw new CatalogException(problems);
		}
		QuotaPolicy policy = new QuotaPolicy(defaults, teams, defaultModels, teamModels, null,
				properties.completionReservation());
		return (layer != null) ? policy.withClientLayer(layer) : policy;
	}

	private static Map<String, LimitSet> models(String where, QuotaProperties.Limits limits, ModelCatalog catalog,
			List<String> problems, boolean bucketed) {
		Map<String, LimitSet> models = new LinkedHashMap<>();
		limits.models().forEach((name, model) -> {
			String at = where + ".models." + name;
			ModelSpec spec = catalog.find(name).orElse(null);
			if (spec == null) {
				problems.add(at + ": '" + name + "' is not a model id, alias or provider/model id of switchboard.models");
				return;
			}
			if (!model.models().isEmpty()) {
				problems.add(at + ".models: models cannot be nested");
			}
			LimitSet set = limits(at, model, catalog, problems, bucketed);
			models.merge(spec.id(), set, (a, b) -> b.over(a));
		});
		return models;
	}

	static LimitSet limits(String where, QuotaProperties.Limits limits, ModelCatalog catalog, List<String> problems,
			boolean bucketed) {
		Map<QuotaLimit, Long> amounts = new EnumMap<>(QuotaLimit.class);
		count(amounts, QuotaLimit.REQUESTS_PER_MINUTE, limits.requestsPerMinute(), where, problems, bucketed);
		count(amounts, QuotaLimit.TOKENS_PER_MINUTE, limits.tokensPerMinute(), where, problems, bucketed);
		count(amounts, QuotaLimit.TOKENS_PER_DAY, limits.tokensPerDay(), where, problems, bucketed);
		count(amounts, QuotaLimit.TOKENS_PER_MONTH, limits.tokensPerMonth(), where, problems, bucketed);
		usd(amounts, QuotaLimit.SPEND_PER_DAY, limits.spendPerDay(), where, problems, bucketed);
		usd(amounts, QuotaLimit.SPEND_PER_MONTH, limits.spendPerMonth(), where, problems, bucketed);
		Set<QuotaLimit> dryRun = names(where + ".dry-run", limits.dryRun(), amounts, problems);
		Set<QuotaLimit> soft = names(where + ".soft", limits.soft(), amounts, problems);
		for (QuotaLimit limit : soft) {
			if (dryRun.contains(limit)) {
				problems.add(where + ".soft: '" + limit + "' is also dry-run; a limit is one or the other");
			}
		}
		String downgrade = limits.downgradeTo();
		if (!soft.isEmpty() && (downgrade == null || downgrade.isBlank())) {
			problems.add(where + ".downgrade-to: required with soft limits: the cheaper model id or alias to serve");
		}
		if (downgrade != null && !downgrade.isBlank()) {
			ModelSpec model = catalog.find(downgrade).orElse(null);
			if (model == null) {
				problems.add(where + ".downgrade-to: '" + downgrade
						+ "' is not a model id, alias or provider/model id of switchboard.models");
			}
			else if (!model.supports(Capability.CHAT)) {
				problems.add(where + ".downgrade-to: '" + downgrade + "' does not serve chat completions");
			}
		}
		return new LimitSet(amounts, dryRun, soft, (downgrade != null && !downgrade.isBlank()) ? downgrade : null);
	}

	private static void count(Map<QuotaLimit, Long> amounts, QuotaLimit limit, Long value, String where,
			List<String> problems, boolean bucketed) {
		if (value == null) {
			return;
		}
		if (value < 1) {
			problems.add(where + "." + limit + ": must be at least 1, got " + value);
			return;
		}
		if (bucketed && value > BucketSpec.maxAmount(limit)) {
			problems.add(where + "." + limit + ": must be at most " + BucketSpec.maxAmount(limit) + ", got " + value
					+ "; for no limit, leave it out");
			return;
		}
		amounts.put(limit, value);
	}

	private static void usd(Map<QuotaLimit, Long> amounts, QuotaLimit limit, BigDecimal value, String where,
			List<String> problems, boolean bucketed) {
		if (value == null) {
			return;
		}
		if (value.signum() <= 0) {
			problems.add(where + "." + limit + ": must be a positive amount of USD, got " + value.toPlainString());
			return;
		}
		BigDecimal max = BigDecimal.valueOf(BucketSpec.maxAmount(limit)).divide(NANO);
		if (bucketed && value.compareTo(max) > 0) {
			problems.add(where + "." + limit + ": must be at most " + max.toPlainString() + " USD, got "
					+ value.toPlainString() + "; for no limit, leave it out");
			return;
		}
		BigDecimal nanos = value.multiply(NANO).setScale(0, java.math.RoundingMode.DOWN);
		if (nanos.signum() == 0) {
			problems.add(where + "." + limit + ": must be at least 0.000000001 USD, got " + value.toPlainString());
			return;
		}
		if (nanos.toBigInteger().bitLength() > 62) {
			problems.add(where + "." + limit + ": must be below " + BigDecimal.valueOf(Long.MAX_VALUE / 2).divide(NANO)
					.toPlainString() + " USD, got " + value.toPlainString() + "; for no limit, leave it out");
			return;
		}
		amounts.put(limit, nanos.longValueExact());
	}

	private static Set<QuotaLimit> names(String where, List<String> names, Map<QuotaLimit, Long> amounts,
			List<String> problems) {
		Set<QuotaLimit> limits = EnumSet.noneOf(QuotaLimit.class);
		for (String name : names) {
			QuotaLimit limit = QuotaLimit.find(name.trim());
			if (limit == null) {
				problems.add(where + ": '" + name + "' is not a limit; use one of " + QuotaLimit.ids());
			}
			else if (!amounts.containsKey(limit)) {
				problems.add(where + ": '" + name + "' is not set in this limit set");
			}
			else {
				limits.add(limit);
			}
		}
		return limits;
	}

}
