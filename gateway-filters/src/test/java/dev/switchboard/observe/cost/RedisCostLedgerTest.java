package dev.switchboard.observe.cost;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.catalog.ModelCatalog;
import dev.switchboard.core.CostRecorded;
import dev.switchboard.core.Json;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.Operation;
import dev.switchboard.core.Team;
import dev.switchboard.core.Usage;
import dev.switchboard.quota.backend.QuotaBackend;
import dev.switchboard.quota.backend.RedisQuotaBackend;
import dev.switchboard.route.ModelResolver;
import dev.switchboard.testing.RedisServerExtension;
import dev.switchboard.testing.RedisTestServer;
import dev.switchboard.testing.TestCatalogs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The fleet-wide cost ledger on a real Redis: two gateways (two ledgers, two clients) add to the
 * same totals and each reads the sum; keys are tagged by team and expire; a Redis that is down
 * drops writes without failing or delaying anyone.
 */
@ExtendWith(RedisServerExtension.class)
class RedisCostLedgerTest {

	private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC);

	private static final ModelCatalog CATALOG = TestCatalogs.catalog(URI.create("http://127.0.0.1:1/v1"));

	private RedissonClient gatewayA;

	private RedissonClient gatewayB;

	private String prefix;

	@BeforeEach
	void clients(RedisTestServer redis) {
		this.gatewayA = client(redis.address());
		this.gatewayB = client(redis.address());
		this.prefix = "test:costs:" + System.nanoTime();
	}

	@AfterEach
	void close() {
		this.gatewayA.shutdown();
		this.gatewayB.shutdown();
	}

	@Test
	void twoGatewaysCostsAreSummedPerTeamAndModel() {
		RedisCostLedger a = ledger(this.gatewayA);
		RedisCostLedger b = ledger(this.gatewayB);
		// gpt-test: $1.00 per million prompt tokens, $2.00 per million completion tokens
		a.onComplete(served("team-a", 100, 20), LlmExchange.Completion.SUCCESS, null);
		b.onComplete(served("team-a", 300, 40), LlmExchange.Completion.SUCCESS, null);
		b.onComplete(served("team-b", 1_000, 500), LlmExchange.Completion.SUCCESS, null);
		a.onComplete(exchange("team-a"), LlmExchange.Completion.ERROR, new IllegalStateException("no provider"));

		Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			JsonNode day = report(a, null).path("day");
			assertThat(day.path("teams").path("team-a").path("gpt-test").path("requests").asLong()).isEqualTo(2);
			assertThat(day.path("teams").path("team-b").path("gpt-test").path("requests").asLong()).isEqualTo(1);
		});
		for (RedisCostLedger gateway : new RedisCostLedger[] { a, b }) {
			JsonNode report = report(gateway, null);
			JsonNode teamA = report.path("day").path("teams").path("team-a").path("gpt-test");
			assertThat(report.path("day").path("period").asString()).isEqualTo("2026-11-23");
			assertThat(teamA.path("prompt_tokens").asLong()).isEqualTo(400);
			assertThat(teamA.path("completion_tokens").asLong()).isEqualTo(60);
			assertThat(teamA.path("cost_usd").decimalValue()).isEqualByComparingTo(new BigDecimal("0.00052"));
			JsonNode monthA = report.path("month").path("teams").path("team-a").path("gpt-test");
			assertThat(report.path("month").path("period").asString()).isEqualTo("2026-11");
			assertThat(monthA.path("prompt_tokens").asLong()).isEqualTo(400);
			assertThat(report.path("day").path("teams").path("team-b").path("gpt-test").path("cost_usd").decimalValue())
				.isEqualByComparingTo(new BigDecimal("0.002"));
		}
		JsonNode onlyB = report(a, "team-b").path("day").path("teams");
		assertThat(onlyB.size()).isEqualTo(1);
		assertThat(onlyB.has("team-b")).isTrue();
		assertThat(report(a, "nobody").path("day").path("teams").size()).isZero();
		assertThat(a.droppedWrites() + b.droppedWrites()).isZero();
	}

	@Test
	void withQuotasOnRedisTheSettlementRecordsCostsAndTheLedgerOnlyReadsThem() {
		String quotaPrefix = this.prefix + "-quota";
		RedisQuotaBackend quota = new RedisQuotaBackend(this.gatewayA, Duration.ofSeconds(2), quotaPrefix);
		RedisCostLedger ledger = RedisCostLedger.sharingQuotaLedger(this.gatewayB, quotaPrefix, Duration.ofSeconds(2),
				CLOCK, Set.of("team-a"));
		// A quota route: its settlement, one script, adds the request under its model.
		quota.settle("r-1", "team-a", java.util.List.of(), java.time.LocalDate.parse("2026-11-23"),
				new QuotaBackend.UsageRecord(1, 100, 20, 140_000), "gpt-test").block(Duration.ofSeconds(5));
		LlmExchange settledByQuota = served("team-a", 100, 20);
		settledByQuota.put(CostRecorded.class, new CostRecorded("quota settlement"));
		ledger.onComplete(settledByQuota, LlmExchange.Completion.SUCCESS, null);
		// A route without LlmQuota: the ledger writes it into the same hashes.
		ledger.onComplete(served("team-a", 300, 40), LlmExchange.Completion.SUCCESS, null);

		Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			JsonNode model = report(ledger, null).path("day").path("teams").path("team-a").path("gpt-test");
			assertThat(model.path("requests").asLong()).as("counted once each").isEqualTo(2);
			assertThat(model.path("prompt_tokens").asLong()).isEqualTo(400);
			assertThat(model.path("completion_tokens").asLong()).isEqualTo(60);
		});
		assertThat(quota.ledger("team-a", java.time.LocalDate.parse("2026-11-23")).block(Duration.ofSeconds(5))
			.day()
			.promptTokens()).as("the quota's own totals: quota routes only").isEqualTo(100);
		assertThat(this.gatewayA.getMap(quotaPrefix + ":{team-a}:usage:2026-11").remainTimeToLive())
			.isBetween(Duration.ofDays(61).toMillis(), Duration.ofDays(62).toMillis());
	}

	@Test
	void eachRequestUpdatesTheTeamsTaggedDayAndMonthHashesAndRenewsTheirTtl() {
		RedisCostLedger a = ledger(this.gatewayA);
		a.onComplete(served("team-a", 10, 1), LlmExchange.Completion.SUCCESS, null);
		String day = this.prefix + ":{team-a}:d:2026-11-23";
		String month = this.prefix + ":{team-a}:m:2026-11";
		Awaitility.await().atMost(Duration.ofSeconds(5))
			.until(() -> this.gatewayA.getMap(month, StringCodec.INSTANCE).isExists());
		assertThat(this.gatewayA.<String, String>getMap(day, StringCodec.INSTANCE).readAllMap())
			.containsEntry("gpt-test|requests", "1")
			.containsEntry("gpt-test|prompt_tokens", "10")
			.containsEntry("gpt-test|completion_tokens", "1")
			.containsKey("gpt-test|cost_usd");
		long dayTtl = this.gatewayA.getMap(day).remainTimeToLive();
		long monthTtl = this.gatewayA.getMap(month).remainTimeToLive();
		assertThat(dayTtl).isBetween(Duration.ofDays(RedisCostLedger.DAY_TTL_DAYS - 1).toMillis(),
				Duration.ofDays(RedisCostLedger.DAY_TTL_DAYS).toMillis());
		assertThat(monthTtl).isBetween(Duration.ofDays(RedisCostLedger.MONTH_TTL_DAYS - 1).toMillis(),
				Duration.ofDays(RedisCostLedger.MONTH_TTL_DAYS).toMillis());
	}

	@Test
	void aRedisThatIsDownDropsWritesWithoutFailingOrDelayingTheRequest(RedisTestServer redis) throws Exception {
		RedissonClient client = client(redis.address());
		try {
			RedisCostLedger ledger = new RedisCostLedger(client, this.prefix, Duration.ofMillis(300), CLOCK, Set.of("team-a", "team-b"));
			LlmExchange[] exchanges = new LlmExchange[5];
			for (int i = 0; i < exchanges.length; i++) {
				exchanges[i] = served("team-a", 10, 1);
			}
			// one write while Redis is up, so what follows does not pay for loading classes
			ledger.onComplete(served("team-a", 10, 1), LlmExchange.Completion.SUCCESS, null);
			Awaitility.await().atMost(Duration.ofSeconds(3))
				.until(() -> report(ledger, "team-a").path("day").path("teams").has("team-a"));
			redis.stop();
			long start = System.nanoTime();
			for (LlmExchange exchange : exchanges) {
				ledger.onComplete(exchange, LlmExchange.Completion.SUCCESS, null);
			}
			// Waiting for each write (even to fail) would take 5 x 300 ms at least.
			assertThat(Duration.ofNanos(System.nanoTime() - start)).as("fire and forget")
				.isLessThan(Duration.ofMillis(300));
			Awaitility.await().atMost(Duration.ofSeconds(3)).until(() -> ledger.droppedWrites() == 5);
			assertThatThrownBy(() -> ledger.report("team-a").block(Duration.ofSeconds(3))).isNotNull();
		}
		finally {
			redis.start();
			client.shutdown();
		}
	}

	private RedisCostLedger ledger(RedissonClient client) {
		return new RedisCostLedger(client, this.prefix, Duration.ofSeconds(2), CLOCK, Set.of("team-a", "team-b"));
	}

	private static JsonNode report(CostLedger ledger, String team) {
		Map<String, Object> report = ledger.report(team).block(Duration.ofSeconds(5));
		return Json.MAPPER.valueToTree(report);
	}

	/** A completed exchange served by gpt-test with this usage: its bill is decided, listeners are the test's. */
	private static LlmExchange served(String team, long prompt, long completion) {
		LlmExchange exchange = exchange(team);
		exchange.attempts().start(exchange.route().primary());
		exchange.recordUsage(new Usage(prompt, completion, 0, true));
		exchange.complete(LlmExchange.Completion.SUCCESS, null);
		return exchange;
	}

	private static LlmExchange exchange(String team) {
		ObjectNode body = (ObjectNode) Json.MAPPER.readTree("{\"model\":\"gpt-test\",\"messages\":[]}");
		Team owner = Team.unrestricted(team);
		return new LlmExchange("req_" + System.nanoTime(), Operation.CHAT, owner, body,
				new ModelResolver(CATALOG).resolve("gpt-test", owner, Operation.CHAT));
	}

	private static RedissonClient client(String address) {
		return RedisTestServer.client(address, Duration.ofMillis(300), Duration.ofMillis(300));
	}

}
