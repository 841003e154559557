package dev.switchboard.observe.metrics;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import org.jspecify.annotations.Nullable;

import dev.switchboard.core.Attempt;
import dev.switchboard.core.Bill;
import dev.switchboard.core.CompareLeg;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.LlmExchangeListener;
import dev.switchboard.core.RouteTarget;
import dev.switchboard.core.Usage;

import static dev.switchboard.observe.GenAiAttributes.ERROR_TYPE;
import static dev.switchboard.observe.GenAiAttributes.OPERATION;
import static dev.switchboard.observe.GenAiAttributes.PROVIDER;
import static dev.switchboard.observe.GenAiAttributes.REQUEST_MODEL;
import static dev.switchboard.observe.GenAiAttributes.RESPONSE_MODEL;
import static dev.switchboard.observe.GenAiAttributes.TEAM;
import static dev.switchboard.observe.GenAiAttributes.TOKEN_TYPE;
import static dev.switchboard.observe.GenAiAttributes.errorType;

/**
 * Micrometer metrics following the OpenTelemetry GenAI semantic conventions, plus the gateway's
 * own: requests by outcome, cost, failover attempts.
 *
 * <p>Tags are bounded by configuration (team, requested model, provider, served model, error
 * type); nothing a client chooses freely (a user id, a prompt, an unknown model name) becomes a
 * tag. Registered on every LLM exchange and fed by its listener callbacks, so no body is parsed
 * twice.
 *
 * <p>Meters are looked up once per tag set and kept (at most {@value #MAX_CACHED} tag sets of each
 * kind; beyond that, lookups go through the registry as before), so the request path does not build
 * tags and search the registry every time. The cache empties whenever a meter leaves the registry,
 * so a removed meter is never written to again.
 */
public class GenAiMetrics implements LlmExchangeListener {

	public static final String TOKEN_USAGE = "gen_ai.client.token.usage";

	public static final String OPERATION_DURATION = "gen_ai.client.operation.duration";

	public static final String TIME_TO_FIRST_TOKEN = "gen_ai.server.time_to_first_token";

	public static final String REQUESTS = "switchboard.requests";

	public static final String COST = "switchboard.cost";

	public static final String ATTEMPTS = "switchboard.attempts";

	public static final String OUTCOME = "outcome";

	/** Legs of comparisons ({@code /v1/compare}), by team and outcome: also counted as the chat requests they are. */
	public static final String COMPARE_LEGS = "switchboard.compare.legs";

	/** What comparisons cost, by team: the part of {@value #COST} spent comparing models. */
	public static final String COMPARE_COST = "switchboard.compare.cost";

	/** Tag sets kept per kind of meter; error types and outcomes multiply the configured ones by a few. */
	static final int MAX_CACHED = 4096;

	private static final Set<String> OWN_METERS = Set.of(TOKEN_USAGE, OPERATION_DURATION,
			TIME_TO_FIRST_TOKEN, REQUESTS, COST, ATTEMPTS);

	private final MeterRegistry registry;

	private final Map<AttemptKey, Counter> attempts = new ConcurrentHashMap<>();

	private final Map<ExchangeKey, ExchangeMeters> exchanges = new ConcurrentHashMap<>();

	private final Map<OutcomeKey, OutcomeMeters> outcomes = new ConcurrentHashMap<>();

	public GenAiMetrics(MeterRegistry registry) {
		this.registry = registry;
		// Only our own meters: a registry that drops some other meter must not empty these caches.
		registry.config().onMeterRemoved(meter -> {
			if (OWN_METERS.contains(meter.getId().getName())) {
				clearCache();
			}
		});
	}

	@Override
	public void onAttemptEnd(LlmExchange exchange, Attempt attempt) {
		AttemptKey key = new AttemptKey(attempt.target().provider().name(), attempt.target().model().upstreamModel(),
				attempt.outcome());
		cached(this.attempts, key, k -> Counter.builder(ATTEMPTS)
			.description("Calls to providers, by outcome; more than one per request means retries or failover")
			.tags(PROVIDER, k.provider(), RESPONSE_MODEL, k.model(), OUTCOME, k.outcome().name().toLowerCase())
			.register(this.registry)).increment();
	}

	@Override
	public void onComplete(LlmExchange exchange, LlmExchange.Completion completion, @Nullable Throwable error) {
		Attempt served = exchange.attempts().serving();
		RouteTarget target = (served != null) ? served.target() : null;
		ExchangeKey key = new ExchangeKey(exchange.operation().otelName(), exchange.requestedModel(),
				exchange.team().name(), (target != null) ? target.provider().name() : "none",
				(target != null) ? target.model().upstreamModel() : "none");
		ExchangeMeters meters = cached(this.exchanges, key, ExchangeMeters::new);
		OutcomeMeters outcome = cached(this.outcomes, new OutcomeKey(key, completion, errorType(completion, error)),
				k -> new OutcomeMeters(k, meters.tags));
		outcome.duration.record(System.nanoTime() - exchange.timing().startNanos(), TimeUnit.NANOSECONDS);
		outcome.requests.increment();
		boolean compared = exchange.get(CompareLeg.class) != null;
		if (compared) {
			Counter.builder(COMPARE_LEGS)
				.description("Legs of model comparisons, by outcome")
				.tags(TEAM, key.team(), OUTCOME, completion.name().toLowerCase())
				.register(this.registry)
				.increment();
		}
		if (exchange.timing().timeToFirstTokenNanos() > 0) {
			meters.timeToFirstToken().record(Duration.ofNanos(exchange.timing().timeToFirstTokenNanos()));
		}
		// The bill, not only what a provider reported: a stream the client cut still counts what it streamed.
		Bill bill = exchange.bill();
		if (bill == null || target == null) {
			return;
		}
		Usage usage = bill.usage();
		target = bill.target();
		meters.inputTokens().record(usage.promptTokens());
		meters.outputTokens().record(usage.completionTokens());
		meters.cost().increment(bill.cost().doubleValue());
		if (compared) {
			Counter.builder(COMPARE_COST)
				.description("Spend in USD on model comparisons at catalog prices")
				.baseUnit("usd")
				.tags(TEAM, key.team())
				.register(this.registry)
				.increment(bill.cost().doubleValue());
		}
	}

	/** The cached value for {@code key}, made and kept unless the cache is full. */
	private static <K, V> V cached(Map<K, V> cache, K key, Function<K, V> make) {
		V value = cache.get(key);
		if (value != null) {
			return value;
		}
		value = make.apply(key);
		if (cache.size() < MAX_CACHED) {
			V raced = cache.putIfAbsent(key, value);
			return (raced != null) ? raced : value;
		}
		return value;
	}

	private void clearCache() {
		this.attempts.clear();
		this.exchanges.clear();
		this.outcomes.clear();
	}

	/** Cached tag sets, for tests. */
	int cachedTagSets() {
		return this.attempts.size() + this.exchanges.size() + this.outcomes.size();
	}

	private record AttemptKey(String provider, String model, Attempt.Outcome outcome) {
	}

	private record ExchangeKey(String operation, String requestedModel, String team, String provider,
			String responseModel) {
	}

	private record OutcomeKey(ExchangeKey exchange, LlmExchange.Completion completion, String errorType) {
	}

	/** The meters of one outcome: operation duration and request count. */
	private final class OutcomeMeters {

		final Timer duration;

		final Counter requests;

		OutcomeMeters(OutcomeKey key, Tags tags) {
			this.duration = Timer.builder(OPERATION_DURATION)
				.description("Duration of LLM operations through the gateway")
				.tags(tags.and(ERROR_TYPE, key.errorType()))
				.register(GenAiMetrics.this.registry);
			this.requests = Counter.builder(REQUESTS)
				.description("LLM requests by outcome")
				.tags(tags.and(OUTCOME, key.completion().name().toLowerCase(), ERROR_TYPE, key.errorType()))
				.register(GenAiMetrics.this.registry);
		}

	}

	/**
	 * The meters of one tag set that do not depend on the outcome, registered when first used (a
	 * tag set that never streams has no time-to-first-token timer, as before the cache).
	 */
	private final class ExchangeMeters {

		final Tags tags;

		private volatile @Nullable Timer timeToFirstToken;

		private volatile @Nullable DistributionSummary inputTokens;

		private volatile @Nullable DistributionSummary outputTokens;

		private volatile @Nullable Counter cost;

		ExchangeMeters(ExchangeKey key) {
			this.tags = Tags.of(OPERATION, key.operation(), REQUEST_MODEL, key.requestedModel(), TEAM, key.team(),
					PROVIDER, key.provider(), RESPONSE_MODEL, key.responseModel());
		}

		// Registering twice in a race is harmless: the registry returns the same meter.

		Timer timeToFirstToken() {
			Timer timer = this.timeToFirstToken;
			if (timer == null) {
				timer = Timer.builder(TIME_TO_FIRST_TOKEN)
					.description("Time from the request to the first generated token")
					.tags(this.tags)
					.register(GenAiMetrics.this.registry);
				this.timeToFirstToken = timer;
			}
			return timer;
		}

		DistributionSummary inputTokens() {
			DistributionSummary summary = this.inputTokens;
			if (summary == null) {
				summary = tokens("input");
				this.inputTokens = summary;
			}
			return summary;
		}

		DistributionSummary outputTokens() {
			DistributionSummary summary = this.outputTokens;
			if (summary == null) {
				summary = tokens("output");
				this.outputTokens = summary;
			}
			return summary;
		}

		Counter cost() {
			Counter counter = this.cost;
			if (counter == null) {
				counter = Counter.builder(COST)
					.description("Spend in USD at catalog prices")
					.baseUnit("usd")
					.tags(this.tags)
					.register(GenAiMetrics.this.registry);
				this.cost = counter;
			}
			return counter;
		}

		private DistributionSummary tokens(String type) {
			return DistributionSummary.builder(TOKEN_USAGE)
				.description("Tokens used per LLM operation")
				.tags(this.tags.and(TOKEN_TYPE, type))
				.register(GenAiMetrics.this.registry);
		}

	}

}
