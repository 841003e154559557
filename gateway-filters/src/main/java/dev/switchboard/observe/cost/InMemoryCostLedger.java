package dev.switchboard.observe.cost;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import dev.switchboard.core.Bill;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.Usage;

/**
 * The {@link CostLedger} of one gateway instance, in memory: tokens and spend per team and model
 * for the current UTC day and month, as this instance served them. Periods roll over by
 * themselves; only the current day and month are kept. A fleet shares {@link RedisCostLedger}.
 *
 * <p>It records each request's {@link LlmExchange#bill()}, the same the quota settles: a stream the
 * client cut is recorded with what it streamed, a cache hit with what {@code LlmQuota} charged it.
 */
public class InMemoryCostLedger implements CostLedger {

	private final Clock clock;

	private final AtomicReference<Period> day = new AtomicReference<>();

	private final AtomicReference<Period> month = new AtomicReference<>();

	public InMemoryCostLedger(Clock clock) {
		this.clock = clock;
	}

	public InMemoryCostLedger() {
		this(Clock.systemUTC());
	}

	@Override
	public void onComplete(LlmExchange exchange, LlmExchange.Completion completion, @Nullable Throwable error) {
		Bill bill = exchange.bill();
		if (bill == null) {
			return;
		}
		Usage usage = bill.usage();
		String model = bill.target().model().id();
		BigDecimal cost = bill.cost();
		LocalDate today = LocalDate.now(this.clock.withZone(ZoneOffset.UTC));
		current(this.day, today.toString()).add(exchange.team().name(), model, usage, cost);
		current(this.month, today.toString().substring(0, 7)).add(exchange.team().name(), model, usage, cost);
	}

	@Override
	public Mono<Map<String, Object>> report(@Nullable String team) {
		return Mono.fromSupplier(() -> snapshot(team));
	}

	/** {@code day} and {@code month} reports, each team to model to totals, sorted by name. */
	public Map<String, Object> snapshot(@Nullable String team) {
		LocalDate today = LocalDate.now(this.clock.withZone(ZoneOffset.UTC));
		return Map.of("day", current(this.day, today.toString()).report(team), "month",
				current(this.month, today.toString().substring(0, 7)).report(team));
	}

	private static Period current(AtomicReference<Period> holder, String key) {
		Period period = holder.get();
		while (period == null || !period.key.equals(key)) {
			Period fresh = new Period(key);
			if (holder.compareAndSet(period, fresh)) {
				return fresh;
			}
			period = holder.get();
		}
		return period;
	}

	private static final class Period {

		final String key;

		final Map<String, Map<String, Totals>> teams = new ConcurrentHashMap<>();

		Period(String key) {
			this.key = key;
		}

		void add(String team, String model, Usage usage, BigDecimal cost) {
			this.teams.computeIfAbsent(team, t -> new ConcurrentHashMap<>())
				.computeIfAbsent(model, m -> new Totals())
				.add(usage, cost);
		}

		Map<String, Object> report(@Nullable String team) {
			Map<String, Object> teams = new TreeMap<>();
			this.teams.forEach((name, models) -> {
				if (team == null || team.equals(name)) {
					Map<String, Object> byModel = new TreeMap<>();
					models.forEach((model, totals) -> byModel.put(model, totals.report()));
					teams.put(name, byModel);
				}
			});
			return Map.of("period", this.key, "teams", teams);
		}

	}

	private static final class Totals {

		final LongAdder requests = new LongAdder();

		final LongAdder promptTokens = new LongAdder();

		final LongAdder completionTokens = new LongAdder();


		BigDecimal spend = BigDecimal.ZERO;

		void add(Usage usage, BigDecimal cost) {
			this.requests.increment();
			this.promptTokens.add(usage.promptTokens());
			this.completionTokens.add(usage.completionTokens());
			synchronized (this) {
				this.spend = this.spend.add(cost);
			}
		}

		synchronized Map<String, Object> report() {
			return Map.of("requests", this.requests.sum(), "prompt_tokens", this.promptTokens.sum(),
					"completion_tokens", this.completionTokens.sum(), "cost_usd", this.spend);
		}

	}

}
