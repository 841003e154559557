package dev.switchboard.route;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import dev.switchboard.catalog.CatalogException;
import dev.switchboard.catalog.ModelCatalog;
import dev.switchboard.core.Attempt;
import dev.switchboard.core.ConfigSnapshot;
import dev.switchboard.core.Json;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.ModelRoute;
import dev.switchboard.core.Operation;
import dev.switchboard.core.Team;
import dev.switchboard.testing.TestCatalogs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Canary rollouts in virtual time: the share grows by its steps, a client stays on its side, a
 * failing new model trips the error guard and sends everything back, a slow one the latency guard.
 */
class RolloutsTest {

	static final ModelCatalog CATALOG = new ModelCatalog(List.of(TestCatalogs.openAi("openai", URI.create("http://127.0.0.1:9/v1"))),
			List.of(TestCatalogs.chatModel("stable", "openai", "gpt-old", "fast"),
					TestCatalogs.chatModel("canary", "openai", "gpt-new")));

	final AtomicLong now = new AtomicLong(1_000_000_000L);

	final Rollouts running = new Rollouts(this.now::get, Rollouts.Metrics.NONE);

	static Rollout rollout(int percent, int step, Rollout.Guards guards) {
		return new Rollout("fast", "canary", percent, step, Duration.ofMinutes(1), ModelPool.Sticky.USER, guards);
	}

	/** The resolver of a version with this rollout, applied: the rollout starts now. */
	ModelResolver resolver(Rollout rollout) {
		ModelResolver resolver = new ModelResolver(CATALOG, List.of(), new PoolBalancer(new TargetStats()),
				List.of(rollout), this.running);
		this.running.retain(resolver.rollouts());
		return resolver;
	}

	ModelRoute ask(ModelResolver resolver, String user) {
		return resolver.resolve("fast", Team.unrestricted("t"), Operation.CHAT,
				Json.MAPPER.readTree("{\"model\":\"fast\",\"user\":\"" + user + "\",\"messages\":[]}"));
	}

	@Test
	void theShareGrowsByItsStepsAndAClientStaysOnItsSide() {
		Rollout rollout = rollout(10, 30, Rollout.Guards.defaults());
		ModelResolver resolver = resolver(rollout);
		assertThat(onCanary(resolver)).as("about 10 % of 1,000 users").isBetween(60, 140);
		List<String> early = usersOnCanary(resolver);

		this.now.addAndGet(Duration.ofMinutes(1).toNanos());
		assertThat(this.running.share(rollout)).isEqualTo(40);
		assertThat(onCanary(resolver)).isBetween(340, 460);
		assertThat(usersOnCanary(resolver)).as("who was on it stays on it as the share grows").containsAll(early);

		this.now.addAndGet(Duration.ofMinutes(2).toNanos());
		assertThat(this.running.share(rollout)).isEqualTo(100);
		assertThat(onCanary(resolver)).isEqualTo(1000);
		assertThat(this.running.status()).singleElement()
			.satisfies(status -> assertThat(status.state()).isEqualTo("completed"));

		ModelRoute route = ask(resolver, "u1");
		assertThat(route.targets()).extracting(target -> target.model().id())
			.as("the canary first, the model it replaces after it")
			.containsExactly("canary", "stable");
		assertThat(route.reason()).startsWith("rollout 'fast' at 100 % to 'canary': on it");
	}

	@Test
	void aNewModelThatFailsTripsTheErrorGuardAndEverythingGoesBack() {
		Rollout rollout = rollout(50, 0, new Rollout.Guards(Duration.ofMinutes(5), 5, 0.05, 2.0, 2.0));
		ModelResolver resolver = resolver(rollout);
		int served = 0;
		for (int i = 0; served < 40; i++) {
			LlmExchange exchange = exchange(resolver, ask(resolver, "user-" + i));
			boolean canary = exchange.route().primary().model().id().equals("canary");
			attempt(exchange, canary ? 500 : 200);
			exchange.complete(LlmExchange.Completion.SUCCESS, null);
			this.running.onComplete(exchange, LlmExchange.Completion.SUCCESS, null);
			served++;
			if (this.running.share(rollout) == 0) {
				assertThat(exchange.decisions()).anySatisfy(line -> assertThat(line)
					.contains("rollout: aborted 'fast': error rate 1.00 of 'canary' against 0.00"));
				break;
			}
		}
		assertThat(this.running.share(rollout)).as("aborted after the fifth failure on the canary").isZero();
		assertThat(onCanary(resolver)).isZero();
		assertThat(ask(resolver, "anyone").reason()).contains("rollout 'fast' aborted (error rate 1.00");

		// Its settings changed (a new rollout): it starts afresh.
		Rollout retried = rollout(20, 0, rollout.guards());
		this.running.retain(List.of(retried));
		assertThat(this.running.share(retried)).isEqualTo(20);
	}

	@Test
	void aSlowNewModelTripsTheLatencyGuardOnceBothSidesHaveEnough() {
		Rollout rollout = rollout(50, 0, new Rollout.Guards(Duration.ofMinutes(5), 10, 0.05, 2.0, 2.0));
		this.running.retain(List.of(rollout));
		for (int i = 0; i < 9; i++) {
			assertThat(this.running.sample(rollout, false, false, 100_000_000, 0)).isNull();
			assertThat(this.running.sample(rollout, true, false, 300_000_000, 0)).isNull();
			this.now.addAndGet(Duration.ofMillis(300).toNanos());
		}
		assertThat(this.running.sample(rollout, false, false, 100_000_000, 0)).isNull();
		assertThat(this.running.sample(rollout, true, false, 300_000_000, 0)).as("ten on each side")
			.startsWith("p95 latency 300 ms of 'canary' against 100 ms");
		assertThat(this.running.status()).singleElement().satisfies(status -> {
			assertThat(status.state()).isEqualTo("aborted");
			assertThat(status.reason()).startsWith("p95 latency 300 ms of 'canary' against 100 ms");
		});
	}

	@Test
	void aRolloutNeedsANameClientsUseAndAModelOfTheCatalog() {
		Rollout unknownName = new Rollout("nobody", "canary", 10, 0, Duration.ofMinutes(1), ModelPool.Sticky.NONE,
				Rollout.Guards.defaults());
		Rollout unknownModel = new Rollout("fast", "gpt-9", 10, 0, Duration.ofMinutes(1), ModelPool.Sticky.NONE,
				Rollout.Guards.defaults());
		assertThatThrownBy(() -> new ModelResolver(CATALOG, List.of(), new PoolBalancer(new TargetStats()),
				List.of(unknownName, unknownModel), this.running))
			.isInstanceOf(CatalogException.class)
			.hasMessageContaining("switchboard.rollouts[0].name: 'nobody' is not a model id, alias or pool name")
			.hasMessageContaining("switchboard.rollouts[1].to: 'gpt-9' is not a model id of switchboard.models");
	}

	private int onCanary(ModelResolver resolver) {
		return usersOnCanary(resolver).size();
	}

	private List<String> usersOnCanary(ModelResolver resolver) {
		return java.util.stream.IntStream.range(0, 1000)
			.mapToObj(i -> "user-" + i)
			.filter(user -> ask(resolver, user).primary().model().id().equals("canary"))
			.toList();
	}

	/** An exchange bound to a version whose resolver has the rollout, as the endpoint binds it. */
	private static LlmExchange exchange(ModelResolver resolver, ModelRoute route) {
		LlmExchange exchange = new LlmExchange("req_" + System.nanoTime(), Operation.CHAT, Team.unrestricted("t"),
				Json.object().put("model", "fast"), route);
		exchange.put(ConfigSnapshot.class, new ConfigSnapshot.Builder().part(ModelResolver.class, resolver)
			.build("v1", Instant.now(), "test"));
		return exchange;
	}

	/** The first attempt, on the route's first target, answered {@code status}. */
	private void attempt(LlmExchange exchange, int status) {
		Attempt attempt = exchange.attempts().start(exchange.route().primary());
		attempt.responded(status);
		exchange.attempts().end(attempt, (status == 200) ? Attempt.Outcome.SUCCESS : Attempt.Outcome.UPSTREAM_ERROR,
				"HTTP " + status);
	}

}
