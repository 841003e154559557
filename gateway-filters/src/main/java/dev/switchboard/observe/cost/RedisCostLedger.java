package dev.switchboard.observe.cost;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import dev.switchboard.core.Bill;
import dev.switchboard.core.CostRecorded;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.Timers;
import dev.switchboard.core.Usage;
import dev.switchboard.core.UsageLedgers;

/**
 * A fleet's {@link CostLedger} on Redis: every gateway adds what it served to the same hashes, so
 * {@code llmcosts} shows the fleet's totals whichever instance answers.
 *
 * <p><b>Layout.</b> One hash per team and period: {@code <prefix>:{<team>}:d:<yyyy-MM-dd>} and
 * {@code <prefix>:{<team>}:m:<yyyy-MM>}, fields {@code <model>|requests}, {@code |prompt_tokens},
 * {@code |completion_tokens} ({@code HINCRBY}) and {@code |cost_usd} ({@code HINCRBYFLOAT}). The
 * {@code {team}} hash tag keeps a team's hashes in one Cluster slot, so one script per request
 * updates both and renews their TTL ({@value #DAY_TTL_DAYS} days for a day, {@value #MONTH_TTL_DAYS}
 * for a month): idle teams leave Redis by themselves.
 *
 * <p><b>Never in the way.</b> The write is fire-and-forget after the response, bounded by
 * {@code timeout}; a write that fails or times out is counted ({@link #droppedWrites()}), logged at
 * most every 10 s, and lost: the ledger reports, quotas enforce. A client that retries commands
 * (an application's own Redisson) may apply a write twice after a lost reply; the quota backend's
 * client does not retry.
 */
public class RedisCostLedger implements CostLedger {

	static final int DAY_TTL_DAYS = 8;

	static final int MONTH_TTL_DAYS = 93;

	private static final Logger log = LoggerFactory.getLogger(RedisCostLedger.class);

	private static final long LOG_EVERY_NANOS = Duration.ofSeconds(10).toNanos();

	/** KEYS: day hash, month hash. ARGV: model, prompt tokens, completion tokens, cost, day TTL, month TTL. */
	private static final String RECORD = """
			for i = 1, 2 do
			  redis.call('HINCRBY', KEYS[i], ARGV[1] .. '|requests', 1)
			  redis.call('HINCRBY', KEYS[i], ARGV[1] .. '|prompt_tokens', ARGV[2])
			  redis.call('HINCRBY', KEYS[i], ARGV[1] .. '|completion_tokens', ARGV[3])
			  redis.call('HINCRBYFLOAT', KEYS[i], ARGV[1] .. '|cost_usd', ARGV[4])
			  redis.call('EXPIRE', KEYS[i], ARGV[4 + i])
			end
			return 1
			""";

	private static final String[] COUNTS = { "requests", "prompt_tokens", "completion_tokens" };

	private final RedissonClient client;

	private final String prefix;

	private final Duration timeout;

	private final Clock clock;

	private final Set<String> teams;

	/** Whether the hashes are the quota backend's team ledgers (see {@link #sharingQuotaLedger}). */
	private final boolean quotaLedger;

	/** TTLs of a day's and a month's hash (in seconds, as the script takes them), renewed by each write. */
	private final String dayTtlSeconds;

	private final String monthTtlSeconds;

	private final AtomicLong dropped = new AtomicLong();

	private final AtomicLong lastLog = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);

	/**
	 * @param client a client this ledger does not own (the quota backend's, or the application's)
	 * @param prefix prefix of every key
	 * @param timeout longest wait for one write or read
	 * @param teams the teams a report of all teams lists (the configured ones): reading them by name
	 * costs a read per team, where scanning a Redis shared with quotas and caches would cost the
	 * whole key space. Any team can still be read alone.
	 */
	public RedisCostLedger(RedissonClient client, String prefix, Duration timeout, Clock clock,
			Collection<String> teams) {
		this(client, prefix, timeout, clock, teams, false, Duration.ofDays(DAY_TTL_DAYS),
				Duration.ofDays(MONTH_TTL_DAYS));
	}

	private RedisCostLedger(RedissonClient client, String prefix, Duration timeout, Clock clock,
			Collection<String> teams, boolean quotaLedger, Duration dayTtl, Duration monthTtl) {
		this.client = client;
		this.prefix = prefix;
		this.timeout = timeout;
		this.clock = clock;
		this.teams = new TreeSet<>(teams);
		this.quotaLedger = quotaLedger;
		this.dayTtlSeconds = Long.toString(dayTtl.toSeconds());
		this.monthTtlSeconds = Long.toString(monthTtl.toSeconds());
	}

	/**
	 * The ledger kept in the Redis quota backend's own team ledgers, {@code <quotaPrefix>:{team}:usage:<day
	 * or month>}: {@code LlmQuota}'s settlement script adds each request per model there, in the round
	 * trip that settles its quota, so requests on quota routes cost no write of their own
	 * ({@link CostRecorded}); this ledger writes the others (routes without {@code LlmQuota}) into the
	 * same hashes, with the same TTLs, and reports from them.
	 */
	public static RedisCostLedger sharingQuotaLedger(RedissonClient client, String quotaPrefix, Duration timeout,
			Clock clock, Collection<String> teams) {
		return new RedisCostLedger(client, quotaPrefix, timeout, clock, teams, true, UsageLedgers.DAY_TTL,
				UsageLedgers.MONTH_TTL);
	}

	@Override
	public void onComplete(LlmExchange exchange, LlmExchange.Completion completion, @Nullable Throwable error) {
		Bill bill = exchange.bill();
		if (bill == null || this.quotaLedger && exchange.get(CostRecorded.class) != null) {
			return;
		}
		Usage usage = bill.usage();
		String team = exchange.team().name();
		BigDecimal cost = bill.cost();
		LocalDate today = today();
		List<Object> keys = List.of(key(team, "d", today.toString()), key(team, "m", month(today)));
		try {
			Mono.fromCompletionStage(() -> this.client.getScript(StringCodec.INSTANCE)
				.<Long>evalAsync(RScript.Mode.READ_WRITE, RECORD, RScript.ReturnType.LONG, keys,
						bill.target().model().id(), Long.toString(usage.promptTokens()),
						Long.toString(usage.completionTokens()), cost.toPlainString(),
						this.dayTtlSeconds, this.monthTtlSeconds))
				.timeout(Timers.delay(this.timeout))
				.subscribe(ok -> {
				}, this::dropped);
		}
		catch (RuntimeException ex) {
			// a client already shut down throws on the calling thread
			dropped(ex);
		}
	}

	@Override
	public Mono<Map<String, Object>> report(@Nullable String team) {
		LocalDate today = today();
		return Mono.zip(period("d", today.toString(), team), period("m", month(today), team))
			.map(periods -> Map.<String, Object>of("day", periods.getT1(), "month", periods.getT2()));
	}

	/** Writes lost to a failing or slow Redis since start. */
	public long droppedWrites() {
		return this.dropped.get();
	}

	private Mono<Map<String, Object>> period(String kind, String period, @Nullable String team) {
		Flux<String> keys = (team != null) ? Flux.just(key(team, kind, period))
				: Flux.fromIterable(this.teams).map(name -> key(name, kind, period));
		return keys
			.flatMap(key -> Mono.fromCompletionStage(() -> this.client.<String, String>getMap(key, StringCodec.INSTANCE)
				.readAllMapAsync()).map(fields -> Map.entry(teamOf(key), fields)), 4)
			.filter(entry -> !entry.getValue().isEmpty())
			.collectList()
			.timeout(Timers.delay(this.timeout))
			.map(entries -> {
				Map<String, Object> teams = new TreeMap<>();
				entries.forEach(entry -> teams.put(entry.getKey(), models(entry.getValue())));
				return Map.<String, Object>of("period", period, "teams", teams);
			});
	}

	/** Hash fields {@code model|name} to model to totals, as the in-memory ledger reports them. */
	private static Map<String, Object> models(Map<String, String> fields) {
		Map<String, Map<String, Object>> models = new TreeMap<>();
		fields.forEach((field, value) -> {
			int bar = field.lastIndexOf('|');
			if (bar < 0) {
				return;
			}
			Map<String, Object> totals = models.computeIfAbsent(field.substring(0, bar), m -> {
				Map<String, Object> fresh = new TreeMap<>();
				for (String count : COUNTS) {
					fresh.put(count, 0L);
				}
				fresh.put("cost_usd", BigDecimal.ZERO);
				return fresh;
			});
			String name = field.substring(bar + 1);
			totals.put(name, "cost_usd".equals(name) ? new BigDecimal(value) : Long.parseLong(value));
		});
		return new TreeMap<>(models);
	}

	private String key(String team, String kind, String period) {
		return this.quotaLedger ? UsageLedgers.key(this.prefix, team, period)
				: this.prefix + ":{" + team + "}:" + kind + ":" + period;
	}

	private String teamOf(String key) {
		int open = this.prefix.length() + 2;
		return key.substring(open, key.indexOf("}:", open));
	}

	private LocalDate today() {
		return LocalDate.now(this.clock.withZone(ZoneOffset.UTC));
	}

	private static String month(LocalDate day) {
		return day.toString().substring(0, 7);
	}

	private void dropped(Throwable error) {
		long count = this.dropped.incrementAndGet();
		long now = System.nanoTime();
		long last = this.lastLog.get();
		if (now - last >= LOG_EVERY_NANOS && this.lastLog.compareAndSet(last, now)) {
			log.warn("Cost ledger write to Redis failed ({} dropped so far); llmcosts will undercount: {}", count,
					error.toString());
		}
	}

}
