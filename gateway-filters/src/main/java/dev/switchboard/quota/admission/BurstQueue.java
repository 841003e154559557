package dev.switchboard.quota.admission;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;

import dev.switchboard.core.LlmApiException;
import dev.switchboard.quota.QueuePolicy;

/**
 * Bursts wait instead of an instant 429: a request refused by a limit that refills within its
 * team's {@code max-wait} joins a bounded queue and is admitted when the limit has room again.
 *
 * <p>One <em>lane</em> per team, model and client, that is per set of buckets a request draws
 * on, so a team waiting for one model's limit never holds up its requests to another, and one
 * team's burst never delays another team (their lanes are apart). In a lane, requests are served
 * by class ({@link QueuePolicy.Priority}, with aging) and, within a class, in arrival order; a
 * request arriving while its lane has waiters joins them rather than overtaking them.
 *
 * <p>Nothing blocks: each lane has one drainer, run by timers of the given {@link Scheduler} at
 * the moment the refusing bucket said it will have room ({@code Retry-After}, computed from the
 * buckets themselves, not polled). The drainer tries the lane's first request; admitted, it tries
 * the next at once; refused, it sleeps until the new refill time, and every request whose wait
 * would end before that time gets its 429 at once. Each request also has its own deadline timer,
 * so none waits longer than its {@code max-wait}. The store stays the judge: with Redis, two
 * gateways draining their own lanes against the same buckets never admit more than the limit
 * together.
 *
 * <p>A client that leaves while waiting leaves its lane and is charged nothing; one that leaves
 * while its turn is being decided has what was taken for it given back ({@code release}), as has
 * one whose admission arrives after it left. A lane exists only while requests wait in it.
 */
public final class BurstQueue {

	/** What became of a waiting request, for metrics. */
	public enum Outcome {

		/** Admitted after waiting. */
		ADMITTED,
		/** Its limits would not refill before its {@code max-wait}: the 429 it would have had. */
		TIMED_OUT,
		/** Its lane was full: an instant 429. */
		FULL,
		/** The client left while waiting. */
		CANCELLED,
		/** The store failed on one of its tries: that error. */
		FAILED,
		/** The gateway shut down: a 503. */
		SHUT_DOWN

	}

	/** Metrics of the queue; the starter binds them to Micrometer. */
	public interface Metrics {

		Metrics NONE = (team, outcome, waited) -> {
		};

		/** A request left the queue after {@code waited}. */
		void left(String team, Outcome outcome, Duration waited);

	}

	private final Scheduler scheduler;

	private final Metrics metrics;

	private final ConcurrentMap<String, Lane> lanes = new ConcurrentHashMap<>();

	private final AtomicInteger depth = new AtomicInteger();

	private final AtomicLong sequence = new AtomicLong();

	private volatile boolean closed;

	public BurstQueue(Scheduler scheduler, Metrics metrics) {
		this.scheduler = scheduler;
		this.metrics = metrics;
	}

	/** Requests waiting now, every lane together. */
	public int depth() {
		return this.depth.get();
	}

	/**
	 * Whether every waiting request waits for a timer that is set: no lane is deciding a turn with
	 * the store right now, nor between deciding to wait and handing its timer to the scheduler (a
	 * clock moved in that gap would count the timer from the later time). A quiet point, for
	 * diagnostics and for tests that move time.
	 */
	public boolean idle() {
		for (Lane lane : this.lanes.values()) {
			synchronized (lane) {
				if (lane.trying || (!lane.waiters.isEmpty() && lane.timer == null)) {
					return false;
				}
			}
		}
		return true;
	}

	/**
	 * Admits through the queue: {@code attempt} is tried at once when the lane is empty, and again
	 * whenever the limits that refused it have room, until it succeeds or the request's wait is
	 * up.
	 * @param team the team, for metrics and messages
	 * @param lane the lane: the team and whatever else selects the request's buckets
	 * @param queue the team's queue
	 * @param priority the request's class
	 * @param attempt one try at the store: a value, or a {@link QuotaExceededException}
	 * @param release gives back what a successful try took when nobody is waiting for it any more
	 * @param <T> what a try yields
	 * @return the admission and how long it waited
	 */
	public <T> Mono<Queued<T>> admit(String team, String lane, QueuePolicy.Queue queue, QueuePolicy.Priority priority,
			Supplier<Mono<T>> attempt, Consumer<T> release) {
		if (!queue.enabled()) {
			return Mono.defer(attempt).map(value -> new Queued<>(value, Duration.ZERO));
		}
		return Mono.defer(() -> {
			Lane waiting = this.lanes.get(lane);
			if (waiting != null && waiting.busy()) {
				// Behind the requests already waiting, whatever the bucket says now.
				return enqueue(team, lane, queue, priority, attempt, release, null);
			}
			// The path of every request while nobody waits: one map read, no lane.
			return attempt.get()
				.map(value -> new Queued<>(value, Duration.ZERO))
				.onErrorResume(QuotaExceededException.class,
						refused -> waitable(refused, queue)
								? enqueue(team, lane, queue, priority, attempt, release, refused)
								: Mono.error(refused));
		});
	}

	/** Takes waiting requests again after {@link #close()} (an application context restarted). */
	public void open() {
		this.closed = false;
	}

	/**
	 * Fails every waiting request with a 503 and refuses new ones: the gateway is shutting down,
	 * and a request that cannot be served soon is better answered now than cut off later.
	 */
	public void close() {
		this.closed = true;
		for (Lane lane : this.lanes.values()) {
			List<Waiter<?>> all;
			synchronized (lane) {
				all = new ArrayList<>(lane.waiters);
				this.depth.addAndGet(-all.size());
				lane.waiters.clear();
				retire(lane);
			}
			for (Waiter<?> waiter : all) {
				if (waiter.fail(shuttingDown())) {
					this.metrics.left(lane.team, Outcome.SHUT_DOWN, waited(waiter));
				}
			}
		}
	}

	private static boolean waitable(QuotaExceededException refused, QueuePolicy.Queue queue) {
		Duration retryAfter = refused.retryAfter();
		return retryAfter != null && retryAfter.compareTo(queue.maxWait()) <= 0;
	}

	@SuppressWarnings("unchecked")
	private <T> Mono<Queued<T>> enqueue(String team, String key, QueuePolicy.Queue queue,
			QueuePolicy.Priority priority, Supplier<Mono<T>> attempt, Consumer<T> release,
			@Nullable QuotaExceededException refused) {
		return Mono.<Queued<T>>create(sink -> {
			long now = now();
			// Aging: each class above the lowest counts as having waited a quarter of max-wait more.
			long step = queue.maxWait().toNanos() / 4;
			Waiter<T> waiter = new Waiter<>(sink, attempt, release, now, now + queue.maxWait().toNanos(),
					now - priority.ordinal() * step, this.sequence.incrementAndGet());
			Throwable refusal = null;
			long delay = -1;
			Lane lane;
			while (true) {
				lane = this.lanes.computeIfAbsent(key, name -> new Lane(team, name));
				synchronized (lane) {
					if (lane.retired) {
						continue; // emptied and dropped meanwhile: a new lane takes over
					}
					if (this.closed) {
						refusal = shuttingDown();
					}
					else if (lane.waiters.size() >= queue.maxLength()) {
						refusal = full(lane, queue, (refused != null) ? refused : lane.lastRefusal);
					}
					else {
						if (refused != null) {
							lane.lastRefusal = refused;
						}
						waiter.lane = lane;
						lane.waiters.add(waiter);
						this.depth.incrementAndGet();
						delay = (!lane.scheduled && !lane.trying) ? waitNanos(refused) : -1;
					}
				}
				break;
			}
			if (refusal != null) {
				if (refusal instanceof LlmApiException api && api.status() == 429) {
					this.metrics.left(team, Outcome.FULL, Duration.ZERO);
				}
				sink.error(refusal);
				return;
			}
			sink.onCancel(() -> cancel(waiter));
			try {
				// Its own deadline, kept even deep in the lane: nobody waits longer than max-wait.
				waiter.expiry = this.scheduler.schedule(() -> expire(waiter), queue.maxWait().toNanos(),
						TimeUnit.NANOSECONDS);
				if (delay >= 0) {
					schedule(lane, delay);
				}
			}
			catch (RejectedExecutionException ex) {
				remove(waiter);
				waiter.fail(ex);
			}
		})
			// An admission that reaches a client already gone: what it took goes back.
			.doOnDiscard(Queued.class, queued -> release.accept((T) queued.value()));
	}

	private static LlmApiException full(Lane lane, QueuePolicy.Queue queue, @Nullable QuotaExceededException last) {
		String message = "Too many requests of team '" + lane.team + "' are waiting for their rate limit ("
				+ queue.maxLength() + " at most). Please try again later.";
		return (last != null) ? last.withMessage(message) : new LlmApiException(429, LlmApiException.RATE_LIMIT,
				"rate_limit_exceeded", null, message, queue.maxWait(), null);
	}

	private void cancel(Waiter<?> waiter) {
		if (waiter.leave()) {
			remove(waiter);
			this.metrics.left(waiter.team(), Outcome.CANCELLED, waited(waiter));
		}
	}

	private void expire(Waiter<?> waiter) {
		QuotaExceededException last;
		synchronized (waiter.lane()) {
			last = waiter.lane().lastRefusal;
		}
		// Out of the lane before the client hears of it.
		remove(waiter);
		if (waiter.fail((last != null) ? last.withMessage(last.getMessage()) : timedOut(waiter.team()))) {
			this.metrics.left(waiter.team(), Outcome.TIMED_OUT, waited(waiter));
		}
	}

	/**
	 * Takes a request out of its lane. When it was first in line and its turn is not being
	 * decided, the lane's timer (set for its refill) is replaced by an immediate try of the next
	 * request, which may need less; an emptied lane is dropped.
	 */
	private void remove(Waiter<?> waiter) {
		Lane lane = waiter.lane();
		boolean rearm = false;
		synchronized (lane) {
			boolean first = lane.waiters.peek() == waiter;
			if (lane.waiters.remove(waiter)) {
				this.depth.decrementAndGet();
			}
			if (lane.waiters.isEmpty()) {
				if (!lane.trying) {
					retire(lane);
				}
			}
			else if (first && !lane.trying) {
				unschedule(lane);
				rearm = true;
			}
		}
		if (rearm) {
			schedule(lane, 0);
		}
	}

	/** Drops an empty lane from the map and stops its timer; the caller holds the lane's lock. */
	private void retire(Lane lane) {
		unschedule(lane);
		lane.retired = true;
		this.lanes.remove(lane.key, lane);
	}

	private static void unschedule(Lane lane) {
		if (lane.timer != null) {
			lane.timer.dispose();
			lane.timer = null;
		}
		lane.scheduled = false;
		lane.ticket++;
	}

	/**
	 * Sets the lane's timer unless one is set or a turn is being decided. A ticket tells a timer
	 * that still counts from one that was superseded, whatever thread (or, with a virtual-time
	 * scheduler in tests, the very call that set it) runs it.
	 */
	private void schedule(Lane lane, long delayNanos) {
		long ticket;
		synchronized (lane) {
			if (lane.retired || lane.scheduled || lane.trying) {
				return;
			}
			lane.scheduled = true;
			ticket = ++lane.ticket;
		}
		Runnable task = () -> drain(lane, ticket);
		Disposable timer = (delayNanos <= 0) ? this.scheduler.schedule(task)
				: this.scheduler.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
		synchronized (lane) {
			if (lane.scheduled && lane.ticket == ticket) {
				lane.timer = timer;
			}
		}
	}

	/** Tries the lane's first request; on its outcome, the next one or a timer. */
	private void drain(Lane lane, long ticket) {
		Waiter<?> head;
		synchronized (lane) {
			if (!lane.scheduled || lane.ticket != ticket) {
				return;
			}
			lane.scheduled = false;
			lane.timer = null;
			head = lane.waiters.peek();
			if (head == null) {
				retire(lane);
				return;
			}
			lane.trying = true;
		}
		head.tryOnce(this);
	}

	/** The lane's first request was admitted (or its client left meanwhile): on to the next. */
	<T> void admitted(Waiter<T> waiter, T value) {
		Duration waited = waited(waiter);
		remove(waiter);
		if (waiter.admit(value, waited)) {
			this.metrics.left(waiter.team(), Outcome.ADMITTED, waited);
		}
		else {
			waiter.release.accept(value);
		}
		next(waiter.lane(), 0);
	}

	/** The lane's first request was refused again: wait for the refill, or answer now. */
	void refused(Waiter<?> waiter, Throwable error) {
		Lane lane = waiter.lane();
		if (!(error instanceof QuotaExceededException refused) || refused.retryAfter() == null) {
			// The store failed, or the request can never fit: that answer, and on to the next.
			remove(waiter);
			if (waiter.fail(error)) {
				this.metrics.left(waiter.team(), (error instanceof QuotaExceededException) ? Outcome.TIMED_OUT
						: Outcome.FAILED, waited(waiter));
			}
			next(lane, 0);
			return;
		}
		long room = now() + refused.retryAfter().toNanos();
		List<Waiter<?>> hopeless = new ArrayList<>();
		synchronized (lane) {
			lane.lastRefusal = refused;
			// No one in line can be admitted before the refill: whoever's wait ends first is answered now.
			for (Waiter<?> other : lane.waiters) {
				if (other.deadline < room) {
					hopeless.add(other);
				}
			}
		}
		boolean headGone = false;
		for (Waiter<?> other : hopeless) {
			remove(other);
			if (other.fail(refused.withMessage(refused.getMessage()))) {
				this.metrics.left(other.team(), Outcome.TIMED_OUT, waited(other));
			}
			headGone |= other == waiter;
		}
		next(lane, headGone ? 0 : refused.retryAfter().toNanos());
	}

	private void next(Lane lane, long delayNanos) {
		synchronized (lane) {
			lane.trying = false;
			if (lane.waiters.isEmpty()) {
				retire(lane);
				return;
			}
		}
		schedule(lane, delayNanos);
	}

	private Duration waited(Waiter<?> waiter) {
		return Duration.ofNanos(Math.max(0, now() - waiter.arrived));
	}

	private static long waitNanos(@Nullable QuotaExceededException refused) {
		Duration retryAfter = (refused != null) ? refused.retryAfter() : null;
		return (retryAfter != null) ? retryAfter.toNanos() : 0;
	}

	private long now() {
		return this.scheduler.now(TimeUnit.NANOSECONDS);
	}

	private static LlmApiException timedOut(String team) {
		return new LlmApiException(429, LlmApiException.RATE_LIMIT, "rate_limit_exceeded", null,
				"Rate limit reached for team '" + team + "': the wait for it was longer than allowed. Please try again later.",
				Duration.ofSeconds(1), null);
	}

	private static LlmApiException shuttingDown() {
		return new LlmApiException(503, LlmApiException.API_ERROR, "shutting_down", null,
				"The gateway is shutting down; please retry.", Duration.ofSeconds(1), null);
	}

	/**
	 * An admission through the queue.
	 * @param value what the successful try yielded
	 * @param waited how long the request waited for it; zero when it was admitted at once
	 */
	public record Queued<T>(T value, Duration waited) {
	}

	private static final class Lane {

		final String team;

		final String key;

		final PriorityQueue<Waiter<?>> waiters = new PriorityQueue<>(
				Comparator.<Waiter<?>>comparingLong(waiter -> waiter.order).thenComparingLong(waiter -> waiter.sequence));

		/** Whether a timer will drain the lane; {@link #ticket} names the one that counts. */
		boolean scheduled;

		long ticket;

		@Nullable Disposable timer;

		/** Whether the first request's try is under way. */
		boolean trying;

		/** Dropped from the map: an arrival holding it takes a new lane instead. */
		boolean retired;

		@Nullable QuotaExceededException lastRefusal;

		Lane(String team, String key) {
			this.team = team;
			this.key = key;
		}

		/** Whether requests wait here, or one is being tried: a newcomer queues behind them. */
		synchronized boolean busy() {
			return !this.waiters.isEmpty() || this.trying;
		}

	}

	private static final class Waiter<T> {

		final MonoSink<Queued<T>> sink;

		final Supplier<Mono<T>> attempt;

		final Consumer<T> release;

		final long arrived;

		final long deadline;

		/** Arrival, moved earlier by a quarter of the wait per class above the lowest: the aging order. */
		final long order;

		final long sequence;

		/** Set under the lane's lock when it joins the lane. */
		private @Nullable Lane lane;

		volatile @Nullable Disposable expiry;

		/** 0 waiting, 1 left (the client went away), 2 answered. */
		private final AtomicInteger state = new AtomicInteger();

		Waiter(MonoSink<Queued<T>> sink, Supplier<Mono<T>> attempt, Consumer<T> release, long arrived, long deadline,
				long order, long sequence) {
			this.sink = sink;
			this.attempt = attempt;
			this.release = release;
			this.arrived = arrived;
			this.deadline = deadline;
			this.order = order;
			this.sequence = sequence;
		}

		Lane lane() {
			Lane lane = this.lane;
			if (lane == null) {
				throw new IllegalStateException("not in a lane");
			}
			return lane;
		}

		String team() {
			return lane().team;
		}

		void tryOnce(BurstQueue queue) {
			if (this.state.get() != 0) {
				// Left already: nothing to try, on to the next.
				queue.remove(this);
				queue.next(lane(), 0);
				return;
			}
			Mono.defer(this.attempt)
				.switchIfEmpty(Mono.error(() -> new IllegalStateException("the quota store answered nothing")))
				.subscribe(value -> queue.admitted(this, value), error -> queue.refused(this, error));
		}

		boolean leave() {
			return settle(1);
		}

		boolean admit(T value, Duration waited) {
			if (!settle(2)) {
				return false;
			}
			this.sink.success(new Queued<>(value, waited));
			return true;
		}

		boolean fail(Throwable error) {
			if (!settle(2)) {
				return false;
			}
			this.sink.error(error);
			return true;
		}

		private boolean settle(int to) {
			if (!this.state.compareAndSet(0, to)) {
				return false;
			}
			Disposable timer = this.expiry;
			if (timer != null) {
				timer.dispose();
			}
			return true;
		}

	}

}
