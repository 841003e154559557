package dev.switchboard.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

import reactor.core.Disposable;
import reactor.core.publisher.Mono;

import dev.switchboard.core.Timers;

/**
 * What a request's timer costs: a deadline armed when the request goes out and cancelled when the
 * answer comes, as the failover deadline and the stores' timeouts are, with Reactor's
 * {@code Mono.delay} (on {@code Schedulers.parallel()}) against {@link Timers#delay} (one timing
 * wheel). One thread arms a 60 s timer, does 20 us of a request's work, and cancels it, with 1 or
 * 32 timers in flight (one connection, 32 connections); the process's CPU time per timer, beyond
 * the 20 us of work, and the caller's wall time per timer, beyond the same, min / median / max of 5
 * rounds.
 */
public final class TimerBench {

	private static final int TIMERS = 100_000;

	private static final long WORK_NANOS = 20_000;

	private TimerBench() {
	}

	public static void main(String[] args) {
		List<String> lines = new ArrayList<>();
		for (int inFlight : new int[] { 1, 32 }) {
			for (String kind : new String[] { "Mono.delay", "Timers.delay" }) {
				Function<Duration, Mono<Long>> timer = kind.equals("Mono.delay") ? Mono::delay : Timers::delay;
				run(timer, inFlight);
				double[] cpu = new double[5];
				double[] wall = new double[5];
				for (int round = 0; round < 5; round++) {
					double[] costs = run(timer, inFlight);
					cpu[round] = costs[0];
					wall[round] = costs[1];
				}
				lines.add(String.format(Locale.ROOT, "%s, %d in flight: CPU %s us, caller's wall %s us per timer", kind,
						inFlight, spread(cpu), spread(wall)));
			}
		}
		System.out.println("Arm a 60 s timer, 20 us of work, cancel; beyond the work (min / median / max of 5 rounds):");
		lines.forEach(System.out::println);
		System.exit(0);
	}

	/** CPU and wall microseconds per timer beyond the work. */
	private static double[] run(Function<Duration, Mono<Long>> timer, int inFlight) {
		Disposable[] armed = new Disposable[inFlight];
		long cpu = cpu();
		long start = System.nanoTime();
		for (int i = 0; i < TIMERS; i++) {
			int slot = i % inFlight;
			if (armed[slot] != null) {
				armed[slot].dispose();
			}
			armed[slot] = timer.apply(Duration.ofSeconds(60)).subscribe();
			long until = System.nanoTime() + WORK_NANOS;
			while (System.nanoTime() < until) {
				Thread.onSpinWait();
			}
		}
		for (Disposable left : armed) {
			left.dispose();
		}
		double work = WORK_NANOS / 1e3;
		return new double[] { (cpu() - cpu) / 1e3 / TIMERS - work, (System.nanoTime() - start) / 1e3 / TIMERS - work };
	}

	private static long cpu() {
		return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
			.getProcessCpuTime();
	}

	private static String spread(double[] values) {
		double[] sorted = values.clone();
		Arrays.sort(sorted);
		return String.format(Locale.ROOT, "%.2f / %.2f / %.2f", sorted[0], sorted[sorted.length / 2],
				sorted[sorted.length - 1]);
	}

}
