package dev.switchboard.core;

import java.math.BigDecimal;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.switchboard.catalog.Capability;
import dev.switchboard.catalog.ModelSpec;

import static org.assertj.core.api.Assertions.assertThat;

/** Every part of a usage at its own price, computed by hand from the catalog's prices. */
class PricingTest {

	/** Claude-style prices: input 3, output 15, cache read 0.30, 5-minute write 3.75, 1-hour write 6 (USD per million). */
	private static final ModelSpec SONNET = new ModelSpec("sonnet", "anthropic", "claude-sonnet", List.of(),
			new BigDecimal("3"), new BigDecimal("15"), new BigDecimal("0.30"), new BigDecimal("3.75"), new BigDecimal("6"),
			200_000, Set.of(Capability.CHAT), List.of());

	@Test
	void freshReadWrittenAndHourLongWritesArePricedApart() {
		// 10,000 prompt tokens: 2,000 fresh, 5,000 read, 3,000 written of which 1,000 for an hour; 500 out.
		Usage usage = new Usage(10_000, 500, 5_000, 3_000, 1_000, 0, true);
		// 2000*3 + 5000*0.30 + 2000*3.75 + 1000*6 + 500*15 = 6000 + 1500 + 7500 + 6000 + 7500 = 28,500 per million
		assertThat(Pricing.cost(SONNET, usage)).isEqualByComparingTo("0.0285");
	}

	@Test
	void partsWithoutPricesOfTheirOwnFallBackAsDocumented() {
		ModelSpec inputOnly = new ModelSpec("m", "p", "m", List.of(), new BigDecimal("2"), new BigDecimal("8"), null,
				null, Set.of(Capability.CHAT));
		ModelSpec fiveMinuteOnly = new ModelSpec("m", "p", "m", List.of(), new BigDecimal("2"), new BigDecimal("8"),
				new BigDecimal("0.5"), new BigDecimal("2.5"), null, null, Set.of(Capability.CHAT), List.of());
		Usage usage = new Usage(1_000, 100, 200, 300, 100, 0, true);
		// every prompt token at 2: 1000*2 + 100*8 = 2,800
		assertThat(Pricing.cost(inputOnly, usage)).isEqualByComparingTo("0.0028");
		// 500 fresh*2 + 200*0.5 + 300 written*2.5 (the hour-long ones at the write price) + 100*8 = 1000+100+750+800
		assertThat(Pricing.cost(fiveMinuteOnly, usage)).isEqualByComparingTo("0.00265");
	}

	@Test
	void reasoningIsPricedAsTheOutputItIsPartOf() {
		Usage withReasoning = new Usage(100, 1_000, 0, 0, 0, 800, true);
		Usage without = new Usage(100, 1_000, 0, false);
		assertThat(Pricing.cost(SONNET, withReasoning)).isEqualByComparingTo(Pricing.cost(SONNET, without))
			.isEqualByComparingTo("0.0153");
	}

	@Test
	void partsThatOverstateThePromptNeverPriceMoreTokensThanItHas() {
		// A provider that reports more cache reads and writes than prompt tokens: the prompt bounds them.
		Usage inconsistent = new Usage(1_000, 0, 900, 900, 900, 0, true);
		// 900 read*0.30 + 100 written, all for an hour, *6 = 270 + 600
		assertThat(Pricing.cost(SONNET, inconsistent)).isEqualByComparingTo("0.00087");
	}

	@Test
	void whatIsReservedBoundsWhatAnySplitOfThePromptCosts() {
		// 1000 prompt tokens all at the dearest prompt rate (an hour-long write, 6) + 100 out at 15
		assertThat(Pricing.upperBound(SONNET, 1_000, 100)).isEqualByComparingTo("0.0075");
		for (Usage split : new Usage[] { new Usage(1_000, 100, 0, false), new Usage(1_000, 100, 1_000, false),
				new Usage(1_000, 100, 0, 1_000, 0, 0, true), new Usage(1_000, 100, 0, 1_000, 1_000, 0, true),
				new Usage(1_000, 100, 300, 500, 200, 50, true) }) {
			assertThat(Pricing.cost(SONNET, split)).isLessThanOrEqualTo(Pricing.upperBound(SONNET, 1_000, 100));
		}
	}

	@Test
	void partsAreKeptInsideTheirWholes() {
		Usage usage = new Usage(100, 10, 80, 50, 70, 20, true);
		assertThat(usage).isEqualTo(new Usage(100, 10, 80, 20, 20, 10, true));
		assertThat(new Usage(-5, -1, -3, false)).isEqualTo(Usage.NONE);
		assertThat(Usage.sum(Long.MAX_VALUE, Long.MAX_VALUE, 3)).isEqualTo(Long.MAX_VALUE);
	}

	@Test
	void aCountWrittenAsAWholeFloatIsStillACount() {
		Usage usage = Usage.fromOpenAi(Json.MAPPER.readTree("""
				{"prompt_tokens":12.0,"completion_tokens":3.5,"prompt_tokens_details":{"cached_tokens":1e30}}"""));
		assertThat(usage).isEqualTo(new Usage(12, 0, 0, true));
	}

	@Test
	void usageTravelsThroughItsJsonShapeWithEveryPart() {
		Usage usage = new Usage(10_000, 500, 5_000, 3_000, 1_000, 120, true);
		assertThat(Usage.fromOpenAi(usage.toOpenAi())).isEqualTo(usage);
		assertThat(usage.toOpenAi().path("prompt_tokens_details").path("cache_write_tokens").asLong()).isEqualTo(3_000);
		assertThat(new Usage(5, 1, 0, true).toOpenAi().path("prompt_tokens_details").has("cache_write_tokens")).isFalse();
		assertThat(usage.freshPromptTokens()).isEqualTo(2_000);
	}

	@Test
	void countsThatAreNotTokenCountsReadAsZero() {
		Usage usage = Usage.fromOpenAi(Json.MAPPER.readTree("""
				{"prompt_tokens":18446744073709551616,"completion_tokens":-3,
				 "prompt_tokens_details":{"cached_tokens":"many"}}"""));
		assertThat(usage).isEqualTo(new Usage(0, 0, 0, true));
	}

}
