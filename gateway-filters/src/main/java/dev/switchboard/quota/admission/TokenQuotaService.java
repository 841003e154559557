package dev.switchboard.quota.admission;

import java.time.Clock;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpHeaders;

import dev.switchboard.catalog.ModelSpec;
import dev.switchboard.core.Bill;
import dev.switchboard.core.ConfigSnapshots;
import dev.switchboard.core.CostRecorded;
import dev.switchboard.core.Headers;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.ModelRoute;
import dev.switchboard.core.Operation;
import dev.switchboard.core.Pricing;
import dev.switchboard.core.QuotaCharge;
import dev.switchboard.core.RouteTarget;
import dev.switchboard.core.Timers;
import dev.switchboard.core.TokenEstimator;
import dev.switchboard.core.Usage;
import dev.switchboard.quota.FailureMode;
import dev.switchboard.quota.LimitSet;
import dev.switchboard.quota.QueuePolicy;
import dev.switchboard.quota.QuotaLimit.Dimension;
import dev.switchboard.quota.QuotaLimit;
import dev.switchboard.quota.QuotaPolicy;
import dev.switchboard.quota.backend.BucketSpec;
import dev.switchboard.quota.backend.InMemoryQuotaBackend;
import dev.switchboard.quota.backend.QuotaBackend;
import dev.switchboard.quota.backend.RedisQuotaBackend;
import dev.switchboard.route.ModelResolver;

/**
 * Token quotas and budgets, reserve-then-settle: the plain service behind the {@code LlmQuota}
 * filter, with no Spring in it.
 *
 * <p><b>Reserve.</b> Before the call, the prompt is counted ({@link TokenEstimator}) and the request
 * reserves one request, prompt plus requested completion tokens ({@code max_completion_tokens},
 * {@code max_tokens}, else {@link QuotaPolicy#completionReservation()}; times {@code n}), and their
 * price, in every bucket that applies: the team's, the model's within the team, the client's
 * within the team. Each bucket holds all limits of one dimension as bandwidths, so one Bucket4j
 * consumption checks and takes them atomically: there is no check-then-act anywhere.
 *
 * <p><b>Several buckets, one step.</b> The buckets of a request are taken in one backend call
 * ({@link QuotaBackend#tryConsumeAll}): every enforced bucket or none, and each dry-run bucket that
 * fits. On Redis that is one script, atomic across all of them: one round trip, no compensation. In
 * memory each bucket is taken on its own and the ones that accepted are refunded when another
 * refuses; each bucket never admits more than it holds, so admitted usage never exceeds a limit
 * there either, and the only cost is that, between consumption and refund, a concurrent request
 * may be refused early: the safe side. Soft limits are a step of their own before it, since
 * exceeding one changes the model and so the other buckets and the price.
 *
 * <p><b>Settle.</b> When the request completes, each bucket is corrected from the reservation to the
 * billed usage (unused tokens refunded, excess charged into debt) and the usage is added to the
 * team's ledger, in one backend call ({@link QuotaBackend#settle}), exactly once: the reservation
 * settles once (see {@link Reservation#billedUsage}) and the backend applies its id once.
 *
 * <p><b>Modes.</b> Enforced limits reject with 429; dry-run limits are consumed like enforced
 * ones when the request fits and only counted, logged and reported (header, metric) when it does
 * not; soft limits are checked first and, when exceeded, the request is rerouted to the limit
 * set's {@code downgrade-to} model instead.
 *
 * <p><b>Store failures.</b> Every pre-call reservation is bounded by the timeout. When the
 * store fails or is too slow, {@link FailureMode#OPEN} serves and counts in a local fallback backend
 * ({@link FailureMode#CLOSED} answers 503) and, for one probe interval, does not try the store again,
 * so an outage costs one timeout per interval, not one per request. The first failure of an outage
 * is logged at WARN, the recovery at INFO; every failure is counted.
 */
public final class TokenQuotaService {

	private static final Logger log = LoggerFactory.getLogger(TokenQuotaService.class);

	/** How long the store is left alone after a failure before it is tried again. */
	public static final Duration DEFAULT_PROBE_INTERVAL = Duration.ofSeconds(1);

	private final QuotaPolicy policy;

	private final QuotaBackend backend;

	private final StoreGuard store;

	private final Settlement settlement;

	private final QuotaSnapshots snapshots;

	private final Duration timeout;

	private final TokenEstimator estimator;

	private final ModelResolver resolver;

	private final QuotaMetrics metrics;

	private final Clock clock;

	private final QueuePolicy queues;

	private final BurstQueue queue;

	private final QuotaBuckets buckets;

	/** The live configuration whose versions carry the quota policy, or {@code null}: {@link #policy} is fixed. */
	private final @Nullable ConfigSnapshots snapshotsOfConfig;

	private TokenQuotaService(Builder builder) {
		this.policy = builder.policy;
		this.backend = builder.backend;
		QuotaBackend fallback = (builder.failureMode == FailureMode.OPEN
				&& !builder.backend.inProcess())
						? ((builder.fallback != null) ? builder.fallback : new InMemoryQuotaBackend(builder.clock)) : null;
		this.store = new StoreGuard(builder.backend, fallback, builder.failureMode, builder.timeout,
				builder.probeInterval, builder.metrics, builder.clock);
		this.settlement = new Settlement(builder.timeout, builder.metrics, builder.clock);
		this.snapshots = new QuotaSnapshots(this::policy, this.store, builder.keyPrefix, builder.clock);
		this.timeout = builder.timeout;
		this.estimator = builder.estimator;
		this.resolver = builder.resolver;
		this.metrics = builder.metrics;
		this.clock = builder.clock;
		this.buckets = new QuotaBuckets(builder.keyPrefix);
		this.queues = builder.queues;
		this.snapshotsOfConfig = builder.config;
		this.queue = (builder.queue != null) ? builder.queue
				: new BurstQueue(Schedulers.parallel(), BurstQueue.Metrics.NONE);
	}

	public static Builder builder(QuotaPolicy policy, QuotaBackend backend, ModelResolver resolver) {
		return new Builder(policy, backend, resolver);
	}

	/** The policy of the current configuration version (the builder's when the configuration is fixed). */
	public QuotaPolicy policy() {
		if (this.snapshotsOfConfig != null) {
			QuotaPolicy current = this.snapshotsOfConfig.current().part(QuotaPolicy.class);
			if (current != null) {
				return current;
			}
		}
		return this.policy;
	}

	/** The policy of the exchange's configuration version: a request counts on the limits it arrived under. */
	QuotaPolicy policy(LlmExchange exchange) {
		QuotaPolicy bound = exchange.configured(QuotaPolicy.class);
		return (bound != null) ? bound : policy();
	}

	private QueuePolicy queues(LlmExchange exchange) {
		return exchange.configured(QueuePolicy.class, this.queues);
	}

	public QuotaBackend backend() {
		return this.backend;
	}

	/** Whether the last call to the store failed and it has not answered since. */
	public boolean storeDown() {
		return this.store.down();
	}

	// ---- reserve

	/**
	 * Reserves for a request that came in with these headers (which name its client, for the client
	 * layer): {@link #reserve(LlmExchange, String, boolean)}.
	 */
	public Mono<Admission> reserve(LlmExchange exchange, HttpHeaders requestHeaders, boolean dryRun) {
		QuotaPolicy.ClientLayer layer = policy(exchange).clientLayer();
		String client = (layer != null) ? layer.clientOf(requestHeaders) : null;
		return reserve(exchange, client, dryRun, priority(exchange, requestHeaders.getFirst(Headers.PRIORITY)));
	}

	/** The team's class, or the one the request asks for when the team may choose. */
	private QueuePolicy.Priority priority(LlmExchange exchange, @Nullable String asked) {
		QueuePolicy.Queue queue = queues(exchange).team(exchange.team().name());
		if (asked == null) {
			return queue.priority();
		}
		QueuePolicy.Priority chosen = QueuePolicy.Priority.of(asked);
		if (!queue.priorityHeader() || chosen == null) {
			exchange.decide("quota", "priority '" + asked + "' ignored: " + (queue.priorityHeader()
					? "not one of low, normal, high" : "team '" + exchange.team().name() + "' may not choose"));
			return queue.priority();
		}
		return chosen;
	}

	/** The queue's view of the service: requests waiting now. */
	public BurstQueue queue() {
		return this.queue;
	}

	/**
	 * Reserves what the request may use, or fails with a {@link QuotaExceededException} (429), or
	 * with a 503 when the store is away and the failure mode is closed. On success the returned
	 * reservation is registered on the exchange and settles itself when the request completes; a
	 * soft limit may have rerouted the exchange.
	 * @param client the client within the team for the client layer (a key hash or end-user id), or
	 * {@code null}
	 */
	public Mono<Admission> reserve(LlmExchange exchange, @Nullable String client) {
		return reserve(exchange, client, false);
	}

	/**
	 * As {@link #reserve(LlmExchange, String)}; {@code dryRun} treats every limit as dry-run (a
	 * route rolling quotas out: nothing is rejected or downgraded, everything is counted).
	 */
	public Mono<Admission> reserve(LlmExchange exchange, @Nullable String client, boolean dryRun) {
		return reserve(exchange, client, dryRun, queues(exchange).team(exchange.team().name()).priority());
	}

	private Mono<Admission> reserve(LlmExchange exchange, @Nullable String client, boolean dryRun,
			QueuePolicy.Priority priority) {
		RouteTarget requested = exchange.route().primary();
		QuotaCharge preset = QuotaCharge.of(exchange);
		// An answer the gateway gives itself (a charged cache hit) reserves exactly its charge.
		long completion = (preset != null) ? preset.usage().completionTokens() : completionTokens(exchange);
		Mono<Long> promptTokens = (preset != null) ? Mono.just(preset.usage().promptTokens())
				: this.estimator.promptTokens(exchange.operation(), exchange.body(), requested);
		return promptTokens
			.flatMap(prompt -> {
				Request request = new Request(exchange, policy(exchange), client, prompt, completion,
						YearMonth.now(this.clock.withZone(ZoneOffset.UTC)), dryRun);
				String team = exchange.team().name();
				// A lane per set of buckets the request draws on: team, model, client.
				String lane = team + '\u0000' + requested.model().id() + '\u0000' + ((client != null) ? client : "");
				return this.queue.admit(team, lane, queues(exchange).team(team), priority,
						() -> this.store.call("reserve", backend -> reserveOn(backend, request)),
						// Taken for a client that left while its turn was decided: given back.
						outcome -> refund(outcome.backend, outcome.charges).subscribe(null, error -> {
							log.warn("Could not give back the reservation of request {} (its client left while it "
									+ "was admitted): {}", exchange.requestId(), error.toString());
							this.metrics.backendFailure(outcome.backend.name(), "refund");
						}));
			})
			// Counted once, when the client gets the 429: not on each try of a request that waits.
			.doOnError(QuotaExceededException.class,
					rejected -> this.metrics.rejected(exchange.team().name(), rejected.limit(), false))
			.map(queued -> admit(exchange, queued.value(), queued.waited()));
	}

	private Admission admit(LlmExchange exchange, Outcome outcome, Duration queued) {
		if (!queued.isZero()) {
			exchange.decide("quota", "waited " + queued.toMillis() + " ms in the burst queue");
		}
		if (outcome.downgradedTo != null) {
			String from = exchange.requestedModel();
			exchange.reroute(outcome.downgradedTo, "quota: soft limit " + outcome.softLimit + " of team '"
					+ exchange.team().name() + "' exceeded, '" + from + "' -> " + outcome.downgradedTo.primary().label());
			this.metrics.downgraded(exchange.team().name());
		}
		Reservation reservation = new Reservation(this, outcome.backend, exchange, outcome.target, outcome.prompt,
				outcome.completion, outcome.charges, outcome.enforced);
		exchange.addListener(reservation);
		exchange.billWith(reservation::bill);
		if (exchange.stream() && exchange.response().preset() == null) {
			// Counts the stream as it passes and ends it when it outgrows what the budgets left.
			exchange.response().decorate(response -> response.isStream() ? response.withEvents(reservation::guard)
					: response);
		}
		if (outcome.backend instanceof RedisQuotaBackend) {
			// The settlement script adds the usage per model to the team's ledger, which the fleet's cost report reads.
			exchange.put(CostRecorded.class, new CostRecorded("quota settlement"));
		}
		exchange.decide("quota", "reserved " + outcome.prompt + "+" + outcome.completion + " tokens on "
				+ outcome.backend.name() + (outcome.headers.dryRun().isEmpty() ? ""
						: "; dry-run limits exceeded: " + outcome.headers.dryRun()));
		return new Admission(reservation, outcome.headers, queued);
	}

	/** Soft limits first (they may change the model), then enforced and dry-run ones side by side. */
	private Mono<Outcome> reserveOn(QuotaBackend store, Request request) {
		RouteTarget requested = request.exchange.route().primary();
		List<BucketSpec> soft = request.dryRun ? List.of() : buckets(request, requested, LimitSet.Mode.SOFT);
		Mono<Soft> softPhase = soft.isEmpty() ? Mono.just(new Soft(requested, List.of(), null, null))
				: consumeAll(store, soft, demand(request, requested), false).map(batch -> {
					if (batch.admitted) {
						return new Soft(requested, charges(batch), null, null);
					}
					Probed refused = firstRefused(batch.results);
					QuotaLimit limit = QuotaRefusals.refusedLimit(refused, demand(request, requested));
					ModelRoute downgrade = downgrade(request, refused, limit);
					return new Soft(downgrade.primary(), List.of(), downgrade, limit);
				});
		return softPhase.flatMap(soft2 -> {
			RouteTarget target = soft2.target;
			Demand demand = demand(request, target);
			List<BucketSpec> buckets = new ArrayList<>(buckets(request, target, LimitSet.Mode.ENFORCE));
			List<BucketSpec> enforced = List.copyOf(buckets);
			buckets.addAll(buckets(request, target, LimitSet.Mode.DRY_RUN));
			return consumeAll(store, buckets, demand, request.dryRun).flatMap(batch -> {
				List<Probed> results = batch.results;
				List<QuotaLimit> dryRun = new ArrayList<>();
				Probed refused = null;
				for (Probed result : results) {
					if (result.probe().consumed()) {
						continue;
					}
					QuotaLimit limit = QuotaRefusals.refusedLimit(result, demand);
					if (result.bucket().mode() == LimitSet.Mode.DRY_RUN || request.dryRun) {
						dryRun.add(limit);
						this.metrics.rejected(request.exchange.team().name(), limit, true);
						log.info("Dry-run quota: request {} of team '{}' would have been rejected by {} ({})",
								request.exchange.requestId(), request.exchange.team().name(), limit, result.bucket().scope());
					}
					else if (refused == null) {
						refused = result;
					}
				}
				Admission.Headers headers = RateLimitHeaders.of(this.clock.instant(), results, dryRun,
						(soft2.downgrade != null) ? request.exchange.requestedModel() : null, store.name());
				if (refused != null) {
					QuotaLimit limit = QuotaRefusals.refusedLimit(refused, demand);
					QuotaExceededException error = QuotaRefusals.rejection(request.exchange.team().name(), this.clock.instant(),
							refused, limit, demand, headers);
					// Nothing of this batch was taken; only what the soft phase holds goes back.
					return refund(store, soft2.charges).then(Mono.error(error));
				}
				List<Reservation.Charge> taken = new ArrayList<>(soft2.charges);
				taken.addAll(charges(batch));
				return Mono.just(new Outcome(store, target, soft2.downgrade, soft2.limit, request.prompt,
						request.completion, taken, enforced, headers));
			});
		});
	}

	private ModelRoute downgrade(Request request, Probed refused, QuotaLimit limit) {
		LimitSet set = QuotaBuckets.limitSet(request.policy, request.exchange.team().name(), refused.bucket().scope());
		String alias = set.downgradeTo();
		if (alias == null) {
			throw new IllegalStateException("soft limit " + limit + " without downgrade-to");
		}
		LlmExchange exchange = request.exchange;
		// The models of the request's configuration version: the route it was given came from there.
		return exchange.configured(ModelResolver.class, this.resolver)
			.resolve(alias, exchange.team(), exchange.operation());
	}

	/**
	 * Takes the demand from every bucket in one backend call: all enforced ones or none (each
	 * dry-run one when it fits). {@code allOptional} makes every bucket optional (a dry-run route).
	 */
	private Mono<Consumed> consumeAll(QuotaBackend store, List<BucketSpec> buckets, Demand demand,
			boolean allOptional) {
		List<QuotaBackend.Take> takes = buckets.stream()
			.map(bucket -> new QuotaBackend.Take(bucket, demand.of(bucket.dimension()),
					!allOptional && bucket.mode() != LimitSet.Mode.DRY_RUN))
			.toList();
		return store.tryConsumeAll(takes).map(batch -> {
			List<Probed> results = new ArrayList<>(takes.size());
			for (int i = 0; i < takes.size(); i++) {
				results.add(new Probed(takes.get(i).bucket(), takes.get(i).amount(), batch.probes().get(i)));
			}
			return new Consumed(batch.admitted(), results);
		});
	}

	private Mono<Void> refund(QuotaBackend store, List<Reservation.Charge> charges) {
		return Flux.fromIterable(charges)
			.filter(charge -> charge.amount() > 0)
			.flatMap(charge -> store.adjust(charge.bucket(), -charge.amount()))
			.then();
	}

	/** What a batch took: nothing unless admitted, else every bucket that held its (positive) amount. */
	private static List<Reservation.Charge> charges(Consumed batch) {
		if (!batch.admitted) {
			return List.of();
		}
		return batch.results.stream()
			.filter(result -> result.probe().consumed() && result.amount() > 0)
			.map(result -> new Reservation.Charge(result.bucket(), result.amount()))
			.toList();
	}

	private static @Nullable Probed firstRefused(List<Probed> results) {
		return results.stream().filter(result -> !result.probe().consumed()).findFirst().orElse(null);
	}

	// ---- stream extension

	/**
	 * Takes {@code tokens} more completion tokens (and their price) from the enforced buckets of a
	 * running stream; {@code false} when a budget cannot cover them. A store failure lets the
	 * stream go on: a blip in Redis should not cut a stream.
	 */
	Mono<Boolean> extend(Reservation reservation, long tokens) {
		long step = Math.max(tokens, policy(reservation.exchange()).completionReservation());
		Demand demand = new Demand(0, step, cost(reservation.target().model(), 0, step, 0));
		List<BucketSpec> buckets = reservation.enforced()
			.stream()
			.filter(bucket -> bucket.dimension() != Dimension.REQUESTS && demand.of(bucket.dimension()) > 0)
			.toList();
		QuotaBackend store = reservation.backend();
		Mono<Boolean> extended = consumeAll(store, buckets, demand, false).map(batch -> {
			if (batch.admitted) {
				reservation.extended(step, charges(batch));
			}
			return batch.admitted;
		});
		return (store.inProcess() ? extended : extended.timeout(Timers.delay(this.timeout))).onErrorResume(error -> {
			this.metrics.backendFailure(store.name(), "extend");
			return Mono.just(true);
		});
	}

	void streamCut(Reservation reservation) {
		this.metrics.streamCut(reservation.team());
	}

	// ---- settle and read: their own classes

	/** Settles one reservation; see {@link Settlement}. Called once per reservation by {@link Reservation#settle}. */
	Mono<Void> settle(Reservation reservation, Bill bill) {
		return this.settlement.settle(reservation, bill);
	}

	/** Usage and remaining quota of one team, for the actuator endpoint and gauges; see {@link QuotaSnapshots}. */
	public Mono<TeamQuota> snapshot(String team) {
		return this.snapshots.snapshot(team);
	}

	// ---- amounts

	/** Completion tokens to reserve: what the request caps, else the policy default; times {@code n}. */
	long completionTokens(LlmExchange exchange) {
		if (exchange.operation() != Operation.CHAT) {
			return 0;
		}
		JsonNode body = exchange.body();
		long max = body.path("max_completion_tokens").asLong(0);
		if (max <= 0) {
			max = body.path("max_tokens").asLong(0);
		}
		if (max <= 0) {
			max = policy(exchange).completionReservation();
		}
		return max * Math.max(1, body.path("n").asInt(1));
	}

	/** Price in nano-USD, rounded up, from the catalog's prices ({@link Pricing}, as metrics and logs use). */
	public static long cost(ModelSpec model, long prompt, long completion, long cachedPrompt) {
		return Bill.nanos(Pricing.cost(model, new Usage(prompt, completion, cachedPrompt, false)));
	}

	/** What a request reserves: its price at most ({@link Pricing#upperBound}), since settlement prices each part of its prompt. */
	private Demand demand(Request request, RouteTarget target) {
		return new Demand(1, request.prompt + request.completion,
				Bill.nanos(Pricing.upperBound(target.model(), request.prompt, request.completion)));
	}

	private List<BucketSpec> buckets(Request request, RouteTarget target, LimitSet.Mode mode) {
		return this.buckets.of(request.policy, request.exchange.team().name(), target.model().id(), request.client,
				request.month, mode);
	}

	// ---- internal records

	private record Request(LlmExchange exchange, QuotaPolicy policy, @Nullable String client, long prompt,
			long completion, YearMonth month, boolean dryRun) {
	}

	private record Consumed(boolean admitted, List<Probed> results) {
	}

	private record Soft(RouteTarget target, List<Reservation.Charge> charges, @Nullable ModelRoute downgrade,
			@Nullable QuotaLimit limit) {
	}

	private record Outcome(QuotaBackend backend, RouteTarget target, @Nullable ModelRoute downgradedTo,
			@Nullable QuotaLimit softLimit, long prompt, long completion, List<Reservation.Charge> charges,
			List<BucketSpec> enforced, Admission.Headers headers) {
	}

	/** Builds a {@link TokenQuotaService}. */
	public static final class Builder {

		private final QuotaPolicy policy;

		private final QuotaBackend backend;

		private final ModelResolver resolver;

		private @Nullable QuotaBackend fallback;

		private FailureMode failureMode = FailureMode.OPEN;

		private Duration timeout = Duration.ofMillis(250);

		private Duration probeInterval = DEFAULT_PROBE_INTERVAL;

		private TokenEstimator estimator = new TokenEstimator();

		private QuotaMetrics metrics = QuotaMetrics.NONE;

		private Clock clock = Clock.systemUTC();

		private String keyPrefix = "sb:quota";

		private QueuePolicy queues = QueuePolicy.OFF;

		private @Nullable BurstQueue queue;

		private @Nullable ConfigSnapshots config;

		private Builder(QuotaPolicy policy, QuotaBackend backend, ModelResolver resolver) {
			this.policy = policy;
			this.backend = backend;
			this.resolver = resolver;
		}

		public Builder failureMode(FailureMode failureMode) {
			this.failureMode = failureMode;
			return this;
		}

		/** Where a fail-open service counts while the store is away; a new in-memory backend by default. */
		public Builder fallback(QuotaBackend fallback) {
			this.fallback = fallback;
			return this;
		}

		/** Longest wait for the store before a request is served (open) or refused (closed). */
		public Builder timeout(Duration timeout) {
			this.timeout = timeout;
			return this;
		}

		public Builder probeInterval(Duration probeInterval) {
			this.probeInterval = probeInterval;
			return this;
		}

		public Builder estimator(TokenEstimator estimator) {
			this.estimator = estimator;
			return this;
		}

		public Builder metrics(QuotaMetrics metrics) {
			this.metrics = metrics;
			return this;
		}

		public Builder clock(Clock clock) {
			this.clock = clock;
			return this;
		}

		public Builder keyPrefix(String keyPrefix) {
			this.keyPrefix = keyPrefix;
			return this;
		}

		/**
		 * Lets requests over their limits wait for them, per team.
		 * @param queue the queue they wait in (its scheduler times the waits); a queue on
		 * Reactor's parallel scheduler when {@code null}
		 */
		public Builder queue(QueuePolicy queues, @Nullable BurstQueue queue) {
			this.queues = queues;
			this.queue = queue;
			return this;
		}

		/**
		 * Takes the policy and queues of each request's configuration version (its
		 * {@code QuotaPolicy} and {@code QueuePolicy} parts), those given here serving only requests
		 * of a version without them.
		 */
		public Builder configuredBy(ConfigSnapshots config) {
			this.config = config;
			return this;
		}

		public TokenQuotaService build() {
			return new TokenQuotaService(this);
		}

	}

}
