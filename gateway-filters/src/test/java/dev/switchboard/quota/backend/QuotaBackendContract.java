package dev.switchboard.quota.backend;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.catalog.Capability;
import dev.switchboard.catalog.ModelCatalog;
import dev.switchboard.catalog.ModelSpec;
import dev.switchboard.core.ConfigSnapshot;
import dev.switchboard.core.Attempt;
import dev.switchboard.core.Json;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.Operation;
import dev.switchboard.core.Team;
import dev.switchboard.core.Usage;
import dev.switchboard.quota.FailureMode;
import dev.switchboard.quota.LimitSet;
import dev.switchboard.quota.QuotaLimit;
import dev.switchboard.quota.QuotaPolicy;
import dev.switchboard.quota.admission.Admission;
import dev.switchboard.quota.admission.QuotaExceededException;
import dev.switchboard.quota.admission.TokenQuotaService;
import dev.switchboard.route.ModelResolver;
import dev.switchboard.testing.TestCatalogs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The behaviour every {@link QuotaBackend} must give {@link TokenQuotaService}, run against the
 * in-memory backend and a real Redis alike. Daily limits are used where exact numbers are
 * asserted: they do not refill while a test runs.
 */
abstract class QuotaBackendContract {

	static final ModelCatalog CATALOG = new ModelCatalog(List.of(TestCatalogs.openAi("openai", URI.create("http://127.0.0.1:9/v1"))),
			List.of(TestCatalogs.chatModel("gpt-test", "openai", "gpt-4o-mini", "fast"),
					new ModelSpec("cheap", "openai", "gpt-3.5-turbo", List.of(), new BigDecimal("0.10"),
							new BigDecimal("0.10"), null, 16_000, Set.of(Capability.CHAT))));

	static final ModelResolver RESOLVER = new ModelResolver(CATALOG);

	/** A backend with empty state: every test uses its own team name, so tests never share a bucket. */
	abstract QuotaBackend backend();

	private static final AtomicInteger TEAMS = new AtomicInteger();

	final String team = "t" + TEAMS.incrementAndGet() + "-" + Long.toHexString(System.nanoTime());

	TokenQuotaService service(LimitSet limits) {
		return TokenQuotaService.builder(new QuotaPolicy(LimitSet.NONE, Map.of(this.team, limits), Map.of(), Map.of(),
				null, 1024), backend(), RESOLVER).failureMode(FailureMode.CLOSED).timeout(Duration.ofSeconds(2)).build();
	}

	LlmExchange chat(String model, int maxTokens, boolean stream) {
		ObjectNode body = (ObjectNode) Json.MAPPER.readTree("{\"model\":\"" + model + "\",\"max_tokens\":" + maxTokens
				+ ",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello to the quota\"}]}");
		Team owner = Team.unrestricted(this.team);
		return new LlmExchange("req_" + System.nanoTime(), Operation.CHAT, owner, body,
				RESOLVER.resolve(model, owner, Operation.CHAT));
	}

	static LimitSet limits(QuotaLimit limit, long amount) {
		return LimitSet.of(Map.of(limit, amount));
	}

	long[] available(TokenQuotaService service) {
		BucketSpec bucket = BucketSpec.forScope("sb:quota", this.team, "team", service.policy().team(this.team),
				java.time.YearMonth.now(ZoneOffset.UTC)).stream()
			.filter(spec -> spec.dimension() == QuotaLimit.Dimension.TOKENS)
			.findFirst()
			.orElseThrow();
		return backend().available(bucket).block(Duration.ofSeconds(5));
	}

	/** What one limit of the team's token bucket holds now, read under the service's limits. */
	long available(TokenQuotaService service, QuotaLimit limit) {
		BucketSpec bucket = BucketSpec.forScope("sb:quota", this.team, "team", service.policy().team(this.team),
				java.time.YearMonth.now(ZoneOffset.UTC)).stream()
			.filter(spec -> spec.limits().contains(limit))
			.findFirst()
			.orElseThrow();
		return backend().available(bucket).block(Duration.ofSeconds(5))[bucket.indexOf(limit)];
	}

	@Test
	void reservesPromptPlusMaxTokensThenSettlesToTheRealUsage() {
		TokenQuotaService service = service(limits(QuotaLimit.TOKENS_PER_DAY, 10_000));
		LlmExchange exchange = chat("fast", 100, false);

		Admission admission = service.reserve(exchange, null).block(Duration.ofSeconds(5));
		long prompt = admission.reservation().promptTokens();
		assertThat(prompt).as("jtokkit count of one short message plus overhead").isBetween(8L, 16L);
		assertThat(available(service)[0]).isEqualTo(10_000 - prompt - 100);
		assertThat(admission.headers().tokens().remaining()).isEqualTo(10_000 - prompt - 100);

		exchange.recordUsage(new Usage(12, 30, 0, true));
		exchange.complete(LlmExchange.Completion.SUCCESS, null);
		StepVerifier.create(admission.reservation().settlement()).expectNext(new Usage(12, 30, 0, true))
			.verifyComplete();
		assertThat(available(service)[0]).as("unused reservation refunded").isEqualTo(10_000 - 42);

		exchange.complete(LlmExchange.Completion.SUCCESS, null);
		admission.reservation().settle(LlmExchange.Completion.SUCCESS);
		StepVerifier.create(backend().ledger(this.team, LocalDate.now(ZoneOffset.UTC)))
			.assertNext(ledger -> {
				assertThat(ledger.day()).isEqualTo(new QuotaBackend.UsageRecord(1, 12, 30, 12 * 1000 + 30 * 2000));
				assertThat(ledger.month()).isEqualTo(ledger.day());
			})
			.verifyComplete();
		assertThat(available(service)[0]).as("settled exactly once").isEqualTo(10_000 - 42);
	}

	/**
	 * A limit changed live (a new configuration version) keeps its bucket and what was used: raising
	 * a day's budget never hands out a fresh one, lowering it never forgets the spend.
	 */
	@Test
	void aLimitChangedLiveCarriesWhatWasUsedOverToTheNewAmount() {
		TokenQuotaService before = service(limits(QuotaLimit.TOKENS_PER_DAY, 1_000));
		LlmExchange exchange = chat("fast", 10, false);
		Admission admission = before.reserve(exchange, null).block(Duration.ofSeconds(5));
		exchange.recordUsage(new Usage(12, 30, 0, true));
		exchange.complete(LlmExchange.Completion.SUCCESS, null);
		admission.reservation().settlement().block(Duration.ofSeconds(5));
		assertThat(available(before)[0]).isEqualTo(958);

		TokenQuotaService raised = service(limits(QuotaLimit.TOKENS_PER_DAY, 2_000));
		assertThat(available(raised)[0]).as("the 42 used stay used").isEqualTo(1_958);
		TokenQuotaService lowered = service(limits(QuotaLimit.TOKENS_PER_DAY, 40));
		assertThat(available(lowered)[0]).as("below what was used: nothing left, and no debt for it").isZero();
		assertThatThrownBy(() -> lowered.reserve(chat("fast", 1, false), null).block(Duration.ofSeconds(5)))
			.isInstanceOf(QuotaExceededException.class);
	}

	/**
	 * Two limits in one bucket, one of them raised while a request of the earlier version is in
	 * flight: its settlement corrects what it took without taking the limits back, so the raised
	 * budget ends exactly its capacity minus what was used.
	 */
	@Test
	void aRequestOfTheEarlierVersionSettlingAfterAChangeLeavesTheNewLimitsAlone() {
		TokenQuotaService before = service(LimitSet.of(Map.of(QuotaLimit.TOKENS_PER_DAY, 1_000L,
				QuotaLimit.TOKENS_PER_MONTH, 5_000L)));
		LlmExchange exchange = chat("fast", 10, false);
		Admission admission = before.reserve(exchange, null).block(Duration.ofSeconds(5));

		TokenQuotaService raised = service(LimitSet.of(Map.of(QuotaLimit.TOKENS_PER_DAY, 2_000L,
				QuotaLimit.TOKENS_PER_MONTH, 5_000L)));
		long reserved = admission.reservation().promptTokens() + 10;
		assertThat(available(raised, QuotaLimit.TOKENS_PER_DAY)).isEqualTo(2_000 - reserved);

		exchange.recordUsage(new Usage(12, 30, 0, true));
		exchange.complete(LlmExchange.Completion.SUCCESS, null);
		admission.reservation().settlement().block(Duration.ofSeconds(5));
		assertThat(available(raised, QuotaLimit.TOKENS_PER_DAY)).isEqualTo(2_000 - 42);
		assertThat(available(raised, QuotaLimit.TOKENS_PER_MONTH)).isEqualTo(5_000 - 42);
		assertThat(available(before, QuotaLimit.TOKENS_PER_DAY)).as("read under the old limits: the same usage")
			.isEqualTo(1_000 - 42);
	}

	/** A request counts on the limits of the configuration version it arrived under, not the service's own. */
	@Test
	void aRequestCountsOnThePolicyOfItsConfigurationVersion() {
		TokenQuotaService service = service(limits(QuotaLimit.TOKENS_PER_DAY, 100_000));
		QuotaPolicy strict = new QuotaPolicy(LimitSet.NONE, Map.of(this.team, limits(QuotaLimit.TOKENS_PER_DAY, 50)),
				Map.of(), Map.of(), null, 1024);
		LlmExchange exchange = chat("fast", 100, false);
		exchange.put(ConfigSnapshot.class, new ConfigSnapshot.Builder().part(QuotaPolicy.class, strict)
			.build("v2", java.time.Instant.now(), "test"));
		assertThatThrownBy(() -> service.reserve(exchange, null).block(Duration.ofSeconds(5)))
			.isInstanceOf(QuotaExceededException.class);
		assertThat(service.reserve(chat("fast", 100, false), null).block(Duration.ofSeconds(5))).isNotNull();
	}

	@Test
	void usageAboveTheReservationIsChargedIntoDebt() {
		TokenQuotaService service = service(limits(QuotaLimit.TOKENS_PER_DAY, 1_000));
		LlmExchange exchange = chat("fast", 10, false);
		Admission admission = service.reserve(exchange, null).block(Duration.ofSeconds(5));
		exchange.recordUsage(new Usage(500, 700, 0, true));
		exchange.complete(LlmExchange.Completion.SUCCESS, null);
		admission.reservation().settlement().block(Duration.ofSeconds(5));
		assertThat(available(service)[0]).isEqualTo(-200);
		StepVerifier.create(service.reserve(chat("fast", 1, false), null))
			.expectErrorSatisfies(error -> assertThat(error).isInstanceOf(QuotaExceededException.class)
				.hasMessageContaining("You exceeded your current quota")
				.extracting("type").isEqualTo("insufficient_quota"))
			.verify(Duration.ofSeconds(5));
	}

	@Test
	void overTheLimitIsA429WithRetryAfterAndNothingHeld() {
		TokenQuotaService service = service(limits(QuotaLimit.TOKENS_PER_MINUTE, 500));
		StepVerifier.create(service.reserve(chat("fast", 400, false), null)).expectNextCount(1).verifyComplete();
		StepVerifier.create(service.reserve(chat("fast", 400, false), null))
			.expectErrorSatisfies(error -> {
				QuotaExceededException rejected = (QuotaExceededException) error;
				assertThat(rejected.status()).isEqualTo(429);
				assertThat(rejected.type()).isEqualTo("rate_limit_error");
				assertThat(rejected.code()).isEqualTo("rate_limit_exceeded");
				assertThat(rejected.getMessage()).startsWith("Rate limit reached for team '" + this.team
						+ "' on tokens per minute: Limit 500, Used 4");
				assertThat(rejected.retryAfter()).isPositive().isLessThan(Duration.ofMinutes(1));
				assertThat(rejected.headers().tokens().limit()).isEqualTo(500);
			})
			.verify(Duration.ofSeconds(5));
		StepVerifier.create(service.reserve(chat("fast", 5_000, false), null))
			.expectErrorSatisfies(error -> assertThat(error).hasMessageContaining("Request too large")
				.extracting("retryAfter").isNull())
			.verify(Duration.ofSeconds(5));
	}

	@Test
	void concurrentReservationsNeverAdmitMoreThanTheBudget() {
		TokenQuotaService service = service(limits(QuotaLimit.TOKENS_PER_DAY, 2_000));
		long each = service.reserve(chat("fast", 50, false), null).block(Duration.ofSeconds(5)).reservation()
			.promptTokens() + 50;
		List<Boolean> outcomes = Flux.range(0, 120)
			.flatMap(i -> service.reserve(chat("fast", 50, false), null)
				.subscribeOn(Schedulers.parallel())
				.map(admission -> true)
				.onErrorResume(QuotaExceededException.class, e -> Mono.just(false)), 120)
			.collectList()
			.block(Duration.ofSeconds(30));
		long admitted = outcomes.stream().filter(Boolean::booleanValue).count() + 1;
		assertThat(admitted).isEqualTo(2_000 / each);
		assertThat(available(service)[0]).isEqualTo(2_000 - admitted * each).isGreaterThanOrEqualTo(0);
	}

	@Test
	void aRefusalByOneBucketRefundsTheOthers() {
		TokenQuotaService service = service(LimitSet.of(Map.of(QuotaLimit.REQUESTS_PER_MINUTE, 2L,
				QuotaLimit.TOKENS_PER_DAY, 10_000L)));
		service.reserve(chat("fast", 10, false), null).block(Duration.ofSeconds(5));
		service.reserve(chat("fast", 10, false), null).block(Duration.ofSeconds(5));
		long before = available(service)[0];
		StepVerifier.create(service.reserve(chat("fast", 10, false), null))
			.expectErrorSatisfies(error -> assertThat(((QuotaExceededException) error).limit())
				.isEqualTo(QuotaLimit.REQUESTS_PER_MINUTE))
			.verify(Duration.ofSeconds(5));
		assertThat(available(service)[0]).as("tokens taken by the refused request were given back").isEqualTo(before);
	}

	@Test
	void dryRunLimitsCountAndReportButNeverReject() {
		TokenQuotaService service = service(new LimitSet(Map.of(QuotaLimit.TOKENS_PER_DAY, 50L),
				Set.of(QuotaLimit.TOKENS_PER_DAY), Set.of(), null));
		Admission first = service.reserve(chat("fast", 30, false), null).block(Duration.ofSeconds(5));
		assertThat(first.headers().dryRun()).isEmpty();
		Admission second = service.reserve(chat("fast", 30, false), null).block(Duration.ofSeconds(5));
		assertThat(second.headers().dryRun()).containsExactly(QuotaLimit.TOKENS_PER_DAY);
	}

	@Test
	void aSoftLimitDowngradesToTheCheaperModelInsteadOfRejecting() {
		TokenQuotaService service = service(new LimitSet(Map.of(QuotaLimit.SPEND_PER_DAY, 200_000L),
				Set.of(), Set.of(QuotaLimit.SPEND_PER_DAY), "cheap"));
		LlmExchange first = chat("fast", 50, false);
		service.reserve(first, null).block(Duration.ofSeconds(5));
		assertThat(first.route().primary().model().id()).isEqualTo("gpt-test");

		LlmExchange second = chat("fast", 100, false);
		Admission admission = service.reserve(second, null).block(Duration.ofSeconds(5));
		assertThat(second.route().primary().model().id()).isEqualTo("cheap");
		assertThat(admission.headers().downgradedFrom()).isEqualTo("fast");
		assertThat(second.decisions()).anyMatch(line -> line.contains("soft limit spend-per-day"));
	}

	@Test
	void aClientThatLeavesMidStreamIsChargedForWhatWasStreamed() {
		TokenQuotaService service = service(limits(QuotaLimit.TOKENS_PER_DAY, 10_000));
		LlmExchange exchange = chat("fast", 100, true);
		Admission admission = service.reserve(exchange, null).block(Duration.ofSeconds(5));
		long prompt = admission.reservation().promptTokens();
		Flux<dev.switchboard.sse.SseEvent> events = Flux.range(0, 20)
			.map(i -> dev.switchboard.sse.SseEvent.data("{\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tok"
					+ i + "\"}}]}"));
		StepVerifier.create(admission.reservation().guard(events).take(5)).expectNextCount(5).verifyComplete();
		dev.switchboard.observe.cost.InMemoryCostLedger costs = new dev.switchboard.observe.cost.InMemoryCostLedger();
		exchange.addListener(costs);
		exchange.complete(LlmExchange.Completion.CANCELLED, null);
		StepVerifier.create(admission.reservation().settlement())
			.expectNext(new Usage(prompt, 5, 0, false))
			.verifyComplete();
		assertThat(available(service)[0]).isEqualTo(10_000 - prompt - 5);
		// The cost ledger records the same bill, though no provider reported usage.
		assertThat(exchange.bill().usage()).isEqualTo(new Usage(prompt, 5, 0, false));
		assertThat(Json.MAPPER.valueToTree(costs.snapshot(this.team)).path("day").path("teams").path(this.team)
			.path("gpt-test").path("completion_tokens").asLong()).isEqualTo(5);
	}

	@Test
	void aFailureWithoutOutputRefundsTheCompletionPart() {
		TokenQuotaService service = service(limits(QuotaLimit.TOKENS_PER_DAY, 10_000));
		LlmExchange exchange = chat("fast", 300, false);
		Admission admission = service.reserve(exchange, null).block(Duration.ofSeconds(5));
		Attempt attempt = exchange.attempts().start(exchange.route().primary());
		exchange.attempts().end(attempt, Attempt.Outcome.UPSTREAM_ERROR, "HTTP 500");
		exchange.complete(LlmExchange.Completion.ERROR, new IllegalStateException("upstream 500"));
		admission.reservation().settlement().block(Duration.ofSeconds(5));
		assertThat(available(service)[0]).isEqualTo(10_000 - admission.reservation().promptTokens());
	}

	/** Refused after its reservation, or held back (a comparison's leg), before any provider call: nothing used. */
	@Test
	void aRequestThatNeverReachedAProviderIsNotCharged() {
		TokenQuotaService service = service(limits(QuotaLimit.TOKENS_PER_DAY, 10_000));
		LlmExchange exchange = chat("fast", 300, false);
		Admission admission = service.reserve(exchange, null).block(Duration.ofSeconds(5));
		assertThat(available(service)[0]).isLessThan(10_000);
		exchange.complete(LlmExchange.Completion.ERROR, new IllegalStateException("held back"));
		admission.reservation().settlement().block(Duration.ofSeconds(5));
		assertThat(available(service)[0]).isEqualTo(10_000);
		assertThat(exchange.bill().usage()).isEqualTo(new Usage(0, 0, 0, false));
	}

	@Test
	void aStreamThatOutrunsAHardBudgetEndsWithFinishReasonLengthAndDone() {
		TokenQuotaService service = service(limits(QuotaLimit.TOKENS_PER_DAY, 200));
		ObjectNode body = (ObjectNode) Json.MAPPER.readTree("{\"model\":\"fast\",\"stream\":true,"
				+ "\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}");
		Team owner = Team.unrestricted(this.team);
		TokenQuotaService small = TokenQuotaService.builder(new QuotaPolicy(LimitSet.NONE,
				Map.of(this.team, limits(QuotaLimit.TOKENS_PER_DAY, 200)), Map.of(), Map.of(), null, 50), backend(), RESOLVER)
			.build();
		LlmExchange exchange = new LlmExchange("req_cut", Operation.CHAT, owner, body,
				RESOLVER.resolve("fast", owner, Operation.CHAT));
		Admission admission = small.reserve(exchange, null).block(Duration.ofSeconds(5));
		Flux<dev.switchboard.sse.SseEvent> endless = Flux.range(0, 1_000)
			.map(i -> dev.switchboard.sse.SseEvent.data("{\"id\":\"c2\",\"created\":7,\"model\":\"gpt-4o-mini\","
					+ "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"w\"}}]}"));
		List<dev.switchboard.sse.SseEvent> out = new ArrayList<>(admission.reservation().guard(endless).collectList()
			.block(Duration.ofSeconds(10)));
		assertThat(out.get(out.size() - 1).isDone()).isTrue();
		String last = out.get(out.size() - 3).dataAsString();
		assertThat(last).contains("\"finish_reason\":\"length\"").contains("\"id\":\"c2\"");
		assertThat(out.get(out.size() - 2).dataAsString()).contains("\"usage\"").contains("\"choices\":[]");
		assertThat(out.size() - 3).as("content chunks let through stay within the day budget")
			.isLessThanOrEqualTo((int) (200 - admission.reservation().promptTokens()));
		assertThat(service).isNotNull();
	}

}
