package dev.switchboard.core;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * What a request was billed, to which model, and what that cost: the one answer that the quota
 * settles, every cost ledger records, metrics count and the request log writes, so that
 * {@code llmquotas}, {@code llmcosts}, {@code gen_ai.client.cost} and the log cannot disagree.
 * The price is worked out here, once, when the exchange completes ({@link LlmExchange#bill()}).
 *
 * @param target the model that served (after failover, the fallback), else the one the request was meant for
 * @param usage the tokens billed: reported by the provider, or what the gateway counted when none was
 * @param cost the cost in USD at the target's catalog prices ({@link Pricing})
 */
public record Bill(RouteTarget target, Usage usage, BigDecimal cost) {

	/** Prices {@code usage} at {@code target}'s catalog prices. */
	public static Bill of(RouteTarget target, Usage usage) {
		return new Bill(target, usage, Pricing.cost(target.model(), usage));
	}

	/** The cost in nano-USD, rounded up: the unit budgets are counted in. */
	public long costNanos() {
		return nanos(this.cost);
	}

	/** {@code usd} in nano-USD, rounded up. */
	public static long nanos(BigDecimal usd) {
		return usd.movePointRight(9).setScale(0, RoundingMode.CEILING).longValueExact();
	}

}
