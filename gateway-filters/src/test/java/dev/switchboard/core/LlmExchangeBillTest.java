package dev.switchboard.core;

import java.net.URI;

import org.junit.jupiter.api.Test;

import dev.switchboard.testing.TestCatalogs;

import static org.assertj.core.api.Assertions.assertThat;

/** One answer is priced once: the cost header's bill is the bill the exchange completes with. */
class LlmExchangeBillTest {

	@Test
	void theBillAtCompletionIsThePriceAlreadyWorkedOutForTheSameUsageAndTarget() {
		LlmExchange exchange = TestCatalogs.exchange(TestCatalogs.catalog(URI.create("http://127.0.0.1:1/v1")),
				Operation.CHAT, "{\"model\":\"fast\",\"messages\":[]}");
		RouteTarget target = exchange.route().targets().get(0);
		Attempt attempt = exchange.attempts().start(target);
		attempt.responded(200);
		Usage usage = new Usage(1_000, 500, 0, true);
		exchange.recordUsage(usage);
		exchange.attempts().end(attempt, Attempt.Outcome.SUCCESS, null);

		Bill header = exchange.price(target, usage);
		exchange.complete(LlmExchange.Completion.SUCCESS, null);

		assertThat(exchange.bill()).as("not priced again").isSameAs(header);
		assertThat(header.cost()).isEqualByComparingTo(Pricing.cost(target.model(), usage));
		Usage more = new Usage(1_000, 600, 0, true);
		assertThat(exchange.price(target, more).cost()).as("other usage, its own price")
			.isGreaterThan(header.cost());
	}

}
