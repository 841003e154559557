package dev.switchboard.quota.filter;

import java.util.List;

import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.OrderedGatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.cloud.gateway.support.GatewayToStringStyler;
import org.springframework.http.HttpHeaders;

import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.QuotaCharge;
import dev.switchboard.quota.admission.QuotaExceededException;
import dev.switchboard.quota.admission.TokenQuotaService;

/**
 * {@code LlmQuota}: token quotas and budgets per team, from {@code switchboard.quota.*}.
 *
 * <pre>
 * filters:
 *   - LlmEndpoint
 *   - LlmQuota                 # enforce the configured limits
 *   - LlmQuota=true            # shortcut: dry-run, every limit only counted and reported
 *   - name: LlmQuota
 *     args:
 *       dry-run: true
 * </pre>
 *
 * Ordered after {@code LlmEndpoint} (whose {@link LlmExchange} it reads) and before the routing
 * filter, whatever the YAML order. A request already answered by an earlier filter (a cache hit,
 * see {@code LlmCache}) passes without reservation. The work is done by {@link TokenQuotaService},
 * which also hooks the reservation onto the exchange (its settlement on completion and, for
 * streams, its budget guard); this filter only asks it and writes OpenAI's rate-limit headers, on
 * 429s too.
 */
public class LlmQuotaGatewayFilterFactory extends AbstractGatewayFilterFactory<LlmQuotaGatewayFilterFactory.Config> {

	/** After {@code LlmEndpoint} (-1000), before the route's position-ordered filters and the routing filter. */
	public static final int ORDER = 100;

	private final TokenQuotaService service;

	public LlmQuotaGatewayFilterFactory(TokenQuotaService service) {
		super(Config.class);
		this.service = service;
	}

	public TokenQuotaService service() {
		return this.service;
	}

	@Override
	public List<String> shortcutFieldOrder() {
		return List.of("dryRun");
	}

	@Override
	public GatewayFilter apply(Config config) {
		boolean dryRun = config.isDryRun();
		return new OrderedGatewayFilter((exchange, chain) -> {
			LlmExchange llm = LlmExchange.find(exchange);
			if (llm == null || !llm.operation().billed()
					|| llm.response().preset() != null && QuotaCharge.of(llm) == null) {
				// A preset answer (a cache hit) calls no provider: nothing to reserve or bill, unless
				// the filter that answered says what to charge.
				return chain.filter(exchange);
			}
			HttpHeaders responseHeaders = exchange.getResponse().getHeaders();
			return this.service.reserve(llm, exchange.getRequest().getHeaders(), dryRun)
				.onErrorResume(QuotaExceededException.class, rejected -> {
					rejected.headers().writeTo(responseHeaders);
					return Mono.error(rejected);
				})
				.flatMap(admission -> {
					admission.writeTo(responseHeaders);
					return chain.filter(exchange);
				});
		}, ORDER) {
			@Override
			public String toString() {
				return GatewayToStringStyler.filterToStringCreator(LlmQuotaGatewayFilterFactory.this)
					.append("dryRun", dryRun)
					.toString();
			}
		};
	}

	public static class Config {

		private boolean dryRun;

		/** Whether every limit of this route is only counted and reported, never enforced. */
		public boolean isDryRun() {
			return this.dryRun;
		}

		public Config setDryRun(boolean dryRun) {
			this.dryRun = dryRun;
			return this;
		}

	}

}
