package dev.switchboard.route;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.switchboard.catalog.Capability;
import dev.switchboard.catalog.CatalogException;
import dev.switchboard.catalog.ModelCatalog;
import dev.switchboard.catalog.ModelSpec;
import dev.switchboard.core.Json;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.ModelRoute;
import dev.switchboard.core.Operation;
import dev.switchboard.core.RouteTarget;
import dev.switchboard.core.Team;
import dev.switchboard.testing.TestCatalogs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.within;

class PoolBalancerTest {

	private static final String HELLO = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

	private final ModelCatalog catalog = new ModelCatalog(
			List.of(TestCatalogs.openAi("east", URI.create("http://127.0.0.1:1/v1")),
					TestCatalogs.openAi("west", URI.create("http://127.0.0.1:2/v1"))),
			List.of(model("big", "east", "10.00", 200_000, Capability.CHAT, Capability.TOOLS, Capability.VISION),
					model("small", "west", "0.50", 16_000, Capability.CHAT),
					model("mid", "west", "2.00", 128_000, Capability.CHAT, Capability.TOOLS)));

	private final TargetStats stats = new TargetStats(2, Duration.ofMinutes(1));

	@Test
	void weightedSplitFollowsTheWeights() {
		ModelResolver resolver = resolver(pool(ModelPool.Strategy.WEIGHTED, ModelPool.Sticky.NONE,
				new ModelPool.Member("big", 3), new ModelPool.Member("small", 1)));
		Map<String, Integer> served = new HashMap<>();
		for (int i = 0; i < 8000; i++) {
			served.merge(resolver.resolve("pool", Team.unrestricted("t"), Operation.CHAT, body(HELLO)).primary().model().id(),
					1, Integer::sum);
		}
		assertThat(served.get("big") / 8000.0).isCloseTo(0.75, within(0.03));
	}

	@Test
	void stickySplitsKeepATeamOnOneMemberAndStillSpreadTeams() {
		ModelResolver resolver = resolver(pool(ModelPool.Strategy.WEIGHTED, ModelPool.Sticky.TEAM,
				new ModelPool.Member("big", 1), new ModelPool.Member("small", 1)));
		Map<String, Integer> teamsPerModel = new HashMap<>();
		for (int team = 0; team < 200; team++) {
			String first = resolver.resolve("pool", Team.unrestricted("team-" + team), Operation.CHAT, body(HELLO))
				.primary()
				.model()
				.id();
			for (int again = 0; again < 5; again++) {
				assertThat(resolver.resolve("pool", Team.unrestricted("team-" + team), Operation.CHAT, body(HELLO))
					.primary()
					.model()
					.id()).isEqualTo(first);
			}
			teamsPerModel.merge(first, 1, Integer::sum);
		}
		assertThat(teamsPerModel.get("big")).isBetween(70, 130);
	}

	@Test
	void leastLatencyPrefersTheFasterMemberAndKeepsTheOtherAsFallback() {
		ModelResolver resolver = resolver(pool(ModelPool.Strategy.LEAST_LATENCY, ModelPool.Sticky.NONE,
				new ModelPool.Member("big", 1), new ModelPool.Member("mid", 1)));
		RouteTarget big = target("big");
		RouteTarget mid = target("mid");
		for (int i = 0; i < 5; i++) {
			this.stats.responded(big, 400_000_000L, name -> null);
			this.stats.responded(mid, 50_000_000L, name -> null);
		}
		ModelRoute route = resolver.resolve("pool", Team.unrestricted("t"), Operation.CHAT, body(HELLO));
		assertThat(route.targets()).extracting(RouteTarget::label).containsExactly(mid.label(), big.label());
		assertThat(route.reason()).contains("least_latency").contains("latency ms");
	}

	@Test
	void leastInFlightPrefersTheIdleMember() {
		ModelResolver resolver = resolver(pool(ModelPool.Strategy.LEAST_IN_FLIGHT, ModelPool.Sticky.NONE,
				new ModelPool.Member("big", 1), new ModelPool.Member("mid", 1)));
		this.stats.started(target("big"));
		this.stats.started(target("big"));
		this.stats.started(target("mid"));
		assertThat(resolver.resolve("pool", Team.unrestricted("t"), Operation.CHAT, body(HELLO)).primary().model().id())
			.isEqualTo("mid");
	}

	@Test
	void cheapestPicksTheCheapestMemberThatCanServeTheRequest() {
		ModelResolver resolver = resolver(pool(ModelPool.Strategy.CHEAPEST, ModelPool.Sticky.NONE,
				new ModelPool.Member("big", 1), new ModelPool.Member("small", 1), new ModelPool.Member("mid", 1)));
		assertThat(resolver.resolve("pool", Team.unrestricted("t"), Operation.CHAT, body(HELLO)).targets())
			.extracting(t -> t.model().id())
			.containsExactly("small", "mid", "big");

		String tools = "{\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],"
				+ "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
		assertThat(resolver.resolve("pool", Team.unrestricted("t"), Operation.CHAT, body(tools)).targets())
			.as("small has no tools").extracting(t -> t.model().id()).containsExactly("mid", "big");

		String image = "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:x\"}}]}]}";
		assertThat(resolver.resolve("pool", Team.unrestricted("t"), Operation.CHAT, body(image)).targets())
			.extracting(t -> t.model().id()).containsExactly("big");

		String longPrompt = "{\"max_tokens\":4000,\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(60_000) + "\"}]}";
		assertThat(resolver.resolve("pool", Team.unrestricted("t"), Operation.CHAT, body(longPrompt)).targets())
			.as("15k prompt + 4k answer does not fit 16k").extracting(t -> t.model().id()).containsExactly("mid", "big");
	}

	@Test
	void noMemberThatCanServeIsAClearClientError() {
		ModelResolver resolver = resolver(pool(ModelPool.Strategy.CHEAPEST, ModelPool.Sticky.NONE,
				new ModelPool.Member("small", 1)));
		assertThatExceptionOfType(LlmApiException.class).isThrownBy(() -> resolver.resolve("pool",
				Team.unrestricted("t"), Operation.CHAT,
				body("{\"tools\":[{\"type\":\"function\"}],\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")))
			.satisfies(ex -> {
				assertThat(ex.status()).isEqualTo(400);
				assertThat(ex.getMessage()).contains("TOOLS");
			});
	}

	@Test
	void failingOrRateLimitedMembersGoToTheBack() {
		ModelResolver resolver = resolver(pool(ModelPool.Strategy.CHEAPEST, ModelPool.Sticky.NONE,
				new ModelPool.Member("small", 1), new ModelPool.Member("mid", 1), new ModelPool.Member("big", 1)));
		this.stats.started(target("small"));
		this.stats.finished(target("small"), true);
		this.stats.started(target("small"));
		this.stats.finished(target("small"), true);
		this.stats.responded(target("mid"), 1_000_000, name -> name.equals("x-ratelimit-remaining-tokens") ? "10" : null);

		ModelRoute route = resolver.resolve("pool", Team.unrestricted("t"), Operation.CHAT, body(HELLO));
		assertThat(route.targets()).extracting(t -> t.model().id()).containsExactly("big", "small", "mid");
		assertThat(route.reason()).contains("degraded last");
	}

	@Test
	void poolsAreValidatedAgainstTheCatalog() {
		assertThatExceptionOfType(CatalogException.class)
			.isThrownBy(() -> new ModelResolver(this.catalog,
					List.of(new ModelPool("big", ModelPool.Strategy.WEIGHTED, ModelPool.Sticky.NONE,
							List.of(new ModelPool.Member("nope", 1)))),
					new PoolBalancer(this.stats)))
			.satisfies(ex -> assertThat(ex.problems()).containsExactly(
					"switchboard.pools[0].name: 'big' is already a model, alias or pool name",
					"switchboard.pools[0].members: 'nope' is not a model id, alias or provider/model id of switchboard.models"));
	}

	private ModelResolver resolver(ModelPool pool) {
		return new ModelResolver(this.catalog, List.of(pool), new PoolBalancer(this.stats));
	}

	private static ModelPool pool(ModelPool.Strategy strategy, ModelPool.Sticky sticky, ModelPool.Member... members) {
		return new ModelPool("pool", strategy, sticky, List.of(members));
	}

	private RouteTarget target(String model) {
		ModelSpec spec = this.catalog.find(model).orElseThrow();
		return new RouteTarget(spec, this.catalog.provider(spec.provider()));
	}

	private static ModelSpec model(String id, String provider, String price, int window, Capability... capabilities) {
		return new ModelSpec(id, provider, id, List.of(), new BigDecimal(price), new BigDecimal(price), null, window,
				Set.of(capabilities));
	}

	private static JsonNode body(String json) {
		return Json.MAPPER.readTree(json);
	}

}
