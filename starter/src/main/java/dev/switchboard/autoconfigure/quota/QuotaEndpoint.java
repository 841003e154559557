package dev.switchboard.autoconfigure.quota;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

import dev.switchboard.quota.admission.RateLimitHeaders;
import dev.switchboard.quota.admission.TeamQuota;
import dev.switchboard.quota.admission.TokenQuotaService;
import dev.switchboard.quota.backend.QuotaBackend;

/**
 * {@code /actuator/llmquotas}: each team's usage today and this month and what remains of every
 * limit; {@code /actuator/llmquotas/{team}} for one team. Not exposed over the web unless the
 * application adds it to {@code management.endpoints.web.exposure.include}: it names teams and
 * their spend, so put it behind the management port or security.
 */
@Endpoint(id = "llmquotas")
public class QuotaEndpoint {

	private final TokenQuotaService service;

	private final Set<String> teams;

	public QuotaEndpoint(TokenQuotaService service, Set<String> teams) {
		this.service = service;
		this.teams = Set.copyOf(teams);
	}

	@ReadOperation
	public Mono<Map<String, Object>> quotas() {
		return Flux.fromIterable(this.teams.stream().sorted().toList())
			.concatMap(this.service::snapshot)
			.collectList()
			.map(list -> {
				Map<String, Object> teams = new LinkedHashMap<>();
				list.forEach(quota -> teams.put(quota.team(), describe(quota)));
				Map<String, Object> body = new LinkedHashMap<>();
				body.put("backend", this.service.backend().name());
				body.put("storeDown", this.service.storeDown());
				body.put("teams", teams);
				return body;
			});
	}

	@ReadOperation
	public Mono<Map<String, Object>> team(@Selector String team) {
		if (!this.teams.contains(team)) {
			return Mono.empty();
		}
		return this.service.snapshot(team).map(QuotaEndpoint::describe);
	}

	static Map<String, Object> describe(TeamQuota quota) {
		Map<String, Object> limits = new LinkedHashMap<>();
		for (TeamQuota.Limit limit : quota.limits()) {
			Map<String, Object> entry = new LinkedHashMap<>();
			boolean spend = limit.limit().dimension() == dev.switchboard.quota.QuotaLimit.Dimension.SPEND;
			entry.put("limit", spend ? usd(limit.capacity()) : limit.capacity());
			entry.put("remaining", spend ? usd(limit.remaining()) : limit.remaining());
			entry.put("reset", RateLimitHeaders.format(limit.reset()));
			entry.put("mode", limit.mode().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
			limits.put(limit.limit().id(), entry);
		}
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("backend", quota.backend());
		body.put("limits", limits);
		body.put("usage", Map.of("today", usage(quota.usage().day()), "month", usage(quota.usage().month())));
		return body;
	}

	private static Map<String, Object> usage(QuotaBackend.UsageRecord record) {
		Map<String, Object> usage = new LinkedHashMap<>();
		usage.put("requests", record.requests());
		usage.put("promptTokens", record.promptTokens());
		usage.put("completionTokens", record.completionTokens());
		usage.put("tokens", record.tokens());
		usage.put("spendUsd", usd(record.spendNanoUsd()));
		return usage;
	}

	static double usd(long nano) {
		return nano / 1e9;
	}

	List<String> teams() {
		return this.teams.stream().sorted().toList();
	}

}
