package dev.switchboard.quota.backend;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;
import org.redisson.api.redisnode.RedisNode;
import org.redisson.api.redisnode.RedisNodes;

import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.Usage;
import dev.switchboard.quota.FailureMode;
import dev.switchboard.quota.LimitSet;
import dev.switchboard.quota.QuotaLimit;
import dev.switchboard.quota.QuotaPolicy;
import dev.switchboard.quota.admission.Admission;
import dev.switchboard.quota.admission.TokenQuotaService;
import dev.switchboard.testing.MovingClock;
import dev.switchboard.testing.RedisTestServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Lua scripts of {@link RedisQuotaBackend} on a real Redis: the same numbers as Bucket4j's
 * local buckets under a moving clock, settlement applied once per id, and two Redis commands per
 * request counted by the server itself.
 */
class RedisQuotaScriptsTest {

	static RedisTestServer redis;

	static RedissonClient client;

	@BeforeAll
	static void start() {
		redis = RedisTestServer.startOnFreePort();
		client = RedisQuotaBackendTest.client(redis.address());
	}

	@AfterAll
	static void stop() throws Exception {
		client.shutdown();
		redis.close();
	}

	@Test
	void gatewaysWithSkewedClocksGetNoRefillFromTheSkew() {
		// Two gateways 5 s apart share a bucket of 60 requests per minute (one a second) and take turns.
		Instant start = Instant.parse("2026-11-23T10:00:00Z");
		MovingClock behind = new MovingClock(start);
		MovingClock ahead = new MovingClock(start.plusSeconds(5));
		RedisQuotaBackend slow = new RedisQuotaBackend(client, "sb:skew", false, behind);
		RedisQuotaBackend fast = new RedisQuotaBackend(client, "sb:skew", false, ahead);
		List<BucketSpec> buckets = BucketSpec.forScope("sb:skew", "skew", "team",
				LimitSet.of(Map.of(QuotaLimit.REQUESTS_PER_MINUTE, 60L)), YearMonth.of(2026, 11));
		BucketSpec bucket = buckets.get(0);
		assertThat(fast.tryConsume(bucket, 59).block(Duration.ofSeconds(5)).consumed()).isTrue();
		int admitted = 0;
		for (int turn = 0; turn < 20; turn++) {
			RedisQuotaBackend gateway = (turn % 2 == 0) ? slow : fast;
			if (gateway.tryConsume(bucket, 1).block(Duration.ofSeconds(5)).consumed()) {
				admitted++;
			}
		}
		// No time passed on either clock: exactly the one request left. Were the gateway behind allowed
		// to write its time, the one ahead would refill its 5 s lead again at each turn (5 per turn).
		assertThat(admitted).isEqualTo(1);
		ahead.advanceMillis(3_000);
		assertThat(fast.tryConsume(bucket, 3).block(Duration.ofSeconds(5)).consumed()).as("real time refills").isTrue();
		assertThat(slow.tryConsume(bucket, 1).block(Duration.ofSeconds(5)).consumed()).isFalse();
	}

	@Test
	void theScriptsCountExactlyAsBucket4jDoesUnderAMovingClock() {
		MovingClock clock = new MovingClock(Instant.parse("2026-11-30T23:58:30.123Z"));
		RedisQuotaBackend lua = new RedisQuotaBackend(client, "sb:lua", false, clock);
		InMemoryQuotaBackend bucket4j = new InMemoryQuotaBackend(clock);
		LimitSet limits = LimitSet.of(Map.of(QuotaLimit.REQUESTS_PER_MINUTE, 7L, QuotaLimit.TOKENS_PER_MINUTE, 600L,
				QuotaLimit.TOKENS_PER_DAY, 2_000L, QuotaLimit.TOKENS_PER_MONTH, 5_000L, QuotaLimit.SPEND_PER_DAY,
				1_000_000L));
		List<BucketSpec> buckets = BucketSpec.forScope("sb:lua", "diff", "team", limits,
				YearMonth.from(clock.instant().atZone(ZoneOffset.UTC)));
		assertThat(buckets).hasSize(3);
		Random random = new Random(42);
		for (int step = 0; step < 600; step++) {
			BucketSpec bucket = buckets.get(random.nextInt(buckets.size()));
			long capacity = bucket.capacities().get(0);
			switch (random.nextInt(6)) {
				case 0, 1, 2 -> {
					long amount = 1 + random.nextLong(Math.max(1, capacity / 4));
					QuotaBackend.Probe expected = bucket4j.tryConsume(bucket, amount).block();
					QuotaBackend.Probe actual = lua.tryConsume(bucket, amount).block(Duration.ofSeconds(5));
					assertThat(actual.consumed()).as("step %d: consume %d from %s", step, amount, bucket.key())
						.isEqualTo(expected.consumed());
					assertThat(actual.available()).as("step %d", step).containsExactly(expected.available());
				}
				case 3 -> {
					long amount = random.nextLong(capacity / 3 + 1) - capacity / 6;
					bucket4j.adjust(bucket, amount).block();
					lua.adjust(bucket, amount).block(Duration.ofSeconds(5));
				}
				default -> clock.advanceMillis(switch (random.nextInt(4)) {
					case 0 -> random.nextInt(50);
					case 1 -> random.nextInt(5_000);
					case 2 -> random.nextInt(90_000);
					default -> random.nextInt(4 * 3_600_000);
				});
			}
			for (BucketSpec each : buckets) {
				assertThat(lua.available(each).block(Duration.ofSeconds(5)))
					.as("step %d, %s at %s", step, each.key(), clock.instant())
					.containsExactly(bucket4j.available(each).block());
			}
		}
	}

	@Test
	void aSettlementIdIsAppliedOnceHoweverOftenItIsSent() {
		RedisQuotaBackend backend = new RedisQuotaBackend(client, Duration.ofSeconds(2), "sb:once");
		BucketSpec bucket = BucketSpec.forScope("sb:once", "once", "team",
				LimitSet.of(Map.of(QuotaLimit.TOKENS_PER_DAY, 1_000L)), YearMonth.now(ZoneOffset.UTC)).get(0);
		assertThat(backend.tryConsume(bucket, 300).block(Duration.ofSeconds(5)).consumed()).isTrue();
		LocalDate today = LocalDate.now(ZoneOffset.UTC);
		QuotaBackend.UsageRecord usage = new QuotaBackend.UsageRecord(1, 40, 60, 500);
		List<QuotaBackend.Adjustment> refund = List.of(new QuotaBackend.Adjustment(bucket, -200));
		assertThat(backend.settle("attempt-1", "once", refund, today, usage).block(Duration.ofSeconds(5))).isTrue();
		assertThat(backend.settle("attempt-1", "once", refund, today, usage).block(Duration.ofSeconds(5))).isFalse();
		assertThat(backend.available(bucket).block(Duration.ofSeconds(5))).containsExactly(900);
		assertThat(backend.ledger("once", today).block(Duration.ofSeconds(5)).day()).isEqualTo(usage);
		assertThat(client.getBucket(backend.markerKey("once", "attempt-1")).remainTimeToLive())
			.isPositive().isLessThanOrEqualTo(RedisQuotaBackend.MARKER_TTL_MILLIS);

		assertThat(backend.settle("attempt-2", "once", refund, today, usage).block(Duration.ofSeconds(5))).isTrue();
		assertThat(backend.available(bucket).block(Duration.ofSeconds(5))).as("refunds stop at the capacity")
			.containsExactly(1_000);
		assertThat(backend.ledger("once", today).block(Duration.ofSeconds(5)).day().requests()).isEqualTo(2);
	}

	@Test
	void aRequestCostsAtMostTwoRedisCommandsToReserveAndSettle() throws Exception {
		QuotaBackendContract contract = new InMemoryQuotaBackendTest();
		LimitSet team = new LimitSet(Map.of(QuotaLimit.REQUESTS_PER_MINUTE, 100_000L, QuotaLimit.TOKENS_PER_MINUTE,
				10_000_000L, QuotaLimit.TOKENS_PER_DAY, 100_000_000L, QuotaLimit.TOKENS_PER_MONTH, 1_000_000_000L,
				QuotaLimit.SPEND_PER_DAY, 1_000_000_000_000L, QuotaLimit.SPEND_PER_MONTH, 10_000_000_000_000L),
				Set.of(QuotaLimit.SPEND_PER_MONTH), Set.of(), null);
		QuotaPolicy policy = new QuotaPolicy(LimitSet.NONE, Map.of(contract.team, team),
				Map.of("gpt-test", LimitSet.of(Map.of(QuotaLimit.TOKENS_PER_MINUTE, 5_000_000L))), Map.of(),
				new QuotaPolicy.ClientLayer(QuotaPolicy.ClientLayer.Source.KEY, null,
						LimitSet.of(Map.of(QuotaLimit.REQUESTS_PER_MINUTE, 50_000L, QuotaLimit.TOKENS_PER_DAY,
								50_000_000L))),
				1024);
		TokenQuotaService service = TokenQuotaService.builder(policy,
				new RedisQuotaBackend(client, Duration.ofSeconds(2), "sb:count"), QuotaBackendContract.RESOLVER)
			.failureMode(FailureMode.CLOSED)
			.timeout(Duration.ofSeconds(2))
			.build();
		// The first request loads the scripts into Redis (EVALSHA, NOSCRIPT, EVAL): not counted.
		request(service, contract);

		Map<String, Long> before = commandCalls();
		List<String> sent;
		int requests = 50;
		try (Monitor monitor = Monitor.start(redis.port())) {
			for (int i = 0; i < requests; i++) {
				Admission admission = request(service, contract);
				assertThat(admission.headers().backend()).isEqualTo("redis");
				assertThat(admission.headers().requests().limit()).isEqualTo(50_000);
			}
			sent = monitor.stop();
		}
		Map<String, Long> after = commandCalls();

		// MONITOR shows what clients send (commands run by a script are marked "lua"): the round trips.
		Map<String, Long> fromClients = new HashMap<>();
		sent.stream().filter(command -> !Set.of("info", "ping").contains(command))
			.forEach(command -> fromClients.merge(command, 1L, Long::sum));
		long total = fromClients.values().stream().mapToLong(Long::longValue).sum();
		assertThat((double) total / requests).as("Redis commands per request: %s", fromClients)
			.isLessThanOrEqualTo(2.0);
		assertThat(fromClients).as("cached scripts, one to reserve and one to settle each request")
			.containsExactly(Map.entry("evalsha", 2L * requests));
		// The server's own count agrees: 2 EVALSHA per request, no EVAL (no script sent again).
		assertThat(after.getOrDefault("evalsha", 0L) - before.getOrDefault("evalsha", 0L)).isEqualTo(2L * requests);
		assertThat(after.getOrDefault("eval", 0L)).isEqualTo(before.getOrDefault("eval", 0L));
		assertThat(service.snapshot(contract.team).block(Duration.ofSeconds(5)).usage().day().requests())
			.isEqualTo(requests + 1);
	}

	/** A raw {@code MONITOR} connection: collects the command name of everything clients send. */
	static final class Monitor implements AutoCloseable {

		private final java.net.Socket socket;

		private final List<String> commands = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

		private final Thread reader;

		private Monitor(java.net.Socket socket) {
			this.socket = socket;
			this.reader = new Thread(this::read, "redis-monitor");
			this.reader.setDaemon(true);
		}

		static Monitor start(int port) throws java.io.IOException {
			java.net.Socket socket = new java.net.Socket("127.0.0.1", port);
			socket.setSoTimeout(10_000);
			socket.getOutputStream().write("MONITOR\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
			java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(
					socket.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
			assertThat(in.readLine()).isEqualTo("+OK");
			Monitor monitor = new Monitor(socket);
			monitor.in = in;
			monitor.reader.start();
			return monitor;
		}

		private java.io.BufferedReader in;

		private void read() {
			try {
				String line;
				while ((line = this.in.readLine()) != null) {
					// +1700000000.123456 [0 127.0.0.1:50412] "evalsha" "..."; from a script: [0 lua]
					int close = line.indexOf("] \"");
					if (close < 0 || line.substring(0, close).endsWith(" lua")) {
						continue;
					}
					int start = close + 3;
					this.commands.add(line.substring(start, line.indexOf('"', start)).toLowerCase(java.util.Locale.ROOT));
				}
			}
			catch (java.io.IOException closed) {
				// stop() closed the socket
			}
		}

		/** Waits for the monitor to drain (a quiet 300 ms) and returns what it saw. */
		List<String> stop() {
			AtomicInteger seen = new AtomicInteger(-1);
			Awaitility.await()
				.pollInterval(Duration.ofMillis(300))
				.atMost(Duration.ofSeconds(10))
				.until(() -> seen.getAndSet(this.commands.size()) == this.commands.size());
			return List.copyOf(this.commands);
		}

		@Override
		public void close() throws java.io.IOException {
			this.socket.close();
		}

	}

	private static Admission request(TokenQuotaService service, QuotaBackendContract contract) {
		LlmExchange exchange = contract.chat("fast", 20, false);
		Admission admission = service.reserve(exchange, "client-1").block(Duration.ofSeconds(5));
		exchange.recordUsage(new Usage(9, 11, 0, true));
		exchange.complete(LlmExchange.Completion.SUCCESS, null);
		admission.reservation().settlement().block(Duration.ofSeconds(5));
		return admission;
	}

	/** {@code INFO commandstats} of the server, as calls per command. */
	private static Map<String, Long> commandCalls() {
		Map<String, String> stats = client.getRedisNodes(RedisNodes.SINGLE).getInstance()
			.info(RedisNode.InfoSection.COMMANDSTATS);
		Map<String, Long> calls = new HashMap<>();
		stats.forEach((key, value) -> {
			String command = key.replace("cmdstat_", "").toLowerCase(java.util.Locale.ROOT);
			for (String part : value.split(",")) {
				if (part.startsWith("calls=")) {
					calls.put(command, Long.parseLong(part.substring("calls=".length())));
				}
			}
		});
		return calls;
	}

}
