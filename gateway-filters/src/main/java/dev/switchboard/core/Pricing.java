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
	 * Cost in USD, each part of the usage at its own price: fresh prompt tokens at the input price,
	 * those read from the prompt cache at the cached-input price, those written to it at the
	 * cache-write price (one-hour writes at theirs), completion tokens (reasoning included) at the
	 * output price. A part without a price of its own is priced as {@link ModelSpec} says; a model
	 * without an input or output price costs 0 for that side.
	 */
	public static BigDecimal cost(ModelSpec model, Usage usage) {
		// Usage keeps its parts inside their wholes, so they add up to the prompt.
		long written = usage.cacheWriteTokens();
		long writtenForAnHour = usage.cacheWrite1hTokens();
		BigDecimal input = model.inputPrice();
		BigDecimal readPrice = (model.cachedInputPrice() != null) ? model.cachedInputPrice() : input;
		BigDecimal writePrice = (model.cacheWritePrice() != null) ? model.cacheWritePrice() : input;
		BigDecimal hourPrice = (model.cacheWriteHourPrice() != null) ? model.cacheWriteHourPrice() : writePrice;
		BigDecimal total = times(input, usage.freshPromptTokens())
			.add(times(readPrice, usage.cachedPromptTokens()))
			.add(times(writePrice, written - writtenForAnHour))
			.add(times(hourPrice, writtenForAnHour))
			.add(times(model.outputPrice(), usage.completionTokens()));
		return total.divide(MILLION, MathContext.DECIMAL64);
	}

	/**
	 * The most a request of these token counts can cost, for reserving before the provider says how
	 * its prompt was split: every prompt token at the highest prompt rate (a cache write is dearer
	 * than a fresh token at Anthropic), so that what settles never exceeds what was reserved.
	 */
	public static BigDecimal upperBound(ModelSpec model, long prompt, long completion) {
		BigDecimal highest = model.inputPrice();
		for (BigDecimal price : new BigDecimal[] { model.cachedInputPrice(), model.cacheWritePrice(),
				model.cacheWriteHourPrice() }) {
			if (price != null && (highest == null || price.compareTo(highest) > 0)) {
				highest = price;
			}
		}
		return times(highest, prompt).add(times(model.outputPrice(), completion)).divide(MILLION, MathContext.DECIMAL64);
	}

	private static BigDecimal times(@Nullable BigDecimal price, long tokens) {
		return (price != null) ? price.multiply(BigDecimal.valueOf(tokens)) : BigDecimal.ZERO;
	}

}
