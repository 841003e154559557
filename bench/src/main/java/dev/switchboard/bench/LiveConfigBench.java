package dev.switchboard.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpHeaders;

import dev.switchboard.auth.ApiKeys;
import dev.switchboard.core.ConfigSnapshot;
import dev.switchboard.core.Headers;
import dev.switchboard.live.LiveConfig;
import dev.switchboard.mock.MockBehavior;
import dev.switchboard.mock.MockLlmServer;

/**
 * Live configuration's two figures, with a gateway in this JVM (the starter, one LLM route, the
 * simulator as provider), a watched file checked every second:
 *
 * <ol>
 * <li><b>Cost of binding a version per request</b>: what the request path does for it (read the
 * current version, attach it to the exchange, name it in a header, look its parts up: resolver,
 * models list, team resolver, failover, cache and quota policies), timed in a loop, against the time
 * of a whole request through the same gateway at one connection. Target: not measurable against
 * noise, at most 1 % of a request.
 * <li><b>From a file change to the new version serving</b>: the watched file is rewritten with
 * another upstream model, and requests are sent back to back until one answers with the new
 * version. Target: at most 2 s (one watch interval plus the rebuild).
 * </ol>
 * Prints markdown.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class LiveConfigBench {

	private static final int ROUNDS = 10;

	private static final String BODY = "{\"model\":\"live\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";

	public static void main(String[] args) throws Exception {
		Path dir = Files.createTempDirectory("switchboard-live-bench");
		Path file = dir.resolve("live.yml");
		MockLlmServer upstream = MockLlmServer.start(MockBehavior.instant());
		write(dir, file, "echo-0");
		ConfigurableApplicationContext gateway = new SpringApplicationBuilder(LiveConfigBench.class)
			.web(WebApplicationType.REACTIVE)
			.properties("server.port=0", "spring.main.banner-mode=off", "logging.level.root=WARN",
					"spring.cloud.gateway.server.webflux.routes[0].id=llm",
					"spring.cloud.gateway.server.webflux.routes[0].uri=no://op",
					"spring.cloud.gateway.server.webflux.routes[0].predicates[0]=Path=/v1/**",
					"spring.cloud.gateway.server.webflux.routes[0].filters[0]=LlmEndpoint",
					"switchboard.providers.sim.type=openai", "switchboard.providers.sim.base-url=" + upstream.baseUrl(),
					"switchboard.teams.bench.key-hashes[0]=" + ApiKeys.sha256Hex("bench-key"),
					"switchboard.config.watch.file=" + file, "switchboard.config.watch.interval=1s")
			.run();
		try {
			int port = ((WebServerApplicationContext) gateway).getWebServer().getPort();
			HttpClient client = HttpClient.create()
				.headers(h -> h.set("authorization", "Bearer bench-key").set("content-type", "application/json"));
			System.out.println("### Live configuration");
			System.out.println();
			System.out.println("| figure | min | median | max | target |");
			System.out.println("| --- | --- | --- | --- | --- |");
			binding(gateway.getBean(LiveConfig.class), client, port);
			propagation(dir, file, client, port);
		}
		finally {
			gateway.close();
			upstream.close();
		}
	}

	/** The lookups a request does for its version, against a whole request at one connection. */
	private static void binding(LiveConfig live, HttpClient client, int port) {
		// What a request's exchange holds them in: a concurrent attribute map and the response headers.
		Map<String, Object> attributes = new ConcurrentHashMap<>();
		HttpHeaders headers = new HttpHeaders();
		Class<?>[] parts = partTypes(live.current());
		double[] lookupNs = new double[5];
		double[] requestNs = new double[5];
		long sink = 0;
		for (int round = -2; round < 5; round++) {
			long start = System.nanoTime();
			int n = 2_000_000;
			for (int i = 0; i < n; i++) {
				ConfigSnapshot snapshot = live.current();
				attributes.put(ConfigSnapshot.ATTRIBUTE, snapshot);
				headers.set(Headers.CONFIG_VERSION, snapshot.version());
				ConfigSnapshot bound = (ConfigSnapshot) attributes.get(ConfigSnapshot.ATTRIBUTE);
				for (Class<?> part : parts) {
					sink += (bound.part(part) != null) ? 1 : 0;
				}
			}
			double perLookup = (System.nanoTime() - start) / (double) n;
			start = System.nanoTime();
			int requests = 2_000;
			for (int i = 0; i < requests; i++) {
				send(client, port);
			}
			double perRequest = (System.nanoTime() - start) / (double) requests;
			if (round >= 0) {
				lookupNs[round] = perLookup;
				requestNs[round] = perRequest;
			}
		}
		double[] share = new double[5];
		for (int i = 0; i < 5; i++) {
			share[i] = 100 * lookupNs[i] / requestNs[i];
		}
		row("binding a version, per request (ns)", lookupNs, "%.1f", "");
		row("whole request at 1 connection (µs)", scale(requestNs, 1e-3), "%.1f", "");
		row("binding, share of a request", share, "%.3f %%", "<= 1 %");
		if (sink == 42) {
			System.out.println();
		}
	}

	/** The parts the request path looks up: every type the start-up version holds. */
	private static Class<?>[] partTypes(ConfigSnapshot snapshot) {
		return snapshot.parts().keySet().toArray(Class<?>[]::new);
	}

	/** Rewrites the watched file, then asks until an answer names the new version. */
	private static void propagation(Path dir, Path file, HttpClient client, int port) throws Exception {
		double[] millis = new double[ROUNDS];
		for (int round = 0; round < ROUNDS; round++) {
			String before = send(client, port);
			// Changes land at any point of the watch interval, as they would in production.
			Thread.sleep(137L * (round + 1) % 1000);
			long start = System.nanoTime();
			write(dir, file, "echo-" + (round + 1));
			String version = before;
			while (version.equals(before)) {
				version = send(client, port);
				if (System.nanoTime() - start > Duration.ofSeconds(30).toNanos()) {
					throw new IllegalStateException("no new version after 30 s");
				}
			}
			millis[round] = (System.nanoTime() - start) / 1e6;
		}
		row("file change to the new version serving (ms)", millis, "%.0f", "<= 2000 ms");
	}

	private static String send(HttpClient client, int port) {
		return client.post()
			.uri("http://127.0.0.1:" + port + "/v1/chat/completions")
			.send((request, out) -> out.sendString(Mono.just(BODY)))
			.responseSingle((response, body) -> body.then(Mono.fromSupplier(() -> {
				if (response.status().code() != 200) {
					throw new IllegalStateException("HTTP " + response.status().code());
				}
				return response.responseHeaders().get(Headers.CONFIG_VERSION);
			})))
			.block(Duration.ofSeconds(10));
	}

	private static void write(Path dir, Path file, String upstreamModel) throws Exception {
		Path next = Files.createTempFile(dir, "next", ".yml");
		Files.writeString(next, "switchboard:\n  models:\n    - id: live\n      provider: sim\n      upstream-model: "
				+ upstreamModel + "\n", StandardCharsets.UTF_8);
		Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
	}

	private static double[] scale(double[] values, double factor) {
		return Arrays.stream(values).map(value -> value * factor).toArray();
	}

	private static void row(String figure, double[] values, String format, String target) {
		double[] sorted = values.clone();
		Arrays.sort(sorted);
		List<String> cells = new ArrayList<>();
		for (double value : new double[] { sorted[0], sorted[sorted.length / 2], sorted[sorted.length - 1] }) {
			cells.add(String.format(Locale.ROOT, format, value));
		}
		System.out.printf(Locale.ROOT, "| %s | %s | **%s** | %s | %s |%n", figure, cells.get(0), cells.get(1), cells.get(2),
				target);
	}

}
