package dev.switchboard.core;

import org.jspecify.annotations.Nullable;

/**
 * What an answer the gateway gives by itself (a cache hit) is charged to quotas, put on the
 * {@link LlmExchange} by the filter that answers: for example the stored answer's usage times the
 * configured fraction. Without it, a preset answer is neither reserved nor billed.
 *
 * @param usage the tokens to charge, priced at the requested model's prices for spend limits
 */
public record QuotaCharge(Usage usage) {

	/** The charge of an exchange the gateway answers by itself, or {@code null}: none, or a provider answers. */
	public static @Nullable QuotaCharge of(LlmExchange exchange) {
		return (exchange.response().preset() != null) ? exchange.get(QuotaCharge.class) : null;
	}

}
