package dev.switchboard.dispatch;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

import dev.switchboard.catalog.ProviderSpec;
import dev.switchboard.route.TargetStats;
import dev.switchboard.translate.ProviderAdapters;
import dev.switchboard.translate.spi.UpstreamRequest;

/**
 * Active health checks: each configured provider is asked for its list of models every
 * {@code interval} (give or take {@code jitter}, so a fleet does not probe in step), with the
 * credentials a call uses, which costs no tokens. {@code unhealthy-threshold} failures in a row mark
 * the provider unhealthy in {@link TargetStats} (the one view of target health that pools,
 * fallbacks and passive ejection share), {@code healthy-threshold} successes in a row bring it back.
 *
 * <p>A probe is a failure when the provider does not answer within {@code timeout}, cannot be
 * reached, or answers 5xx, 401 or 403 (a call would fail the same way). A 429 or 408 is not: the
 * provider is up and busy, and marking it unhealthy would only move its load elsewhere. The next
 * probe of a provider is scheduled when the last one is over, so probes of a hanging provider
 * never pile up, and nothing here runs on the request path.
 */
public final class HealthProber implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(HealthProber.class);

	/**
	 * How one provider is probed.
	 * @param interval time between the end of one probe and the start of the next
	 * @param timeout longest a probe may take
	 * @param jitter fraction of the interval by which each wait is moved at random, 0 to 1
	 * @param healthyThreshold successes in a row that bring an unhealthy provider back
	 * @param unhealthyThreshold failures in a row that mark a provider unhealthy
	 */
	public record Settings(Duration interval, Duration timeout, double jitter, int healthyThreshold,
			int unhealthyThreshold) {

		public Settings {
			if (interval.isNegative() || interval.isZero()) {
				throw new IllegalArgumentException("interval must be positive, got " + interval);
			}
			if (timeout.isNegative() || timeout.isZero()) {
				throw new IllegalArgumentException("timeout must be positive, got " + timeout);
			}
			if (!(jitter >= 0 && jitter <= 1)) {
				throw new IllegalArgumentException("jitter must be between 0 and 1, got " + jitter);
			}
			if (healthyThreshold < 1) {
				throw new IllegalArgumentException("healthy-threshold must be at least 1, got " + healthyThreshold);
			}
			if (unhealthyThreshold < 1) {
				throw new IllegalArgumentException("unhealthy-threshold must be at least 1, got " + unhealthyThreshold);
			}
		}

	}

	/** What the probes of one provider have found so far. */
	public record Health(String provider, boolean healthy, int failuresInARow, int successesInARow, long probes,
			@Nullable Instant lastProbe, @Nullable String lastProblem) {
	}

	/** Probe results and state changes, for metrics. */
	public interface Listener {

		Listener NONE = new Listener() {
		};

		/** A probe of {@code provider} ended after {@code took}; {@code ok} unless it counted as a failure. */
		default void probed(String provider, boolean ok, Duration took) {
		}

		/** The provider became healthy or unhealthy. */
		default void changed(String provider, boolean healthy) {
		}

	}

	private final ProviderAdapters adapters;

	private final ProviderClients clients;

	private final TargetStats stats;

	private final Map<String, Probed> probed = new LinkedHashMap<>();

	private final Scheduler scheduler;

	private final Listener listener;

	private final Clock clock;

	private volatile Disposable.Composite loops = Disposables.composite();

	/**
	 * @param providers the providers to probe, each with its settings
	 * @param scheduler times the waits between probes (timers, never a sleeping thread)
	 */
	public HealthProber(ProviderAdapters adapters, ProviderClients clients, TargetStats stats,
			Map<ProviderSpec, Settings> providers, Scheduler scheduler, Listener listener, Clock clock) {
		this.adapters = adapters;
		this.clients = clients;
		this.stats = stats;
		this.scheduler = scheduler;
		this.listener = listener;
		this.clock = clock;
		providers.forEach((provider, settings) -> {
			if (adapters.forType(provider.type()).modelsRequest(provider) == null) {
				throw new IllegalArgumentException("the adapter of provider '" + provider.name() + "' (" + provider.type()
						+ ") has no models request to probe with");
			}
			this.probed.put(provider.name(), new Probed(provider, settings));
		});
	}

	/** Starts every provider's probe loop; the first probe of each goes out at once. */
	public void start() {
		this.loops = Disposables.composite();
		for (Probed one : this.probed.values()) {
			this.loops.add(Mono.defer(() -> probe(one))
				// Whatever fails in one round (a listener, a rejected timer), the next round still comes.
				.onErrorResume(error -> {
					log.warn("A health check of provider '{}' failed: {}", one.provider.name(), error.toString());
					return Mono.empty();
				})
				.then(Mono.defer(() -> Mono.delay(wait(one.settings), this.scheduler)))
				.repeat()
				.subscribe(null, error -> log.warn("Health checks of provider '{}' stopped: {}", one.provider.name(),
						error.toString())));
		}
	}

	/** What the probes have found, by provider. */
	public Map<String, Health> health() {
		Map<String, Health> health = new LinkedHashMap<>();
		this.probed.forEach((name, one) -> health.put(name, one.health()));
		return health;
	}

	/** Probes one provider now, outside its loop; for an operator's check and for tests. */
	public Mono<Health> probeNow(String provider) {
		Probed one = this.probed.get(provider);
		if (one == null) {
			return Mono.error(new IllegalArgumentException("no health checks for provider '" + provider + "'"));
		}
		return probe(one).then(Mono.fromSupplier(one::health));
	}

	@Override
	public void close() {
		this.loops.dispose();
	}

	private Mono<Void> probe(Probed one) {
		ProviderSpec provider = one.provider;
		UpstreamRequest request = Objects.requireNonNull(
				this.adapters.forType(provider.type()).modelsRequest(provider), "checked when built");
		long start = System.nanoTime();
		return this.clients.prepare(provider, request)
			// The body is read and dropped: only the status matters, and the connection goes back to the pool.
			.responseSingle((response, body) -> body.then(Mono.just(response.status().code())))
			.timeout(one.settings.timeout(), this.scheduler)
			// "" for a good probe: Reactor carries no nulls.
			.map(status -> (status >= 200 && status < 300) || status == 429 || status == 408 ? "" : "HTTP " + status)
			.onErrorResume(error -> Mono.just((error instanceof TimeoutException)
					? "no answer within " + one.settings.timeout() : error.getClass().getSimpleName()))
			.doOnNext(problem -> record(one, problem.isEmpty() ? null : problem, Duration.ofNanos(System.nanoTime() - start)))
			.then();
	}

	private void record(Probed one, @Nullable String problem, Duration took) {
		String name = one.provider.name();
		Boolean changed = one.record(problem, this.clock.instant());
		this.listener.probed(name, problem == null, took);
		if (changed != null) {
			this.stats.providerHealth(name, changed);
			this.listener.changed(name, changed);
			if (changed) {
				log.info("Provider '{}' is healthy again: {} good health checks in a row", name,
						one.settings.healthyThreshold());
			}
			else {
				log.warn("Provider '{}' is unhealthy: {} failed health checks in a row, the last: {}; its targets are "
						+ "skipped while others remain", name, one.settings.unhealthyThreshold(), problem);
			}
		}
	}

	private static Duration wait(Settings settings) {
		long interval = settings.interval().toNanos();
		long spread = (long) (interval * settings.jitter());
		long offset = (spread > 0) ? ThreadLocalRandom.current().nextLong(-spread, spread + 1) : 0;
		return Duration.ofNanos(Math.max(1, interval + offset));
	}

	/** The probe state of one provider; its methods are synchronized, probes of one provider never overlap. */
	private static final class Probed {

		final ProviderSpec provider;

		final Settings settings;

		private boolean healthy = true;

		private int failures;

		private int successes;

		private long probes;

		private @Nullable Instant last;

		private @Nullable String problem;

		Probed(ProviderSpec provider, Settings settings) {
			this.provider = provider;
			this.settings = settings;
		}

		/** Records a probe; returns the new state when it changed, {@code null} otherwise. */
		synchronized @Nullable Boolean record(@Nullable String problem, Instant at) {
			this.probes++;
			this.last = at;
			this.problem = problem;
			if (problem == null) {
				this.failures = 0;
				this.successes++;
				if (!this.healthy && this.successes >= this.settings.healthyThreshold()) {
					this.healthy = true;
					return true;
				}
				return null;
			}
			this.successes = 0;
			this.failures++;
			if (this.healthy && this.failures >= this.settings.unhealthyThreshold()) {
				this.healthy = false;
				return false;
			}
			return null;
		}

		synchronized Health health() {
			return new Health(this.provider.name(), this.healthy, this.failures, this.successes, this.probes, this.last,
					this.problem);
		}

	}

}
