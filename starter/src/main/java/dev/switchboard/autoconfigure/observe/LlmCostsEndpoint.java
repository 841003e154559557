package dev.switchboard.autoconfigure.observe;

import java.util.Map;

import reactor.core.publisher.Mono;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

import dev.switchboard.observe.cost.CostLedger;

/**
 * {@code /actuator/llmcosts} and {@code /actuator/llmcosts/{team}}: tokens and spend in USD per
 * team and model for the current UTC day and month, as served by this instance, or by the whole
 * fleet when the ledger is on Redis ({@code switchboard.observability.costs.backend}). Reveals usage, so
 * like every actuator endpoint but health it is exposed only when the application says so.
 */
@Endpoint(id = "llmcosts")
public class LlmCostsEndpoint {

	private final CostLedger ledger;

	public LlmCostsEndpoint(CostLedger ledger) {
		this.ledger = ledger;
	}

	@ReadOperation
	public Mono<Map<String, Object>> all() {
		return this.ledger.report(null);
	}

	@ReadOperation
	public Mono<Map<String, Object>> team(@Selector String team) {
		return this.ledger.report(team);
	}

}
