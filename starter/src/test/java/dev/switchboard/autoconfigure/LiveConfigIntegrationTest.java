package dev.switchboard.autoconfigure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.JsonNode;

import org.springframework.cloud.gateway.event.RefreshRoutesEvent;
import org.springframework.context.ConfigurableApplicationContext;

import dev.switchboard.core.Headers;
import dev.switchboard.core.Json;
import dev.switchboard.live.LiveConfig;
import dev.switchboard.testing.StubUpstream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Live configuration end to end, over real HTTP: JSON and streamed requests run without pause
 * while the configuration changes 20 times: the model behind {@code live} fourteen times through the
 * watched file, once by the file stepping aside, and five times through Spring Cloud's
 * {@code POST /actuator/refresh} of an imported config file, with Spring Cloud Gateway rebuilding
 * its routes on the way. No request
 * fails, and every answer is consistent with exactly one version: the upstream model the stub
 * was asked for is the one that version names (the version travels in
 * {@code x-switchboard-config-version}). A broken file and an invalid setting are refused and
 * reported while traffic continues; {@code POST /actuator/llmconfig} rolls back.
 */
class LiveConfigIntegrationTest {

	static final String KEY = "live-key";

	@TempDir
	static Path dir;

	static StubUpstream stub;

	static ConfigurableApplicationContext gateway;

	static Path watched;

	static Path refreshed;

	static int port;

	static int managementPort;

	@BeforeAll
	static void start() throws IOException {
		stub = new StubUpstream();
		stub.on("/v1/chat/completions", (request, response) -> {
			JsonNode body = Json.MAPPER.readTree(request.body());
			String model = body.path("model").asString();
			if (body.path("stream").asBoolean(false)) {
				return response.status(200).header("content-type", "text/event-stream").sendString(Flux.just(
						chunk("{\"role\":\"assistant\",\"content\":\"served by \"}", null),
						chunk("{\"content\":\"" + model + "\"}", null), chunk("{}", "\"stop\""), "data: [DONE]\n\n"))
					.then();
			}
			return response.status(200).header("content-type", "application/json").sendString(Mono.just(
					"{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"" + model + "\",\"choices\":"
							+ "[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"served by " + model
							+ "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":3,"
							+ "\"total_tokens\":6}}"))
				.then();
		});
		watched = dir.resolve("switchboard.yml");
		refreshed = dir.resolve("refreshed.yml");
		write(watched, models("file-0"));
		write(refreshed, models("refresh-0"));
		gateway = GatewayTestApplication.start("live-it", "management.server.port=0",
				"spring.config.import=optional:file:" + refreshed, "switchboard.config.watch.file=" + watched,
				"switchboard.config.watch.interval=50ms", "switchboard.providers.stub.base-url=" + stub.baseUrl());
		port = GatewayTestApplication.port(gateway);
		managementPort = GatewayTestApplication.managementPort(gateway);
	}

	@AfterAll
	static void stop() {
		gateway.close();
		stub.close();
	}

	@Test
	void twentyChangesUnderLoadFailNoRequestAndEveryAnswerIsConsistentWithOneVersion() throws Exception {
		LiveConfig live = gateway.getBean(LiveConfig.class);
		assertThat(ask(false).model()).as("the watched file wins over the application's settings").isEqualTo("file-0");

		Map<String, String> modelOfVersion = new ConcurrentHashMap<>();
		List<String> problems = new CopyOnWriteArrayList<>();
		AtomicInteger answers = new AtomicInteger();
		AtomicBoolean running = new AtomicBoolean(true);
		Disposable load = Flux.range(0, Integer.MAX_VALUE)
			.takeWhile(i -> running.get())
			.flatMap(i -> send(i % 2 == 0), 8)
			.subscribe(answer -> {
				answers.incrementAndGet();
				if (answer.status() != 200) {
					problems.add("HTTP " + answer.status() + ": " + answer.body());
					return;
				}
				String known = modelOfVersion.putIfAbsent(answer.version(), answer.model());
				if (known != null && !known.equals(answer.model())) {
					problems.add("version " + answer.version() + " answered by " + known + " and " + answer.model());
				}
			}, error -> problems.add(error.toString()));

		for (int i = 1; i <= 14; i++) {
			String before = live.current().version();
			write(watched, models("file-" + i));
			awaitNewVersion(live, before);
			awaitAnswers(answers);
			if (i == 7) {
				// Spring Cloud Gateway rebuilds its routes: the LLM route keeps serving, on the current version.
				gateway.publishEvent(new RefreshRoutesEvent(this));
				awaitAnswers(answers);
			}
		}
		// The file steps aside (an empty switchboard tree); the refreshed config file takes over.
		String before = live.current().version();
		write(watched, "switchboard: {}\n");
		awaitNewVersion(live, before);
		for (int i = 1; i <= 5; i++) {
			write(refreshed, models("refresh-" + i));
			assertThat(refresh()).contains("switchboard.models[0].upstream-model");
			awaitAnswers(answers);
		}
		running.set(false);
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(load::isDisposed);

		assertThat(problems).isEmpty();
		assertThat(answers.get()).isGreaterThan(100);
		assertThat(modelOfVersion.values()).as("every version served while the load ran")
			.contains("file-1", "file-14", "refresh-1", "refresh-5");
		assertThat(ask(true).model()).isEqualTo("refresh-5");
		assertThat(live.history()).hasSize(10);
	}

	@Test
	void aBrokenOrInvalidChangeIsRefusedAndReportedWhileTheLastGoodVersionServes() throws Exception {
		LiveConfig live = gateway.getBean(LiveConfig.class);
		write(watched, models("good"));
		awaitModel("good");
		String good = live.current().version();

		// Half-written: not YAML yet, broken right by a key.
		write(watched, "switchboard:\n  providers:\n    stub:\n      api-key: sk-live-secret-0001\n      headers: [x\n");
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> live.lastRejection() != null
				&& live.lastRejection().problems().get(0).startsWith("not valid YAML at line"));
		assertThat(live.lastRejection().problems()).as("the parser's message quotes the lines: never shown")
			.noneMatch(problem -> problem.contains("sk-live"));
		assertThat(ask(false).model()).isEqualTo("good");

		write(watched, "switchboard:\n  models:\n    - {id: live, provider: nowhere, upstream-model: bad}\n");
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> live.lastRejection().problems().stream()
			.anyMatch(problem -> problem.contains("nowhere")));
		Answer stillGood = ask(false);
		assertThat(stillGood.status()).isEqualTo(200);
		assertThat(stillGood.model()).isEqualTo("good");
		assertThat(stillGood.version()).isEqualTo(good);

		String report = management("GET", "/actuator/llmconfig", null);
		JsonNode config = Json.MAPPER.readTree(report);
		assertThat(config.path("current").path("version").asString()).isEqualTo(good);
		assertThat(config.path("lastRejected").path("problems").toString()).contains("nowhere");
		assertThat(report).as("never a key or key hash").doesNotContain("provider-secret-key", "13705115bca8");

		// Gone: reported once, and the last good version stays.
		Files.delete(watched);
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> live.lastRejection().problems().get(0)
			.contains("is gone"));
		assertThat(ask(false).model()).isEqualTo("good");
	}

	@Test
	void rollbackRestoresThePreviousVersionsBehaviour() throws Exception {
		LiveConfig live = gateway.getBean(LiveConfig.class);
		write(watched, models("before-rollback"));
		awaitModel("before-rollback");
		String earlier = live.current().version();
		write(watched, models("after-change"));
		awaitModel("after-change");

		String rolledBack = management("POST", "/actuator/llmconfig", "{\"version\":\"" + earlier + "\"}");
		assertThat(Json.MAPPER.readTree(rolledBack).path("version").asString()).isEqualTo(earlier);
		Answer answer = ask(false);
		assertThat(answer.model()).isEqualTo("before-rollback");
		assertThat(answer.version()).isEqualTo(earlier);
		assertThat(live.current().source()).isEqualTo("rollback");

		String unknown = management("POST", "/actuator/llmconfig", "{\"version\":\"000000000000\"}");
		assertThat(unknown).contains("No version 000000000000");
		assertThat(live.current().version()).isEqualTo(earlier);
	}

	private static String models(String upstream) {
		return "switchboard:\n  models:\n    - id: live\n      provider: stub\n      upstream-model: " + upstream + "\n";
	}

	/** Written whole and moved into place, as a ConfigMap update is. */
	private static void write(Path file, String content) throws IOException {
		Path temporary = Files.createTempFile(dir, "next", ".yml");
		Files.writeString(temporary, content, StandardCharsets.UTF_8);
		Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
	}

	private static void awaitNewVersion(LiveConfig live, String before) {
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !live.current().version().equals(before));
	}

	private static void awaitModel(String model) {
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> model.equals(ask(false).model()));
	}

	/** Lets the load run on the new version for a few more answers. */
	private static void awaitAnswers(AtomicInteger answers) {
		int target = answers.get() + 5;
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> answers.get() >= target);
	}

	private static String refresh() {
		return management("POST", "/actuator/refresh", "");
	}

	private static String management(String method, String path, String body) {
		HttpClient client = HttpClient.create().headers(h -> h.set("content-type", "application/json"));
		String uri = "http://127.0.0.1:" + managementPort + path;
		Mono<String> answer = "GET".equals(method)
				? client.get().uri(uri).responseSingle((response, content) -> content.asString().defaultIfEmpty(""))
				: client.post()
					.uri(uri)
					.send((request, out) -> out.sendString(Mono.just(body)))
					.responseSingle((response, content) -> content.asString().defaultIfEmpty(""));
		return answer.block(Duration.ofSeconds(10));
	}

	private static Answer ask(boolean stream) {
		return send(stream).block(Duration.ofSeconds(10));
	}

	private static Mono<Answer> send(boolean stream) {
		String body = "{\"model\":\"live\"," + (stream ? "\"stream\":true," : "")
				+ "\"messages\":[{\"role\":\"user\",\"content\":\"which model?\"}]}";
		return HttpClient.create()
			.headers(h -> h.set("authorization", "Bearer " + KEY).set("content-type", "application/json"))
			.post()
			.uri("http://127.0.0.1:" + port + "/v1/chat/completions")
			.send((request, out) -> out.sendString(Mono.just(body)))
			.responseSingle((response, content) -> content.asString()
				.defaultIfEmpty("")
				.map(text -> new Answer(response.status().code(), response.responseHeaders().get(Headers.CONFIG_VERSION),
						text)));
	}

	private static String chunk(String delta, String finish) {
		return "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":"
				+ "[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":" + finish + "}]}\n\n";
	}

	record Answer(int status, String version, String body) {

		/** The upstream model named in the answer, JSON or streamed. */
		String model() {
			if (!this.body.startsWith("data:")) {
				String content = Json.MAPPER.readTree(this.body).path("choices").get(0).path("message").path("content")
					.asString();
				return content.substring("served by ".length());
			}
			StringBuilder text = new StringBuilder();
			for (String line : this.body.split("\n")) {
				if (line.startsWith("data: {")) {
					for (JsonNode choice : Json.MAPPER.readTree(line.substring(6)).path("choices")) {
						text.append(choice.path("delta").path("content").asString(""));
					}
				}
			}
			return text.substring("served by ".length());
		}

	}

}
