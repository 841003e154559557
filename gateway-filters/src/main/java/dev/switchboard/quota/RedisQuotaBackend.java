package dev.switchboard.quota;

import java.time.Duration;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.VerboseResult;
import io.github.bucket4j.distributed.AsyncBucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.github.bucket4j.redis.redisson.Bucket4jRedisson;
import org.redisson.Redisson;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import reactor.core.publisher.Mono;

/**
 * Buckets in Redis, shared by every gateway of a fleet: Bucket4j's compare-and-swap proxy on
 * Redisson's async command executor, plus a usage ledger in one hash per team and period.
 *
 * <p><b>Round trips.</b> One bucket operation is a {@code GET} and a conditional write (a
 * {@code SET NX} for a new bucket, else Bucket4j's compare-and-swap script): two round trips, two
 * commands, whatever the number of limits in the bucket. The quota service runs the operations on
 * all buckets of a request side by side, so reserving costs two round trips of latency. Bucket4j's
 * batching optimization merges the operations that queue on one bucket in this JVM into one
 * compare-and-swap, so a busy gateway sends fewer commands per request, not more, and contention
 * between gateways stays bounded by the number of gateways. Settling after the response is one more
 * bucket operation per corrected bucket and one script for the ledger ({@code EVAL}, both ledger
 * keys, one round trip).
 *
 * <p><b>Keys.</b> Buckets as {@link BucketSpec} documents; the ledger as
 * {@code {prefix}:{team}:usage:{yyyy-MM-dd}} and {@code {prefix}:{team}:usage:{yyyy-MM}}, hashes of
 * {@code requests}, {@code prompt}, {@code completion} and {@code spend} (nano-USD). All keys of a
 * team share its hash tag, so the ledger script's two keys are in one Cluster slot.
 *
 * <p><b>Expiry.</b> Bucket4j sets each bucket's TTL to the time it needs to refill completely plus
 * a minute, so idle buckets leave Redis on their own; a day ledger lives 3 days, a month ledger 62.
 *
 * <p><b>Timeouts.</b> Every command is bounded by Bucket4j's request timeout; the service adds its
 * own deadline on top, so a dead Redis fails a call, never hangs it. A command that timed out may
 * still have been applied: it then counts against the team (the safe side). Redisson's own retries
 * should be off ({@code retryAttempts: 0}) for the client given here: a compare-and-swap resent
 * after a lost reply is applied twice.
 */
public final class RedisQuotaBackend implements QuotaBackend {

	static final String LEDGER_SCRIPT = """
			for i, key in ipairs(KEYS) do
			  redis.call('HINCRBY', key, 'requests', ARGV[1])
			  redis.call('HINCRBY', key, 'prompt', ARGV[2])
			  redis.call('HINCRBY', key, 'completion', ARGV[3])
			  redis.call('HINCRBY', key, 'spend', ARGV[4])
			  redis.call('PEXPIRE', key, ARGV[4 + i])
			end
			return 1
			""";

	private static final long DAY_LEDGER_TTL_MILLIS = Duration.ofDays(3).toMillis();

	private static final long MONTH_LEDGER_TTL_MILLIS = Duration.ofDays(62).toMillis();

	/** Proxies are kept per key: Bucket4j batches only the calls that go through one proxy. */
	private static final int MAX_PROXIES = 10_000;

	private final RedissonClient client;

	private final boolean ownsClient;

	private final String prefix;

	private final AsyncProxyManager<String> buckets;

	private final Map<String, AsyncBucketProxy> proxies = new ConcurrentHashMap<>();

	/**
	 * @param client a Redisson client (standalone, Sentinel or Cluster)
	 * @param timeout longest wait for one Redis command
	 * @param prefix first segment of every key, e.g. {@code sb:quota}
	 */
	public RedisQuotaBackend(RedissonClient client, Duration timeout, String prefix) {
		this(client, timeout, prefix, false);
	}

	/** @param ownsClient whether {@link #close()} shuts the client down (it was made for this backend) */
	public RedisQuotaBackend(RedissonClient client, Duration timeout, String prefix, boolean ownsClient) {
		this.ownsClient = ownsClient;
		this.client = client;
		this.prefix = prefix;
		this.buckets = Bucket4jRedisson.casBasedBuilder(((Redisson) client).getCommandExecutor())
			.expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofMinutes(1)))
			.requestTimeout(timeout)
			.build()
			.asAsync();
	}

	@Override
	public String name() {
		return "redis";
	}

	@Override
	public void close() {
		if (this.ownsClient) {
			this.client.shutdown();
		}
	}

	public RedissonClient client() {
		return this.client;
	}

	@Override
	public Mono<Probe> tryConsume(BucketSpec spec, long amount) {
		AsyncBucketProxy bucket = proxy(spec);
		if (amount <= 0) {
			return available(spec).map(available -> new Probe(true, available));
		}
		return Mono.fromFuture(() -> bucket.asVerbose().tryConsumeAndReturnRemaining(amount))
			.map(RedisQuotaBackend::probe);
	}

	private static Probe probe(VerboseResult<ConsumptionProbe> result) {
		return new Probe(result.getValue().isConsumed(), result.getDiagnostics().getAvailableTokensPerEachBandwidth());
	}

	@Override
	public Mono<Void> adjust(BucketSpec spec, long amount) {
		AsyncBucketProxy bucket = proxy(spec);
		if (amount == 0) {
			return Mono.empty();
		}
		return Mono.fromFuture(() -> (amount < 0) ? bucket.addTokens(-amount) : Buckets.charge(bucket, amount));
	}

	@Override
	public Mono<long[]> available(BucketSpec spec) {
		return Mono.fromFuture(() -> proxy(spec).asVerbose().getAvailableTokens())
			.map(result -> result.getDiagnostics().getAvailableTokensPerEachBandwidth());
	}

	@Override
	public Mono<Void> record(String team, LocalDate day, UsageRecord usage) {
		List<Object> keys = List.of(ledgerKey(team, day.toString()), ledgerKey(team, YearMonth.from(day).toString()));
		return Mono.fromFuture(() -> this.client.getScript(StringCodec.INSTANCE)
			.<Long>evalAsync((String) keys.get(0), RScript.Mode.READ_WRITE, LEDGER_SCRIPT, RScript.ReturnType.LONG,
					keys, Long.toString(usage.requests()), Long.toString(usage.promptTokens()),
					Long.toString(usage.completionTokens()), Long.toString(usage.spendNanoUsd()),
					Long.toString(DAY_LEDGER_TTL_MILLIS), Long.toString(MONTH_LEDGER_TTL_MILLIS))
			.toCompletableFuture())
			.then();
	}

	@Override
	public Mono<Ledger> ledger(String team, LocalDate day) {
		Mono<UsageRecord> today = read(ledgerKey(team, day.toString()));
		Mono<UsageRecord> month = read(ledgerKey(team, YearMonth.from(day).toString()));
		return Mono.zip(today, month, Ledger::new);
	}

	/** {@code {prefix}:{team}:usage:{period}}. */
	public String ledgerKey(String team, String period) {
		return this.prefix + ":{" + team + "}:usage:" + period;
	}

	private Mono<UsageRecord> read(String key) {
		return Mono.fromFuture(() -> this.client.<String, String>getMap(key, StringCodec.INSTANCE)
			.readAllMapAsync()
			.toCompletableFuture())
			.map(values -> new UsageRecord(number(values, "requests"), number(values, "prompt"),
					number(values, "completion"), number(values, "spend")));
	}

	private static long number(Map<String, String> values, String field) {
		String value = values.get(field);
		return (value != null) ? Long.parseLong(value) : 0;
	}

	private AsyncBucketProxy proxy(BucketSpec spec) {
		AsyncBucketProxy proxy = this.proxies.get(spec.key());
		if (proxy != null) {
			return proxy;
		}
		if (this.proxies.size() >= MAX_PROXIES) {
			// Proxies hold no state of their own (it is all in Redis): dropping them is always safe.
			this.proxies.clear();
		}
		CompletableFuture<io.github.bucket4j.BucketConfiguration> configuration = CompletableFuture
			.completedFuture(spec.configuration());
		return this.proxies.computeIfAbsent(spec.key(), key -> this.buckets.builder()
			.withOptimization(Optimizations.batching())
			.build(key, () -> configuration));
	}

}
