package dev.switchboard.route;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.switchboard.core.Attempt;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.LlmExchangeListener;

/**
 * The running state of every canary {@link Rollout}: when it started, the share it is at, the
 * outcomes of both sides over the guards' window, and whether it was aborted. One for the gateway,
 * across configuration versions: a rollout keeps its progress while other settings change, and
 * starts afresh when its own settings do (a new rollout, in effect).
 *
 * <p>It hears every exchange: an exchange bound to a version with a rollout for the model it asked
 * for is one of that rollout's samples, on the new side when its first target is the rollout's
 * {@code to}. The first attempt decides (a failure there is the side's, even when a fallback saved the
 * request). When the new side is worse by a guard, the rollout is aborted: from the next request on,
 * every request is served as without it, the decision log of the request that tripped it says why,
 * and it stays aborted until its settings change.
 */
public final class Rollouts implements LlmExchangeListener {

	private static final Logger log = LoggerFactory.getLogger(Rollouts.class);

	/** Outcomes kept per side, newest first; the window usually holds fewer. */
	private static final int MAX_SAMPLES = 4096;

	/** Guards are judged at most this often per rollout (errors judge at once). */
	private static final long JUDGE_EVERY_NANOS = Duration.ofMillis(250).toNanos();

	/** What the gateway reports of rollouts. */
	public interface Metrics {

		Metrics NONE = new Metrics() {
		};

		default void aborted(String rollout) {
		}

	}

	/** Where a request of a rollout goes, and why. */
	public record Choice(boolean toNew, int share, String reason) {
	}

	/** What {@code /actuator/llmconfig} shows of one rollout. */
	public record Status(String name, String to, String state, int share, Instant startedAt, @Nullable String reason,
			int newSamples, int oldSamples) {
	}

	private final LongSupplier nanoClock;

	private final Metrics metrics;

	private final Map<Rollout, State> states = new ConcurrentHashMap<>();

	public Rollouts(LongSupplier nanoClock, Metrics metrics) {
		this.nanoClock = nanoClock;
		this.metrics = metrics;
	}

	public Rollouts() {
		this(System::nanoTime, Metrics.NONE);
	}

	/** Where this request goes: sticky by {@code key} when there is one, else at random. */
	public Choice choose(Rollout rollout, @Nullable String key) {
		State state = this.states.get(rollout);
		if (state == null) {
			// A request of a version whose rollout a newer one dropped or changed: as without it.
			return new Choice(false, 0, "rollout '" + rollout.name() + "' no longer running");
		}
		String aborted = state.aborted;
		if (aborted != null) {
			return new Choice(false, 0, "rollout '" + rollout.name() + "' aborted (" + aborted + ")");
		}
		int share = share(rollout, state);
		// A key keeps its bucket as the share grows; salted with the rollout's name, so which side a
		// user is on says nothing of which member of a sticky pool it gets.
		int bucket = (key != null) ? Math.floorMod(PoolBalancer.mix((rollout.name() + '\u0000' + key).hashCode()), 100)
				: ThreadLocalRandom.current().nextInt(100);
		boolean toNew = bucket < share;
		return new Choice(toNew, share, "rollout '" + rollout.name() + "' at " + share + " % to '" + rollout.to()
				+ "': " + (toNew ? "on it" : "not on it") + " (bucket " + bucket + ")");
	}

	/**
	 * The rollouts of the version now serving: those new start now, those kept keep their progress,
	 * and the state of rollouts no longer there (or whose settings changed) is dropped.
	 */
	public void retain(Collection<Rollout> rollouts) {
		Set<Rollout> kept = new HashSet<>(rollouts);
		this.states.keySet().retainAll(kept);
		kept.forEach(this::start);
	}

	public List<Status> status() {
		List<Status> all = new ArrayList<>();
		this.states.forEach((rollout, state) -> {
			int share = share(rollout, state);
			String phase = (state.aborted != null) ? "aborted" : (share >= 100) ? "completed" : "running";
			all.add(new Status(rollout.name(), rollout.to(), phase, (state.aborted != null) ? 0 : share,
					state.startedAt, state.aborted, state.newSide.size(), state.oldSide.size()));
		});
		all.sort((a, b) -> a.name().compareTo(b.name()));
		return all;
	}

	/** The share now on the new side of the rollout of this name (its newest settings): 0 once aborted or gone. */
	public int share(String name) {
		return this.states.keySet().stream().filter(rollout -> rollout.name().equals(name)).findFirst()
			.map(this::share).orElse(0);
	}

	/** The share now on the new side: 0 once aborted, or when it is not running. */
	public int share(Rollout rollout) {
		State state = this.states.get(rollout);
		return (state == null || state.aborted != null) ? 0 : share(rollout, state);
	}

	private int share(Rollout rollout, State state) {
		return rollout.share(Duration.ofNanos(this.nanoClock.getAsLong() - state.startedNanos));
	}

	private void start(Rollout rollout) {
		this.states.computeIfAbsent(rollout, r -> new State(this.nanoClock.getAsLong()));
	}

	// ---- samples

	@Override
	public void onComplete(LlmExchange exchange, LlmExchange.Completion completion, @Nullable Throwable error) {
		ModelResolver resolver = exchange.configured(ModelResolver.class);
		Rollout rollout = (resolver != null) ? resolver.rollout(exchange.requestedModel()) : null;
		List<Attempt> attempts = exchange.attempts().all();
		if (rollout == null || attempts.isEmpty()) {
			return;
		}
		Attempt first = attempts.get(0);
		Boolean fault = fault(first);
		if (fault == null) {
			return;
		}
		// The side the rollout chose (the route's first target), whatever the failover did: a canary
		// skipped (failing its health checks, at its provider's limit) is a fault of the new side.
		boolean newSide = exchange.route().primary().model().id().equals(rollout.to());
		boolean skipped = newSide && !first.target().model().id().equals(rollout.to());
		long ttft = exchange.stream() ? exchange.timing().timeToFirstTokenNanos() : 0;
		String tripped = sample(rollout, newSide, fault || skipped, first.timeToResponseNanos(), ttft);
		if (tripped != null) {
			exchange.decide("rollout", "aborted '" + rollout.name() + "': " + tripped);
		}
	}

	/**
	 * Counts one outcome of a side; a sample of the new side may trip a guard.
	 * @return why the rollout was aborted by this sample, or {@code null}
	 */
	@Nullable String sample(Rollout rollout, boolean newSide, boolean fault, long latencyNanos, long ttftNanos) {
		State state = this.states.get(rollout);
		if (state == null) {
			return null;
		}
		long now = this.nanoClock.getAsLong();
		Sample sample = new Sample(now, fault, latencyNanos, ttftNanos);
		(newSide ? state.newSide : state.oldSide).add(sample, now - rollout.guards().window().toNanos());
		if (!newSide || state.aborted != null || !(fault || state.mayJudge(now))) {
			return null;
		}
		String tripped = judge(rollout, state, now);
		if (tripped == null || !state.abort(tripped)) {
			return null;
		}
		log.warn("Rollout of '{}' to '{}' aborted: {}; every request is served as before it", rollout.name(),
				rollout.to(), tripped);
		this.metrics.aborted(rollout.name());
		return tripped;
	}

	/** Whether the attempt was a provider fault, or {@code null} when it says nothing (cancelled, the client's own 4xx). */
	private static @Nullable Boolean fault(Attempt attempt) {
		return switch (attempt.outcome()) {
			case SUCCESS -> false;
			case TIMEOUT, UNREACHABLE -> true;
			case UPSTREAM_ERROR -> (attempt.status() >= 500 || attempt.status() == 429 || attempt.status() < 400) ? true
					: null;
			default -> null;
		};
	}

	/** The first guard the new side fails, or {@code null}. */
	static @Nullable String judge(Rollout rollout, State state, long now) {
		Rollout.Guards guards = rollout.guards();
		long since = now - guards.window().toNanos();
		Sample[] fresh = state.newSide.since(since);
		Sample[] old = state.oldSide.since(since);
		if (fresh.length < guards.minRequests()) {
			return null;
		}
		double freshErrors = errorRate(fresh);
		double oldErrors = errorRate(old);
		if (freshErrors - oldErrors > guards.maxErrorRateIncrease()) {
			return String.format(Locale.ROOT, "error rate %.2f of '%s' against %.2f over %d and %d requests",
					freshErrors, rollout.to(), oldErrors, fresh.length, old.length);
		}
		if (old.length < guards.minRequests()) {
			return null;
		}
		long freshP95 = p95(fresh, false);
		long oldP95 = p95(old, false);
		if (oldP95 > 0 && freshP95 > guards.maxLatencyRatio() * oldP95) {
			return String.format(Locale.ROOT, "p95 latency %d ms of '%s' against %d ms", freshP95 / 1_000_000,
					rollout.to(), oldP95 / 1_000_000);
		}
		long freshTtft = p95(fresh, true);
		long oldTtft = p95(old, true);
		if (freshTtft > 0 && oldTtft > 0 && freshTtft > guards.maxTtftRatio() * oldTtft) {
			return String.format(Locale.ROOT, "p95 time to first token %d ms of '%s' against %d ms",
					freshTtft / 1_000_000, rollout.to(), oldTtft / 1_000_000);
		}
		return null;
	}

	private static double errorRate(Sample[] samples) {
		if (samples.length == 0) {
			return 0;
		}
		int faults = 0;
		for (Sample sample : samples) {
			if (sample.fault) {
				faults++;
			}
		}
		return faults / (double) samples.length;
	}

	/** The 95th percentile of successful samples' latency (or time to first token), 0 without any. */
	private static long p95(Sample[] samples, boolean ttft) {
		long[] values = Arrays.stream(samples)
			.filter(sample -> !sample.fault && (ttft ? sample.ttftNanos : sample.latencyNanos) > 0)
			.mapToLong(sample -> ttft ? sample.ttftNanos : sample.latencyNanos)
			.sorted()
			.toArray();
		return (values.length == 0) ? 0 : values[(int) Math.ceil(values.length * 0.95) - 1];
	}

	private record Sample(long atNanos, boolean fault, long latencyNanos, long ttftNanos) {
	}

	/** The outcomes of one side, newest first, the oldest leaving as the window moves on. */
	private static final class Side {

		private final Deque<Sample> samples = new ArrayDeque<>();

		synchronized void add(Sample sample, long windowStart) {
			this.samples.addFirst(sample);
			while (this.samples.size() > MAX_SAMPLES
					|| (!this.samples.isEmpty() && this.samples.peekLast().atNanos - windowStart < 0)) {
				this.samples.removeLast();
			}
		}

		synchronized Sample[] since(long windowStart) {
			return this.samples.stream().filter(sample -> sample.atNanos - windowStart >= 0).toArray(Sample[]::new);
		}

		synchronized int size() {
			return this.samples.size();
		}

	}

	static final class State {

		final long startedNanos;

		final Instant startedAt = Instant.now();

		final Side newSide = new Side();

		final Side oldSide = new Side();

		final AtomicLong judged = new AtomicLong(Long.MIN_VALUE / 2);

		volatile @Nullable String aborted;

		State(long startedNanos) {
			this.startedNanos = startedNanos;
		}

		boolean mayJudge(long now) {
			long last = this.judged.get();
			return now - last >= JUDGE_EVERY_NANOS && this.judged.compareAndSet(last, now);
		}

		synchronized boolean abort(String reason) {
			if (this.aborted != null) {
				return false;
			}
			this.aborted = reason;
			return true;
		}

	}

}
