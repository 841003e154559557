package dev.switchboard.bench;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.catalog.Capability;
import dev.switchboard.catalog.ModelCatalog;
import dev.switchboard.catalog.ModelSpec;
import dev.switchboard.catalog.ProviderSpec;
import dev.switchboard.catalog.ProviderType;
import dev.switchboard.core.Json;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.Operation;
import dev.switchboard.core.Team;
import dev.switchboard.quota.LimitSet;
import dev.switchboard.quota.QueuePolicy;
import dev.switchboard.quota.QuotaLimit;
import dev.switchboard.quota.QuotaPolicy;
import dev.switchboard.quota.admission.BurstQueue;
import dev.switchboard.quota.admission.TokenQuotaService;
import dev.switchboard.quota.backend.InMemoryQuotaBackend;
import dev.switchboard.route.ModelResolver;

/**
 * The burst queue's two figures, in one JVM, in memory (the store's own cost is the quota case's):
 *
 * <ol>
 * <li><b>Cost when nothing waits</b>: a reservation with the queue on (a team with
 * {@code max-wait}) against the same with it off, interleaved in rounds; the difference is what
 * every request pays for the queue being there. Target: at most 0.02 ms.
 * <li><b>Scheduling accuracy under a burst</b>: a team at 6,000 requests per minute (100 a
 * second) takes its bucket's capacity at once, then 300 more requests wait; the rate at which
 * they are admitted, against the limit's 100 a second. Target: within 5 %.
 * </ol>
 * Prints markdown.
 */
public final class BurstQueueBench {

	private static final int ROUNDS = 5;

	private static final int RESERVATIONS = 100_000;

	private static final ModelResolver RESOLVER = new ModelResolver(new ModelCatalog(
			List.of(new ProviderSpec("stub", ProviderType.OPENAI, URI.create("http://127.0.0.1:9/v1"), null, Map.of(),
					Duration.ofSeconds(1), Duration.ofSeconds(1), true)),
			List.of(new ModelSpec("gpt-test", "stub", "gpt-test", List.of("fast"), null, null, null, null,
					Set.of(Capability.CHAT)))));

	private BurstQueueBench() {
	}

	public static void main(String[] args) throws Exception {
		System.out.println("### Burst queue (in memory)");
		System.out.println();
		cost();
		accuracy();
	}

	private static void cost() {
		LimitSet roomy = LimitSet.of(Map.of(QuotaLimit.REQUESTS_PER_MINUTE, 1_000_000_000L));
		QueuePolicy.Queue on = new QueuePolicy.Queue(Duration.ofSeconds(2), 100, QueuePolicy.Priority.NORMAL, false);
		TokenQuotaService off = service(roomy, QueuePolicy.OFF);
		TokenQuotaService queued = service(roomy, QueuePolicy.uniform(on));
		double[] offNs = new double[ROUNDS];
		double[] onNs = new double[ROUNDS];
		for (int round = -2; round < ROUNDS; round++) { // two rounds warm the JIT up
			double a = perReservation(off);
			double b = perReservation(queued);
			if (round >= 0) {
				offNs[round] = a;
				onNs[round] = b;
			}
		}
		double[] added = new double[ROUNDS];
		for (int i = 0; i < ROUNDS; i++) {
			added[i] = onNs[i] - offNs[i];
		}
		Arrays.sort(offNs);
		Arrays.sort(onNs);
		Arrays.sort(added);
		System.out.printf(Locale.ROOT, "Cost when nothing waits (%d reservations per round, %d rounds, min / median "
				+ "/ max): queue off %.2f / %.2f / %.2f µs, queue on %.2f / %.2f / %.2f µs per reservation; added "
				+ "**%.4f ms** median (min %.4f, max %.4f; target <= 0.02 ms).%n%n", RESERVATIONS, ROUNDS,
				offNs[0] / 1e3, offNs[ROUNDS / 2] / 1e3, offNs[ROUNDS - 1] / 1e3, onNs[0] / 1e3, onNs[ROUNDS / 2] / 1e3,
				onNs[ROUNDS - 1] / 1e3, added[ROUNDS / 2] / 1e6, added[0] / 1e6, added[ROUNDS - 1] / 1e6);
	}

	/** Mean time of one reservation and its settlement, on the calling thread (the in-memory store answers at once). */
	private static double perReservation(TokenQuotaService service) {
		long start = System.nanoTime();
		for (int i = 0; i < RESERVATIONS; i++) {
			LlmExchange exchange = chat("team");
			service.reserve(exchange, null).block();
			exchange.complete(LlmExchange.Completion.SUCCESS, null);
		}
		return (System.nanoTime() - start) / (double) RESERVATIONS;
	}

	private static void accuracy() throws InterruptedException {
		System.out.println("| round | limit | waiting | admitted rate | error | last admitted after |");
		System.out.println("| --- | --- | --- | --- | --- | --- |");
		double[] errors = new double[3];
		for (int round = 0; round < errors.length; round++) {
			errors[round] = burst(round);
		}
		Arrays.sort(errors);
		System.out.printf(Locale.ROOT, "%nRate error min / median / max: %.2f / %.2f / %.2f %% (target within 5 %%).%n",
				errors[0], errors[1], errors[2]);
	}

	private static double burst(int round) throws InterruptedException {
		long perMinute = 6_000;
		int waiting = 300;
		QueuePolicy.Queue queue = new QueuePolicy.Queue(Duration.ofSeconds(30), 1_000, QueuePolicy.Priority.NORMAL,
				false);
		TokenQuotaService service = service(LimitSet.of(Map.of(QuotaLimit.REQUESTS_PER_MINUTE, perMinute)),
				QueuePolicy.uniform(queue));
		String team = "team";
		for (int i = 0; i < perMinute; i++) {
			service.reserve(chat(team), null).block();
		}
		List<Long> admittedAt = java.util.Collections.synchronizedList(new ArrayList<>());
		CountDownLatch done = new CountDownLatch(waiting);
		AtomicInteger failed = new AtomicInteger();
		long start = System.nanoTime();
		for (int i = 0; i < waiting; i++) {
			service.reserve(chat(team), null).subscribe(admission -> {
				if (!admission.queued().isZero()) {
					// Only those that waited: the bucket's refill while it was being emptied lets a few in at once.
					admittedAt.add(System.nanoTime());
				}
				done.countDown();
			}, error -> {
				failed.incrementAndGet();
				done.countDown();
			});
		}
		done.await(60, TimeUnit.SECONDS);
		List<Long> times = new ArrayList<>(admittedAt);
		times.sort(null);
		// The rate between the first and the last admission after waiting: (n - 1) intervals.
		double seconds = (times.get(times.size() - 1) - times.get(0)) / 1e9;
		double rate = (times.size() - 1) / seconds;
		double expected = perMinute / 60.0;
		double error = 100 * Math.abs(rate - expected) / expected;
		System.out.printf(Locale.ROOT, "| %d | %,d/min (%.0f/s) | %d sent, %d waited, %d refused | %.2f/s | %.2f %% | %.2f s |%n",
				round + 1, perMinute, expected, waiting, times.size(), failed.get(), rate, error,
				(times.get(times.size() - 1) - start) / 1e9);
		return error;
	}

	private static TokenQuotaService service(LimitSet limits, QueuePolicy queues) {
		return TokenQuotaService
			.builder(new QuotaPolicy(LimitSet.NONE, Map.of("team", limits), Map.of(), Map.of(), null, 16),
					new InMemoryQuotaBackend(), RESOLVER)
			.queue(queues, new BurstQueue(Schedulers.parallel(), BurstQueue.Metrics.NONE))
			.build();
	}

	private static LlmExchange chat(String team) {
		ObjectNode body = (ObjectNode) Json.MAPPER
			.readTree("{\"model\":\"fast\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
		Team owner = Team.unrestricted(team);
		return new LlmExchange("req", Operation.CHAT, owner, body, RESOLVER.resolve("fast", owner, Operation.CHAT));
	}

}
