package dev.switchboard.core;

import java.math.BigDecimal;
import java.math.MathContext;

import org.jspecify.annotations.Nullable;

import dev.switchboard.catalog.ModelSpec;

/** What a call cost, from the catalog's prices per million tokens. */
public final class Pricing {

	private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

	private Pricing() {
	}

	/**
	 * Cost in USD: uncached prompt tokens at the input price, cached ones at the cached-input price
	 * (the input price when none is set), completion tokens at the output price. Unpriced parts cost 0.
	 */
	public static BigDecimal cost(ModelSpec model, Usage usage) {
		long cached = Math.min(usage.cachedPromptTokens(), usage.promptTokens());
		BigDecimal cachedPrice = (model.cachedInputPrice() != null) ? model.cachedInputPrice() : model.inputPrice();
		BigDecimal total = times(model.inputPrice(), usage.promptTokens() - cached)
			.add(times(cachedPrice, cached))
			.add(times(model.outputPrice(), usage.completionTokens()));
		return total.divide(MILLION, MathContext.DECIMAL64);
	}

	private static BigDecimal times(@Nullable BigDecimal price, long tokens) {
		return (price != null) ? price.multiply(BigDecimal.valueOf(tokens)) : BigDecimal.ZERO;
	}

}
