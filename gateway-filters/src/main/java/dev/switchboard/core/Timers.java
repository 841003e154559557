package dev.switchboard.core;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.netty.util.concurrent.DefaultThreadFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The timers a request arms and almost always cancels (a failover deadline, a store's timeout),
 * on one timing wheel instead of Reactor's {@code Mono.delay} and {@code timeout(Duration)}.
 *
 * <p>Those run on {@code Schedulers.parallel()}, a {@code ScheduledThreadPoolExecutor} whose
 * worker thread is woken whenever the task armed is the next one due: with one request in flight,
 * on every request, for a deadline that seldom fires. Arming and cancelling one cost 11 us of CPU
 * there and 1 us here ({@code TimerBench} in {@code bench/}; with 32 in flight both cost under
 * 1 us). Netty's {@link HashedWheelTimer} (the one Redisson and Lettuce keep their timeouts on)
 * takes arming and cancelling through lock-free queues that its thread reads once per tick: no
 * wake-up per request, at a precision of one tick ({@value #TICK_MILLIS} ms), which is nothing
 * beside deadlines of seconds. A timer that fires is handed to {@code Schedulers.parallel()}, so
 * what follows it (a failover to the next target, an error written) never runs on, or holds up,
 * the wheel's one thread. Use it as {@code mono.timeout(Timers.delay(timeout))}: the same
 * {@code TimeoutException} as {@code mono.timeout(timeout)}.
 */
public final class Timers {

	static final long TICK_MILLIS = 10;

	private static final HashedWheelTimer WHEEL = new HashedWheelTimer(
			new DefaultThreadFactory("switchboard-timer", true), TICK_MILLIS, TimeUnit.MILLISECONDS, 512);

	private Timers() {
	}

	/**
	 * Emits {@code 0} once {@code delay} has passed (at the next tick when it is zero or negative), like
	 * {@code Mono.delay}; cancelling it takes the timer off the wheel.
	 */
	public static Mono<Long> delay(Duration delay) {
		long nanos = Math.max(0, delay.toNanos());
		return Mono.create(sink -> {
			Timeout timeout = WHEEL.newTimeout(fired -> Schedulers.parallel().schedule(() -> sink.success(0L)), nanos,
					TimeUnit.NANOSECONDS);
			sink.onCancel(timeout::cancel);
		});
	}

}
