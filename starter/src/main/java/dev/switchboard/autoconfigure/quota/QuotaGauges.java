package dev.switchboard.autoconfigure.quota;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

import org.springframework.beans.factory.ObjectProvider;

import dev.switchboard.quota.admission.TeamQuota;
import dev.switchboard.quota.admission.TokenQuotaService;

/**
 * The numbers of the {@code llmquotas} endpoint as gauges, refreshed every 15 seconds off the
 * request path: {@code switchboard.quota.limit} and {@code switchboard.quota.remaining} (tags team,
 * limit; spend in USD), {@code switchboard.quota.usage.tokens} and {@code switchboard.quota.usage.spend}
 * (tags team, period day or month).
 */
public class QuotaGauges implements AutoCloseable {

	static final Duration REFRESH = Duration.ofSeconds(15);

	private final Map<String, Double> values = new ConcurrentHashMap<>();

	private final Disposable refresher;

	public QuotaGauges(ObjectProvider<MeterRegistry> registries, TokenQuotaService service, Set<String> teams) {
		MeterRegistry registry = registries.getIfAvailable();
		if (registry == null || teams.isEmpty()) {
			this.refresher = () -> {
			};
			return;
		}
		this.refresher = Flux.interval(Duration.ZERO, REFRESH)
			.onBackpressureDrop()
			.concatMap(tick -> Flux.fromIterable(teams).concatMap(team -> service.snapshot(team).onErrorComplete()))
			.subscribe(quota -> update(registry, quota), error -> {
			});
	}

	private void update(MeterRegistry registry, TeamQuota quota) {
		for (TeamQuota.Limit limit : quota.limits()) {
			boolean spend = limit.limit().dimension() == dev.switchboard.quota.QuotaLimit.Dimension.SPEND;
			gauge(registry, "switchboard.quota.limit", quota.team(), "limit", limit.limit().id(),
					spend ? QuotaEndpoint.usd(limit.capacity()) : limit.capacity());
			gauge(registry, "switchboard.quota.remaining", quota.team(), "limit", limit.limit().id(),
					spend ? QuotaEndpoint.usd(limit.remaining()) : limit.remaining());
		}
		gauge(registry, "switchboard.quota.usage.tokens", quota.team(), "period", "day", quota.usage().day().tokens());
		gauge(registry, "switchboard.quota.usage.tokens", quota.team(), "period", "month", quota.usage().month().tokens());
		gauge(registry, "switchboard.quota.usage.spend", quota.team(), "period", "day",
				QuotaEndpoint.usd(quota.usage().day().spendNanoUsd()));
		gauge(registry, "switchboard.quota.usage.spend", quota.team(), "period", "month",
				QuotaEndpoint.usd(quota.usage().month().spendNanoUsd()));
	}

	private void gauge(MeterRegistry registry, String name, String team, String tag, String value, double number) {
		String key = name + "|" + team + "|" + value;
		if (this.values.put(key, number) == null) {
			Gauge.builder(name, this.values, values -> values.getOrDefault(key, Double.NaN))
				.tag("team", team)
				.tag(tag, value)
				.register(registry);
		}
	}

	/** The current value of a gauge, for tests. */
	Double value(String name, String team, String tagValue) {
		return this.values.get(name + "|" + team + "|" + tagValue);
	}

	@Override
	public void close() {
		this.refresher.dispose();
	}

}
