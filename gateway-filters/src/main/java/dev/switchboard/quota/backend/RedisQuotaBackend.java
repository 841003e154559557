package dev.switchboard.quota.backend;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import reactor.core.publisher.Mono;

import dev.switchboard.core.UsageLedgers;

/**
 * Buckets and the usage ledger in Redis, shared by every gateway of a fleet, driven by three Lua
 * scripts so that a request costs two round trips: one to reserve, one to settle.
 *
 * <p><b>Why Lua, not Bucket4j, on this path.</b> Bucket4j's Redisson proxy needs a {@code GET} and a
 * compare-and-swap per bucket, and a request has up to six buckets (team, model and client scopes,
 * each with an enforced and a dry-run bucket), plus compensation when one refuses: five to seven
 * commands and no atomicity across buckets. One script ({@code reserve.lua}) checks and takes every
 * bucket of the request at once, all-or-nothing, and returns what the rate-limit headers and a
 * {@code Retry-After} need; a second ({@code settle.lua}) corrects every bucket and the ledger at
 * once, at most once per settlement id. The scripts keep Bucket4j's semantics, which the in-memory
 * backend still uses: per-minute limits are greedy token buckets, refilled continuously (exactly:
 * the fraction of a token refilled is carried), day limits refill to capacity at 00:00 UTC, month
 * limits never refill (the key carries the month); charges beyond the reservation leave a debt,
 * refunds stop at capacity.
 *
 * <p><b>Transport.</b> Scripts run by {@code EVALSHA} of their SHA-1; a server that does not know a
 * script yet ({@code NOSCRIPT}: first use, restart, failover, a new Cluster node) gets one
 * {@code EVAL} that also caches it. Time comes from the gateway's clock (as with Bucket4j), so
 * gateways of a fleet need synchronised clocks, as any token bucket shared by clients does.
 *
 * <p><b>Keys.</b> Buckets as {@link BucketSpec} keys, hashes of {@code t} (last write, ms) and, per
 * limit {@code j}, {@code a<j>} (available) and {@code c<j>} (refill carry); the ledger as
 * {@code {prefix}:{team}:usage:{yyyy-MM-dd}} and {@code {prefix}:{team}:usage:{yyyy-MM}}, hashes of
 * {@code requests}, {@code prompt}, {@code completion} and {@code spend} (nano-USD); settlement
 * markers as {@code {prefix}:{team}:settled:{id}}. All keys of a team share its {@code {team}} hash
 * tag, so every script's keys are in one Cluster slot.
 *
 * <p><b>Expiry.</b> A bucket lives as long as it needs to refill completely plus a minute (a missing
 * bucket reads as full, so that is lossless); a day ledger lives 3 days, a month ledger 62, a
 * settlement marker 10 minutes.
 *
 * <p><b>Timeouts and retries.</b> Redisson's command timeout bounds every script; the service adds
 * its own deadline on top, so a dead Redis fails a call, never hangs it. A reservation that timed
 * out may still have been applied: it then counts against the team (the safe side). Settling is
 * idempotent by its marker, but reserving is not: Redisson's own retries should stay off
 * ({@code retryAttempts: 0}) for the client given here.
 */
public final class RedisQuotaBackend implements QuotaBackend {

	private static final Script RESERVE = Script.load("reserve.lua");

	private static final Script SETTLE = Script.load("settle.lua");

	private static final Script READ = Script.load("read.lua");



	/** How long a settlement id is remembered: far longer than any retry of the same settlement. */
	static final long MARKER_TTL_MILLIS = Duration.ofMinutes(10).toMillis();

	private final RedissonClient client;

	private final RScript scripts;

	private final boolean ownsClient;

	private final String prefix;

	private final Clock clock;

	/**
	 * @param client a Redisson client (standalone, Sentinel or Cluster)
	 * @param timeout longest wait for one Redis command; Redisson's own command timeout applies, this
	 * is kept for compatibility and documents the expected bound
	 * @param prefix first segment of every key, e.g. {@code sb:quota}
	 */
	public RedisQuotaBackend(RedissonClient client, Duration timeout, String prefix) {
		this(client, timeout, prefix, false);
	}

	/** @param ownsClient whether {@link #close()} shuts the client down (it was made for this backend) */
	public RedisQuotaBackend(RedissonClient client, Duration timeout, String prefix, boolean ownsClient) {
		this(client, prefix, ownsClient, Clock.systemUTC());
	}

	RedisQuotaBackend(RedissonClient client, String prefix, boolean ownsClient, Clock clock) {
		this.ownsClient = ownsClient;
		this.client = client;
		this.scripts = client.getScript(StringCodec.INSTANCE);
		this.prefix = prefix;
		this.clock = clock;
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

	/** The first segment of every key, {@code <prefix>:{team}:...}. */
	public String keyPrefix() {
		return this.prefix;
	}

	public RedissonClient client() {
		return this.client;
	}

	// ---- buckets

	@Override
	public Mono<Batch> tryConsumeAll(List<Take> takes) {
		if (takes.isEmpty()) {
			return Mono.just(new Batch(true, List.of()));
		}
		return Mono.defer(() -> {
			List<Object> keys = new ArrayList<>(takes.size());
			List<Object> args = clockArgs();
			for (Take take : takes) {
				keys.add(take.bucket().key());
				args.add(Long.toString(take.amount()));
				args.add(take.required() ? "1" : "0");
				limits(args, take.bucket());
			}
			return this.<List<Object>>run(RESERVE, RScript.Mode.READ_WRITE, RScript.ReturnType.LIST, keys, args)
				.map(reply -> batch(takes, reply));
		});
	}

	private static Batch batch(List<Take> takes, List<Object> reply) {
		int i = 0;
		boolean admitted = number(reply.get(i++)) == 1;
		List<Probe> probes = new ArrayList<>(takes.size());
		for (Take take : takes) {
			boolean fits = number(reply.get(i++)) == 1;
			long[] available = new long[take.bucket().limits().size()];
			for (int j = 0; j < available.length; j++) {
				available[j] = number(reply.get(i++));
			}
			probes.add(new Probe(fits, available));
		}
		return new Batch(admitted, probes);
	}

	@Override
	public Mono<Probe> tryConsume(BucketSpec bucket, long amount) {
		return tryConsumeAll(List.of(new Take(bucket, amount, true))).map(batch -> batch.probes().get(0));
	}

	@Override
	public Mono<Void> adjust(BucketSpec bucket, long amount) {
		if (amount == 0) {
			return Mono.empty();
		}
		return apply(null, List.of(new Adjustment(bucket, amount)), null, null, null, null).then();
	}

	@Override
	public Mono<long[]> available(BucketSpec bucket) {
		return Mono.defer(() -> {
			List<Object> args = clockArgs();
			limits(args, bucket);
			return this.<List<Object>>run(READ, RScript.Mode.READ_ONLY, RScript.ReturnType.LIST,
					List.of(bucket.key()), args)
				.map(reply -> reply.stream().mapToLong(RedisQuotaBackend::number).toArray());
		});
	}

	// ---- settlement and ledger

	@Override
	public Mono<Boolean> settle(String id, String team, List<Adjustment> adjustments, LocalDate day,
			UsageRecord usage) {
		return apply(markerKey(team, id), adjustments, team, day, usage, null);
	}

	@Override
	public Mono<Boolean> settle(String id, String team, List<Adjustment> adjustments, LocalDate day,
			UsageRecord usage, @Nullable String model) {
		return apply(markerKey(team, id), adjustments, team, day, usage, model);
	}

	@Override
	public Mono<Void> record(String team, LocalDate day, UsageRecord usage) {
		return apply(null, List.of(), team, day, usage, null).then();
	}

	private Mono<Boolean> apply(String marker, List<Adjustment> adjustments, String team, LocalDate day,
			UsageRecord usage, @Nullable String model) {
		return Mono.defer(() -> {
			List<Object> keys = new ArrayList<>();
			List<Object> args = clockArgs();
			if (marker != null) {
				keys.add(marker);
			}
			args.add((marker != null) ? "1" : "0");
			args.add(Long.toString(MARKER_TTL_MILLIS));
			args.add((usage != null) ? "1" : "0");
			for (Adjustment adjustment : adjustments) {
				keys.add(adjustment.bucket().key());
				args.add(Long.toString(adjustment.amount()));
				limits(args, adjustment.bucket());
			}
			if (usage != null) {
				keys.add(ledgerKey(team, day.toString()));
				keys.add(ledgerKey(team, YearMonth.from(day).toString()));
				args.add(Long.toString(usage.requests()));
				args.add(Long.toString(usage.promptTokens()));
				args.add(Long.toString(usage.completionTokens()));
				args.add(Long.toString(usage.spendNanoUsd()));
				args.add(Long.toString(UsageLedgers.DAY_TTL.toMillis()));
				args.add(Long.toString(UsageLedgers.MONTH_TTL.toMillis()));
				args.add((model != null) ? model : "");
				args.add(BigDecimal.valueOf(usage.spendNanoUsd(), 9).toPlainString());
			}
			if (keys.isEmpty()) {
				return Mono.just(true);
			}
			return this.<Long>run(SETTLE, RScript.Mode.READ_WRITE, RScript.ReturnType.LONG, keys, args)
				.map(applied -> applied == 1L);
		});
	}

	@Override
	public Mono<Ledger> ledger(String team, LocalDate day) {
		Mono<UsageRecord> today = read(ledgerKey(team, day.toString()));
		Mono<UsageRecord> month = read(ledgerKey(team, YearMonth.from(day).toString()));
		return Mono.zip(today, month, Ledger::new);
	}

	/** {@code {prefix}:{team}:usage:{period}}. */
	public String ledgerKey(String team, String period) {
		return UsageLedgers.key(this.prefix, team, period);
	}

	/** {@code {prefix}:{team}:settled:{id}}: present while a settlement id is remembered. */
	public String markerKey(String team, String id) {
		return this.prefix + ":{" + team + "}:settled:" + id;
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

	// ---- scripts

	/** {@code now} and the start of the next UTC month, both in ms: the first two arguments of every script. */
	private List<Object> clockArgs() {
		long now = this.clock.millis();
		long monthEnd = YearMonth.now(this.clock.withZone(ZoneOffset.UTC)).plusMonths(1).atDay(1)
			.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
		List<Object> args = new ArrayList<>();
		args.add(Long.toString(now));
		args.add(Long.toString(monthEnd));
		return args;
	}

	/** A bucket's limits as the scripts read them: count, then id, kind and capacity of each. */
	private static void limits(List<Object> args, BucketSpec bucket) {
		args.add(Integer.toString(bucket.limits().size()));
		for (int j = 0; j < bucket.limits().size(); j++) {
			args.add(bucket.limits().get(j).id());
			args.add(switch (bucket.limits().get(j).window()) {
				case MINUTE -> "m";
				case DAY -> "d";
				case MONTH -> "M";
			});
			args.add(Long.toString(bucket.capacities().get(j)));
		}
	}

	/** {@code EVALSHA}; on {@code NOSCRIPT}, one {@code EVAL}, which caches the script on that server. */
	private <R> Mono<R> run(Script script, RScript.Mode mode, RScript.ReturnType type, List<Object> keys,
			List<Object> args) {
		String routing = (String) keys.get(0);
		Object[] values = args.toArray();
		return Mono.<R>fromCompletionStage(
				() -> this.scripts.<R>evalShaAsync(routing, mode, script.sha, type, keys, values))
			.onErrorResume(RedisQuotaBackend::noScript, error -> Mono.fromCompletionStage(
					() -> this.scripts.<R>evalAsync(routing, mode, script.text, type, keys, values)));
	}

	private static boolean noScript(Throwable error) {
		for (Throwable cause = error; cause != null; cause = cause.getCause()) {
			if (cause.getMessage() != null && cause.getMessage().contains("NOSCRIPT")) {
				return true;
			}
			if (cause.getCause() == cause) {
				break;
			}
		}
		return false;
	}

	private static long number(Object value) {
		return (value instanceof Number number) ? number.longValue() : Long.parseLong(value.toString());
	}

	/** A script: the shared helpers of {@code buckets.lua} followed by its own body, and its SHA-1. */
	record Script(String text, String sha) {

		static Script load(String name) {
			String text = resource("buckets.lua") + "\n" + resource(name);
			try {
				byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
				return new Script(text, HexFormat.of().formatHex(digest));
			}
			catch (NoSuchAlgorithmException ex) {
				throw new IllegalStateException(ex);
			}
		}

		private static String resource(String name) {
			try (InputStream in = RedisQuotaBackend.class.getResourceAsStream(name)) {
				if (in == null) {
					throw new IllegalStateException("Missing quota script " + name);
				}
				return new String(in.readAllBytes(), StandardCharsets.UTF_8);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

	}

}
