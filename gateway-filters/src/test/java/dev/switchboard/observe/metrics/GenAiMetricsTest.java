package dev.switchboard.observe.metrics;

import java.net.URI;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.catalog.ModelCatalog;
import dev.switchboard.core.Attempt;
import dev.switchboard.core.Json;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.Operation;
import dev.switchboard.core.Team;
import dev.switchboard.core.Usage;
import dev.switchboard.observe.GenAiAttributes;
import dev.switchboard.route.ModelResolver;
import dev.switchboard.testing.TestCatalogs;

import static org.assertj.core.api.Assertions.assertThat;

/** Meters cached per tag set: same counts as registry lookups, bounded, and never stale after removal. */
class GenAiMetricsTest {

	private static final ModelCatalog CATALOG = TestCatalogs.catalog(URI.create("http://127.0.0.1:1/v1"));

	private final MeterRegistry registry = new SimpleMeterRegistry();

	private final GenAiMetrics metrics = new GenAiMetrics(this.registry);

	@Test
	void repeatedTagSetsReuseTheirMetersAndCountEveryRequest() {
		complete("team-a", 10, 2);
		int cached = this.metrics.cachedTagSets();
		complete("team-a", 30, 4);
		assertThat(this.metrics.cachedTagSets()).as("no new tag set").isEqualTo(cached);

		assertThat(this.registry.get(GenAiMetrics.REQUESTS).tag(GenAiAttributes.TEAM, "team-a").counter().count()).isEqualTo(2);
		assertThat(this.registry.get(GenAiMetrics.OPERATION_DURATION).timer().count()).isEqualTo(2);
		assertThat(this.registry.get(GenAiMetrics.TOKEN_USAGE).tag(GenAiAttributes.TOKEN_TYPE, "input").summary().totalAmount())
			.isEqualTo(40);
		assertThat(this.registry.get(GenAiMetrics.ATTEMPTS).tag(GenAiMetrics.OUTCOME, "success").counter().count())
			.isEqualTo(2);
		// gpt-test: $1.00 per million prompt tokens, $2.00 per million completion tokens
		assertThat(this.registry.get(GenAiMetrics.COST).counter().count()).isCloseTo(52e-6, org.assertj.core.data.Offset.offset(1e-12));
		assertThat(this.registry.find(GenAiMetrics.TIME_TO_FIRST_TOKEN).timer()).as("registered only when used").isNull();

		complete("team-b", 1, 1);
		assertThat(this.registry.get(GenAiMetrics.REQUESTS).tag(GenAiAttributes.TEAM, "team-b").counter().count()).isEqualTo(1);
		assertThat(this.metrics.cachedTagSets()).isGreaterThan(cached);
	}

	@Test
	void metersRemovedFromTheRegistryAreRegisteredAgainNotWrittenInTheDark() {
		complete("team-a", 10, 2);
		this.registry.clear();
		assertThat(this.metrics.cachedTagSets()).isZero();
		complete("team-a", 10, 2);
		assertThat(this.registry.get(GenAiMetrics.REQUESTS).counter().count()).isEqualTo(1);
		assertThat(this.registry.get(GenAiMetrics.ATTEMPTS).counter().count()).isEqualTo(1);
	}

	@Test
	void theCacheIsBoundedAndRequestsBeyondItAreStillCounted() {
		int teams = GenAiMetrics.MAX_CACHED + 50;
		for (int i = 0; i < teams; i++) {
			complete("team-" + i, 1, 1);
		}
		complete("team-" + (teams - 1), 1, 1);
		assertThat(this.metrics.cachedTagSets()).isLessThanOrEqualTo(3 * GenAiMetrics.MAX_CACHED);
		assertThat(this.registry.get(GenAiMetrics.REQUESTS).tag(GenAiAttributes.TEAM, "team-" + (teams - 1)).counter().count())
			.isEqualTo(2);
		assertThat(this.registry.get(GenAiMetrics.REQUESTS).counters()).hasSize(teams);
	}

	private void complete(String team, long prompt, long completion) {
		ObjectNode body = (ObjectNode) Json.MAPPER.readTree("{\"model\":\"fast\",\"messages\":[]}");
		Team owner = Team.unrestricted(team);
		LlmExchange exchange = new LlmExchange("req_" + System.nanoTime(), Operation.CHAT, owner, body,
				new ModelResolver(CATALOG).resolve("fast", owner, Operation.CHAT));
		Attempt attempt = exchange.attempts().start(exchange.route().primary());
		exchange.recordUsage(new Usage(prompt, completion, 0, true));
		exchange.attempts().end(attempt, Attempt.Outcome.SUCCESS, null);
		this.metrics.onAttemptEnd(exchange, attempt);
		exchange.addListener(this.metrics);
		exchange.complete(LlmExchange.Completion.SUCCESS, null);
	}

}
