package dev.switchboard.quota.backend;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.awaitility.core.ConditionFactory;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.redisson.api.RedissonClient;
import reactor.core.Disposable;
import reactor.test.scheduler.VirtualTimeScheduler;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.HttpHeaders;

import dev.switchboard.core.Headers;
import dev.switchboard.core.Json;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.Operation;
import dev.switchboard.core.Team;
import dev.switchboard.quota.FailureMode;
import dev.switchboard.quota.LimitSet;
import dev.switchboard.quota.QueuePolicy;
import dev.switchboard.quota.QuotaLimit;
import dev.switchboard.quota.QuotaPolicy;
import dev.switchboard.quota.admission.Admission;
import dev.switchboard.quota.admission.BurstQueue;
import dev.switchboard.quota.admission.QuotaExceededException;
import dev.switchboard.quota.admission.TokenQuotaService;
import dev.switchboard.route.ModelResolver;
import dev.switchboard.testing.RedisTestServer;
import dev.switchboard.testing.TestCatalogs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Bursts that wait for their limits, on both backends (Redis real, on a free port). Time is
 * virtual: the queue's timers run on a {@link VirtualTimeScheduler} and the buckets read a clock
 * that follows it, so a burst at 10 requests per minute plays out its minutes in milliseconds,
 * and every admission time is exact.
 */
class BurstQueueTest {

	private static final ModelResolver RESOLVER = new ModelResolver(
			TestCatalogs.catalog(URI.create("http://127.0.0.1:9/v1")));

	private static final AtomicInteger TEAMS = new AtomicInteger();

	private static final Duration REFILL = Duration.ofSeconds(6); // 10 requests per minute

	/** Millisecond steps {@link #refill} may take past a refill for a timer that falls just after it. */
	private static final int NUDGES = 5;

	static RedisTestServer redis;

	static RedissonClient client;

	@BeforeAll
	static void start() {
		redis = RedisTestServer.startOnFreePort();
		// Generous: this test is about the queue's order, and a Redis answer that took longer than a
		// tight timeout under the whole suite's load (a collection pause, two busy cores) failed a
		// request closed and left the burst one admission short.
		client = RedisTestServer.client(redis.address(), Duration.ofSeconds(2), Duration.ofSeconds(5));
	}

	@AfterAll
	static void stop() throws Exception {
		client.shutdown();
		redis.close();
	}

	/** A fresh store on the given clock; the Redis ones share one server, as a fleet does. */
	static Stream<Store> stores() {
		return Stream.of(new Store("memory", InMemoryQuotaBackend::new),
				new Store("redis", clock -> new RedisQuotaBackend(client, "sb:queue", false, clock)));
	}

	record Store(String name, Function<Clock, QuotaBackend> backend) {
		@Override
		public String toString() {
			return this.name;
		}
	}

	private final VirtualTimeScheduler time = VirtualTimeScheduler.create();

	private final Clock clock = new Clock() {
		private final Instant start = Instant.parse("2026-12-07T10:00:00Z");

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			return this;
		}

		@Override
		public Instant instant() {
			return this.start.plusNanos(BurstQueueTest.this.time.now(TimeUnit.NANOSECONDS));
		}
	};

	private final String team = "burst" + TEAMS.incrementAndGet() + "-" + Long.toHexString(System.nanoTime());

	@ParameterizedTest
	@MethodSource("stores")
	void aBurstWaitsAndIsAdmittedInArrivalOrderAtTheLimitsRate(Store store) {
		BurstQueue queue = new BurstQueue(this.time, BurstQueue.Metrics.NONE);
		TokenQuotaService service = service(store.backend().apply(this.clock), queue, Duration.ofMinutes(5), 100);
		Burst burst = burst(service, queue, 50, null);

		assertThat(burst.admitted).as("the bucket's capacity at once").hasSize(10);
		assertThat(queue.depth()).isEqualTo(40);
		for (int k = 1; k <= 40; k++) {
			refill(burst.admitted::size, 10 + k, queue);
		}
		assertThat(burst.admitted.stream().map(Admitted::index)).containsExactlyElementsOf(range(50));
		for (int k = 1; k <= 40; k++) {
			Admitted one = burst.admitted.get(9 + k);
			assertThat(one.at()).as("request %d admitted at the %d-th refill", one.index(), k)
				.isBetween(REFILL.multipliedBy(k), REFILL.multipliedBy(k).plusMillis(10));
			assertThat(one.admission().queued()).isEqualTo(one.at());
		}
		assertThat(burst.refused).isEmpty();
		assertThat(queue.depth()).isZero();
	}

	@ParameterizedTest
	@MethodSource("stores")
	void aShortMaxWaitRefusesExactlyWhatCannotBeAdmittedInTime(Store store) {
		BurstQueue queue = new BurstQueue(this.time, BurstQueue.Metrics.NONE);
		TokenQuotaService service = service(store.backend().apply(this.clock), queue, Duration.ofSeconds(13), 100);
		Burst burst = burst(service, queue, 50, null);

		advance(REFILL, queue);
		soon().until(() -> burst.admitted.size() == 11);
		advance(REFILL, queue);
		soon().until(() -> burst.admitted.size() == 12);
		// At 12 s the next refill is due at 18 s, past every deadline (13 s): all answered now, not at 13 s.
		soon().until(() -> burst.refused.size() == 38);
		assertThat(at()).isEqualTo(REFILL.multipliedBy(2));
		assertThat(burst.admitted).hasSize(12).extracting(Admitted::index).containsExactlyElementsOf(range(12));
		assertThat(burst.refused).allSatisfy(error -> {
			assertThat(error).isInstanceOf(QuotaExceededException.class);
			assertThat(((LlmApiException) error).status()).isEqualTo(429);
			assertThat(((LlmApiException) error).retryAfter()).isPositive();
		});
		assertThat(queue.depth()).isZero();
	}

	@ParameterizedTest
	@MethodSource("stores")
	void aFullLaneRefusesTheNextAtOnce(Store store) {
		BurstQueue queue = new BurstQueue(this.time, BurstQueue.Metrics.NONE);
		TokenQuotaService service = service(store.backend().apply(this.clock), queue, Duration.ofMinutes(5), 5);
		Burst burst = burst(service, queue, 20, null);
		assertThat(burst.admitted).hasSize(10);
		assertThat(queue.depth()).isEqualTo(5);
		assertThat(burst.refused).hasSize(5).allSatisfy(error -> assertThat(error)
			.hasMessageContaining("are waiting for their rate limit (5 at most)"));
	}

	@ParameterizedTest
	@MethodSource("stores")
	void twoTeamsBurstingTogetherBothMakeProgress(Store store) {
		BurstQueue queue = new BurstQueue(this.time, BurstQueue.Metrics.NONE);
		String other = this.team + "-b";
		QuotaBackend backend = store.backend().apply(this.clock);
		TokenQuotaService service = service(backend, queue, Map.of(this.team, perMinute(10), other, perMinute(10)),
				new QueuePolicy.Queue(Duration.ofMinutes(5), 100, QueuePolicy.Priority.NORMAL, false));
		List<Admitted> admitted = new CopyOnWriteArrayList<>();
		for (int i = 0; i < 30; i++) {
			// Interleaved: a, b, a, b...
			String who = (i % 2 == 0) ? this.team : other;
			int index = i;
			int before = admitted.size() + queue.depth();
			service.reserve(chat(who), null).subscribe(admission -> admitted.add(new Admitted(index, at(), admission)));
			soon().until(() -> admitted.size() + queue.depth() == before + 1);
		}
		assertThat(admitted).hasSize(20);
		for (int k = 1; k <= 5; k++) {
			refill(admitted::size, 20 + 2 * k, queue);
		}
		List<Integer> afterWaiting = admitted.subList(20, 30).stream().map(Admitted::index).toList();
		assertThat(afterWaiting).as("one of each team per refill").filteredOn(i -> i % 2 == 0).hasSize(5);
		assertThat(afterWaiting).filteredOn(i -> i % 2 == 1).hasSize(5);
	}

	@ParameterizedTest
	@MethodSource("stores")
	void twoGatewaysOnOneStoreNeverAdmitMoreThanTheLimitTogether(Store store) {
		BurstQueue queueA = new BurstQueue(this.time, BurstQueue.Metrics.NONE);
		BurstQueue queueB = new BurstQueue(this.time, BurstQueue.Metrics.NONE);
		// Two gateways: each its own service and queue, one store (for Redis: two backends on one server).
		QuotaBackend backendA = store.backend().apply(this.clock);
		QuotaBackend backendB = store.name().equals("memory") ? backendA : store.backend().apply(this.clock);
		TokenQuotaService gatewayA = service(backendA, queueA, Duration.ofMinutes(5), 100);
		TokenQuotaService gatewayB = service(backendB, queueB, Duration.ofMinutes(5), 100);
		List<Admitted> admitted = new CopyOnWriteArrayList<>();
		for (int i = 0; i < 30; i++) {
			TokenQuotaService gateway = (i % 2 == 0) ? gatewayA : gatewayB;
			int index = i;
			int before = admitted.size() + queueA.depth() + queueB.depth();
			gateway.reserve(chat(this.team), null)
				.subscribe(admission -> admitted.add(new Admitted(index, at(), admission)));
			soon()
				.until(() -> admitted.size() + queueA.depth() + queueB.depth() == before + 1);
		}
		assertThat(admitted).hasSize(10);
		for (int k = 1; k <= 10; k++) {
			refill(admitted::size, 10 + k, queueA, queueB);
		}
		soon().until(() -> queueA.idle() && queueB.idle());
		assertThat(admitted).hasSize(20);
		// Each gateway keeps its own order; across gateways the store decides who takes a refill.
		assertThat(queueA.depth() + queueB.depth()).isEqualTo(10);
	}

	@ParameterizedTest
	@MethodSource("stores")
	void aClientThatLeavesWhileQueuedLeavesTheQueueAndIsChargedNothing(Store store) {
		BurstQueue queue = new BurstQueue(this.time, BurstQueue.Metrics.NONE);
		TokenQuotaService service = service(store.backend().apply(this.clock), queue, Duration.ofMinutes(5), 100);
		Burst burst = burst(service, queue, 11, null);
		assertThat(queue.depth()).isEqualTo(1);
		burst.subscriptions.get(10).dispose();
		assertThat(queue.depth()).isZero();

		advance(REFILL, queue);
		assertThat(burst.admitted).hasSize(10);
		// The refill it waited for is still there: the next request takes it at once.
		List<Admission> next = new CopyOnWriteArrayList<>();
		service.reserve(chat(this.team), null).subscribe(next::add);
		soon().until(() -> next.size() == 1);
		assertThat(next.get(0).queued()).isZero();
		assertThat(requestsLeft(service)).isZero();
	}

	@ParameterizedTest
	@MethodSource("stores")
	void aHighPriorityRequestOvertakesNormalOnesWhenItsTeamMayChoose(Store store) {
		BurstQueue queue = new BurstQueue(this.time, BurstQueue.Metrics.NONE);
		TokenQuotaService service = service(store.backend().apply(this.clock), queue, Map.of(this.team, perMinute(10)),
				new QueuePolicy.Queue(Duration.ofMinutes(1), 100, QueuePolicy.Priority.NORMAL, true));
		HttpHeaders high = new HttpHeaders();
		high.set(Headers.PRIORITY, "high");
		Burst burst = burst(service, queue, 13, index -> (index == 12) ? high : new HttpHeaders());
		assertThat(queue.depth()).isEqualTo(3);
		for (int k = 1; k <= 3; k++) {
			refill(burst.admitted::size, 10 + k, queue);
		}
		assertThat(burst.admitted.subList(10, 13).stream().map(Admitted::index)).containsExactly(12, 10, 11);
	}

	@ParameterizedTest
	@MethodSource("stores")
	void closingTheQueueAnswersEveryWaitingRequestWith503(Store store) {
		BurstQueue queue = new BurstQueue(this.time, BurstQueue.Metrics.NONE);
		TokenQuotaService service = service(store.backend().apply(this.clock), queue, Duration.ofMinutes(5), 100);
		Burst burst = burst(service, queue, 13, null);
		queue.close();
		assertThat(queue.depth()).isZero();
		assertThat(burst.refused).hasSize(3)
			.allSatisfy(error -> assertThat(((LlmApiException) error).status()).isEqualTo(503));
	}

	@org.junit.jupiter.api.Test
	void aClientThatLeavesWhileItsTurnIsDecidedHasWhatWasTakenGivenBack() {
		BurstQueue queue = new BurstQueue(this.time, BurstQueue.Metrics.NONE);
		QueuePolicy.Queue settings = new QueuePolicy.Queue(Duration.ofMinutes(1), 10, QueuePolicy.Priority.NORMAL, false);
		List<String> released = new CopyOnWriteArrayList<>();
		reactor.core.publisher.Sinks.One<String> store = reactor.core.publisher.Sinks.one();
		AtomicInteger tries = new AtomicInteger();
		QuotaExceededException refusal = refusal(service(new InMemoryQuotaBackend(this.clock), queue, Duration.ZERO, 0));
		// The first try is refused (the request waits); the second, at the refill, is in flight until the store answers.
		Disposable client = queue.admit(this.team, "lane", settings, QueuePolicy.Priority.NORMAL,
				() -> (tries.incrementAndGet() == 1) ? reactor.core.publisher.Mono.error(refusal) : store.asMono(),
				released::add)
			.subscribe();
		assertThat(queue.depth()).isEqualTo(1);
		advance(refusal.retryAfter());
		assertThat(tries.get()).as("its turn is under way").isEqualTo(2);
		client.dispose();
		store.tryEmitValue("reservation-1");
		assertThat(released).as("taken for a client that left: given back").containsExactly("reservation-1");
		assertThat(queue.depth()).isZero();
		assertThat(queue.idle()).isTrue();
	}

	/** A real refusal of the store: a team at 10 requests a minute after its eleventh request. */
	private QuotaExceededException refusal(TokenQuotaService service) {
		for (int i = 0; i < 10; i++) {
			service.reserve(chat(this.team), null).block(Duration.ofSeconds(5));
		}
		try {
			service.reserve(chat(this.team), null).block(Duration.ofSeconds(5));
		}
		catch (QuotaExceededException ex) {
			return ex;
		}
		throw new AssertionError("the eleventh request was admitted");
	}

	// ---- helpers

	private TokenQuotaService service(QuotaBackend backend, BurstQueue queue, Duration maxWait, int maxLength) {
		return service(backend, queue, Map.of(this.team, perMinute(10)),
				new QueuePolicy.Queue(maxWait, maxLength, QueuePolicy.Priority.NORMAL, false));
	}

	private TokenQuotaService service(QuotaBackend backend, BurstQueue queue, Map<String, LimitSet> teams,
			QueuePolicy.Queue settings) {
		return TokenQuotaService
			.builder(new QuotaPolicy(LimitSet.NONE, teams, Map.of(), Map.of(), null, 1024), backend, RESOLVER)
			.failureMode(FailureMode.CLOSED)
			.timeout(Duration.ofSeconds(5))
			.clock(this.clock)
			.queue(QueuePolicy.uniform(settings), queue)
			.build();
	}

	/** Sends {@code count} requests one after another, each admitted, queued or refused before the next. */
	private Burst burst(TokenQuotaService service, BurstQueue queue, int count,
			@org.jspecify.annotations.Nullable Function<Integer, HttpHeaders> headers) {
		Burst burst = new Burst();
		for (int i = 0; i < count; i++) {
			int index = i;
			int before = burst.admitted.size() + burst.refused.size() + queue.depth();
			HttpHeaders request = (headers != null) ? headers.apply(i) : new HttpHeaders();
			burst.subscriptions.add(service.reserve(chat(this.team), request, false)
				.subscribe(admission -> burst.admitted.add(new Admitted(index, at(), admission)), burst.refused::add));
			soon()
				.until(() -> burst.admitted.size() + burst.refused.size() + queue.depth() == before + 1);
		}
		return burst;
	}

	/** Awaits a condition that Redis answers make true within milliseconds, checking often. */
	private static ConditionFactory soon() {
		return await().atMost(Duration.ofSeconds(15)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1));
	}

	/** Moves time on once every lane waits for its timer (a Redis answer may still be on its way). */
	private void advance(Duration by, BurstQueue... queues) {
		if (queues.length == 0) {
			this.time.advanceTimeBy(by);
			return;
		}
		soon().until(() -> Stream.of(queues).allMatch(BurstQueue::idle));
		this.time.advanceTimeBy(by);
	}

	/**
	 * One refill's worth of time, then waits until {@code admitted} reaches {@code expected}, and
	 * checks it went no further: never more than the limit. On Redis a lane's timer can fall a
	 * millisecond after the refill it waits for (the store's clock is read in milliseconds); with
	 * time standing still between steps that timer would never fire, so time is moved on a
	 * millisecond at a time (at most {@value #NUDGES}) until the admissions arrive. The rate still
	 * holds to the millisecond: one refill, one admission per lane.
	 */
	private void refill(IntSupplier admitted, int expected, BurstQueue... queues) {
		advance(REFILL, queues);
		for (int nudge = 0; nudge < NUDGES && !arrives(admitted, expected); nudge++) {
			advance(Duration.ofMillis(1), queues);
		}
		assertThat(admitted.getAsInt()).as("never more than the limit: one admission per lane per refill")
			.isEqualTo(expected);
	}

	private static boolean arrives(IntSupplier admitted, int expected) {
		try {
			await().atMost(Duration.ofSeconds(2)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
				.until(() -> admitted.getAsInt() >= expected);
			return true;
		}
		catch (ConditionTimeoutException ex) {
			return false;
		}
	}

	private Duration at() {
		return Duration.ofNanos(this.time.now(TimeUnit.NANOSECONDS));
	}

	private long requestsLeft(TokenQuotaService service) {
		BucketSpec bucket = BucketSpec.forScope("sb:quota", this.team, "team", service.policy().team(this.team),
				java.time.YearMonth.now(this.clock)).stream()
			.filter(spec -> spec.dimension() == QuotaLimit.Dimension.REQUESTS)
			.findFirst()
			.orElseThrow();
		return service.backend().available(bucket).block(Duration.ofSeconds(5))[0];
	}

	private static LimitSet perMinute(long requests) {
		return LimitSet.of(Map.of(QuotaLimit.REQUESTS_PER_MINUTE, requests));
	}

	private static LlmExchange chat(String team) {
		ObjectNode body = (ObjectNode) Json.MAPPER
			.readTree("{\"model\":\"fast\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
		Team owner = Team.unrestricted(team);
		return new LlmExchange("req_" + System.nanoTime(), Operation.CHAT, owner, body,
				RESOLVER.resolve("fast", owner, Operation.CHAT));
	}

	private static List<Integer> range(int count) {
		return IntStream.range(0, count).boxed().toList();
	}

	record Admitted(int index, Duration at, Admission admission) {
	}

	static final class Burst {

		final List<Admitted> admitted = new CopyOnWriteArrayList<>();

		final List<Throwable> refused = new CopyOnWriteArrayList<>();

		final List<Disposable> subscriptions = new CopyOnWriteArrayList<>();

	}

}
