package dev.switchboard.dispatch;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;

import dev.switchboard.catalog.ModelCatalog;
import dev.switchboard.catalog.ProviderSpec;
import dev.switchboard.catalog.ProviderType;
import dev.switchboard.catalog.Secret;
import dev.switchboard.core.RouteTarget;
import dev.switchboard.route.ModelResolver;
import dev.switchboard.route.TargetStats;
import dev.switchboard.testing.StubUpstream;
import dev.switchboard.testing.TestCatalogs;
import dev.switchboard.translate.ProviderAdapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Active health checks against a real HTTP server on loopback that answers, fails or hangs on demand. */
class HealthProberTest {

	private final StubUpstream stub = new StubUpstream();

	private final AtomicInteger status = new AtomicInteger(200);

	private final AtomicInteger inProgress = new AtomicInteger();

	private final AtomicInteger mostAtOnce = new AtomicInteger();

	private volatile boolean hang;

	private final List<String> changes = new CopyOnWriteArrayList<>();

	private final TargetStats stats = new TargetStats();

	private HealthProber prober;

	HealthProberTest() {
		this.stub.on("/v1/models", (request, response) -> {
			int now = this.inProgress.incrementAndGet();
			this.mostAtOnce.accumulateAndGet(now, Math::max);
			Mono<Void> answer = this.hang ? Mono.never()
					: response.status(this.status.get()).header("content-type", "application/json")
						.sendString(Mono.just("{\"object\":\"list\",\"data\":[]}")).then();
			return answer.doFinally(signal -> this.inProgress.decrementAndGet());
		});
	}

	@AfterEach
	void stop() {
		if (this.prober != null) {
			this.prober.close();
		}
		this.stub.close();
	}

	@Test
	void aProviderFailingItsThresholdIsMarkedUnhealthyAndComesBackAfterGoodProbes() {
		ProviderSpec provider = TestCatalogs.openAi("openai", this.stub.baseUrl());
		RouteTarget target = target(provider);
		this.prober = prober(provider, new HealthProber.Settings(Duration.ofMinutes(1), Duration.ofSeconds(2), 0, 2, 3));

		this.status.set(503);
		probe("openai");
		probe("openai");
		assertThat(this.stats.isUnhealthy(target)).as("two failures of three").isFalse();
		HealthProber.Health third = probe("openai");
		assertThat(third.healthy()).isFalse();
		assertThat(third.lastProblem()).isEqualTo("HTTP 503");
		assertThat(this.stats.isUnhealthy(target)).isTrue();
		assertThat(this.stats.isDegraded(target, 0)).as("pools put it last").isTrue();

		this.status.set(200);
		assertThat(probe("openai").healthy()).as("one good probe of two").isFalse();
		assertThat(probe("openai").healthy()).isTrue();
		assertThat(this.stats.isUnhealthy(target)).isFalse();
		assertThat(this.changes).containsExactly("openai unhealthy", "openai healthy");
	}

	@Test
	void theProbeIsTheModelsListWithTheProvidersCredentialAndCostsNoTokens() {
		ProviderSpec provider = TestCatalogs.openAi("openai", this.stub.baseUrl());
		this.prober = prober(provider, new HealthProber.Settings(Duration.ofMinutes(1), Duration.ofSeconds(2), 0, 1, 1));
		probe("openai");
		StubUpstream.Received probe = this.stub.lastRequest();
		assertThat(probe.method()).isEqualTo("GET");
		assertThat(probe.path()).isEqualTo("/v1/models");
		assertThat(probe.headers().get("authorization")).isEqualTo("Bearer " + TestCatalogs.PROVIDER_KEY);
	}

	@Test
	void anthropicAndAzureAreAskedInTheirOwnTerms() {
		ProviderSpec anthropic = new ProviderSpec("claude", ProviderType.ANTHROPIC, this.stub.baseUrl(),
				Secret.of("sk-ant-test"), Map.of(), Duration.ofSeconds(2), Duration.ofSeconds(5), true);
		this.prober = prober(anthropic, new HealthProber.Settings(Duration.ofMinutes(1), Duration.ofSeconds(2), 0, 1, 1));
		assertThat(probe("claude").healthy()).isTrue();
		assertThat(this.stub.lastRequest().headers().get("x-api-key")).isEqualTo("sk-ant-test");
		assertThat(this.stub.lastRequest().headers().get("anthropic-version")).isNotBlank();
		this.prober.close();

		this.stub.on("/openai/models", (request, response) -> response.status(200).sendString(Mono.just("{}")).then());
		ProviderSpec azure = new ProviderSpec("azure", ProviderType.AZURE_OPENAI,
				URI.create("http://127.0.0.1:" + this.stub.port()), Secret.of("azure-key"), Map.of(), Duration.ofSeconds(2),
				Duration.ofSeconds(5), true);
		this.prober = prober(azure, new HealthProber.Settings(Duration.ofMinutes(1), Duration.ofSeconds(2), 0, 1, 1));
		assertThat(probe("azure").healthy()).isTrue();
		assertThat(this.stub.lastRequest().path()).startsWith("/openai/models?api-version=");
		assertThat(this.stub.lastRequest().headers().get("api-key")).isEqualTo("azure-key");
	}

	@Test
	void aBusyProviderIsNotUnhealthy() {
		ProviderSpec provider = TestCatalogs.openAi("openai", this.stub.baseUrl());
		this.prober = prober(provider, new HealthProber.Settings(Duration.ofMinutes(1), Duration.ofSeconds(2), 0, 1, 1));
		this.status.set(429);
		assertThat(probe("openai").healthy()).isTrue();
		this.status.set(401);
		assertThat(probe("openai").healthy()).as("a rejected key fails every call").isFalse();
	}

	@Test
	void aHangingProviderIsMarkedUnhealthyWithinItsThresholdsAndItsProbesNeverPileUp() {
		ProviderSpec provider = TestCatalogs.openAi("openai", this.stub.baseUrl());
		RouteTarget target = target(provider);
		this.hang = true;
		this.prober = prober(provider, new HealthProber.Settings(Duration.ofMillis(100), Duration.ofMillis(200), 0.5, 1, 2));
		this.prober.start();
		// Two timeouts of 200 ms and the waits between them.
		await().atMost(Duration.ofSeconds(3)).until(() -> this.stats.isUnhealthy(target));
		HealthProber.Health health = this.prober.health().get("openai");
		assertThat(health.lastProblem()).isEqualTo("no answer within PT0.2S");
		await().atMost(Duration.ofSeconds(5)).until(() -> this.prober.health().get("openai").probes() >= 4);
		assertThat(this.mostAtOnce.get()).as("one probe at a time, however long the provider hangs").isEqualTo(1);

		this.hang = false;
		await().atMost(Duration.ofSeconds(3)).until(() -> !this.stats.isUnhealthy(target));
	}

	private HealthProber.Health probe(String provider) {
		return this.prober.probeNow(provider).block(Duration.ofSeconds(10));
	}

	private HealthProber prober(ProviderSpec provider, HealthProber.Settings settings) {
		ModelCatalog catalog = new ModelCatalog(List.of(provider),
				List.of(TestCatalogs.chatModel("m", provider.name(), "m-upstream")));
		return new HealthProber(ProviderAdapters.defaults(), new ProviderClients(HttpClient.create()),
				this.stats, Map.of(provider, settings), Schedulers.parallel(), new HealthProber.Listener() {
					@Override
					public void changed(String name, boolean healthy) {
						HealthProberTest.this.changes.add(name + (healthy ? " healthy" : " unhealthy"));
					}
				}, Clock.systemUTC());
	}

	private static RouteTarget target(ProviderSpec provider) {
		ModelCatalog catalog = new ModelCatalog(List.of(provider),
				List.of(TestCatalogs.chatModel("m", provider.name(), "m-upstream")));
		return new ModelResolver(catalog).resolve("m", dev.switchboard.core.Team.unrestricted("t"),
				dev.switchboard.core.Operation.CHAT).primary();
	}

}
