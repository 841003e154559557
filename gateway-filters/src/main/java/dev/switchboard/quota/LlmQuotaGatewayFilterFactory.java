package dev.switchboard.quota;

import java.util.List;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.OrderedGatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.cloud.gateway.support.GatewayToStringStyler;
import org.springframework.http.server.reactive.ServerHttpRequest;

import dev.switchboard.core.ClientCredentials;
import dev.switchboard.core.Hashes;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.QuotaCharge;

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
 * see {@code LlmCache}) passes without reservation. The work is done by {@link TokenQuotaService}; this filter
 * only reserves, writes OpenAI's rate-limit headers (on 429s too), and hooks the reservation onto
 * the exchange: its settlement on completion and, for streams, its budget guard.
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
			if (llm == null || !llm.operation().callsProvider()
					|| llm.presetResponse() != null && QuotaCharge.of(llm) == null) {
				// A preset answer (a cache hit) calls no provider: nothing to reserve or bill, unless
				// the filter that answered says what to charge.
				return chain.filter(exchange);
			}
			boolean preset = llm.presetResponse() != null;
			return this.service.reserve(llm, client(exchange.getRequest()), dryRun)
				.onErrorResume(QuotaExceededException.class, rejected -> {
					rejected.headers().writeTo(exchange.getResponse().getHeaders());
					return Mono.error(rejected);
				})
				.flatMap(admission -> {
					admission.headers().writeTo(exchange.getResponse().getHeaders());
					if (llm.stream() && !preset) {
						Reservation reservation = admission.reservation();
						llm.decorateResponse(response -> response.isStream() ? response.withEvents(reservation::guard)
								: response);
					}
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

	/** The client within the team for the client layer: a short hash, never the key or header itself. */
	private @Nullable String client(ServerHttpRequest request) {
		QuotaPolicy.ClientLayer layer = this.service.policy().clientLayer();
		if (layer == null) {
			return null;
		}
		String identity = (layer.source() == QuotaPolicy.ClientLayer.Source.KEY)
				? ClientCredentials.bearerToken(request.getHeaders()) : request.getHeaders().getFirst(layer.header());
		return (identity == null || identity.isBlank()) ? null : Hashes.sha256Hex(identity.trim().getBytes(java.nio.charset.StandardCharsets.UTF_8)).substring(0, 16);
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
