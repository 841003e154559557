package dev.switchboard.examples;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;

import dev.switchboard.catalog.ModelCatalog;
import dev.switchboard.catalog.ModelSpec;
import dev.switchboard.catalog.ProviderType;
import dev.switchboard.catalog.ReasoningTable;
import dev.switchboard.core.Json;
import dev.switchboard.testing.RedisTestServer;
import dev.switchboard.testing.StubUpstream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Starts a gateway from every YAML file in {@code config-examples/} and sends each of its models a
 * real request. Real provider URLs are pointed at a loopback stub and {@code ${ENV}} placeholders
 * get test values; everything else is the file as a user would paste it.
 */
class ConfigExamplesTest {

	private static final Pattern REQUIRED_PLACEHOLDER = Pattern.compile("\\$\\{([A-Z_]+)}");

	static Stream<Path> examples() throws IOException {
		Path dir = Path.of(System.getProperty("user.dir"));
		List<Path> files = new ArrayList<>();
		try (Stream<Path> list = Files.list(dir)) {
			list.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml")).sorted().forEach(files::add);
		}
		assertThat(files).as("examples in " + dir).isNotEmpty();
		return files.stream();
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("examples")
	@SuppressWarnings("unchecked")
	void exampleStartsAndServesEveryModel(Path file) throws Exception {
		String yaml = Files.readString(file);
		Map<String, Object> root = new Yaml().load(yaml);
		Map<String, Object> switchboard = (Map<String, Object>) root.get("switchboard");
		Map<String, Map<String, Object>> providers = (Map<String, Map<String, Object>>) switchboard.get("providers");
		List<Map<String, Object>> models = (List<Map<String, Object>>) switchboard.get("models");

		// Files with a Redis quota backend read its address from ${REDIS_URL}: give them a real one.
		RedisTestServer redis = yaml.contains("${REDIS_URL}") ? RedisTestServer.startOnFreePort() : null;
		try (StubUpstream stub = new StubUpstream(); AutoCloseable stopRedis = (redis != null) ? redis : () -> { }) {
			stub.otherwise((request, response) -> json(response, answer(request)));

			// A gateway per example, closed at its end: without Reactor Netty's 2 s quiet period each.
			List<String> args = new ArrayList<>(List.of("--spring.config.location=file:" + file.toAbsolutePath(),
					"--server.port=0", "--spring.main.banner-mode=off", "--spring.reactor.netty.shutdown-quiet-period=0s"));
			Map<String, String> placeholders = new HashMap<>();
			Matcher matcher = REQUIRED_PLACEHOLDER.matcher(yaml);
			while (matcher.find()) {
				String value = ("REDIS_URL".equals(matcher.group(1)) && redis != null) ? redis.address()
						: "test-" + matcher.group(1).toLowerCase();
				if (placeholders.put(matcher.group(1), value) == null) {
					args.add("--" + matcher.group(1) + "=" + value);
				}
			}
			if (yaml.contains("${OTLP_ENDPOINT")) {
				// A collector that is down: nothing listens on this loopback port.
				args.add("--OTLP_ENDPOINT=http://127.0.0.1:" + RedisTestServer.freePort());
			}
			else {
				// The OTLP registry is on this module's test classpath (for otlp.yml); without a URL of
				// their own, the other examples would push metrics to localhost:4318.
				args.add("--management.otlp.metrics.export.enabled=false");
			}
			providers.forEach((name, provider) -> {
				if (!"mock".equals(provider.get("type"))) {
					args.add("--switchboard.providers." + name + ".base-url=" + stub.baseUrl());
				}
			});

			SpringApplication application = new SpringApplication(ExampleGateway.class);
			application.setWebApplicationType(WebApplicationType.REACTIVE);
			try (ConfigurableApplicationContext context = application.run(args.toArray(String[]::new))) {
				String base = "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port")
						+ llmPrefix(root) + "/v1";
				HttpClient client = client(switchboard);

				JsonNode listed = Json.MAPPER.readTree(call(client, "GET", base + "/models", null).body);
				Map<String, Map<String, Object>> byName = new HashMap<>();
				for (Map<String, Object> model : models) {
					byName.put((String) model.get("id"), model);
					((List<String>) model.getOrDefault("aliases", List.of())).forEach(alias -> byName.put(alias, model));
				}
				Map<String, Object> team = (Map<String, Object>) ((Map<String, Object>) switchboard.get("teams")).values()
					.iterator()
					.next();
				List<String> names = (List<String>) team.getOrDefault("models",
						models.stream().map(model -> (String) model.get("id")).toList());
				ModelCatalog catalog = context.getBean(ModelCatalog.class);
				for (Map<String, Object> model : models) {
					// Every price in the file is bound (an unknown key would be ignored silently).
					ModelSpec bound = catalog.find((String) model.get("id")).orElseThrow();
					Map<String, BigDecimal> prices = new HashMap<>();
					prices.put("input-price", bound.inputPrice());
					prices.put("output-price", bound.outputPrice());
					prices.put("cached-input-price", bound.cachedInputPrice());
					prices.put("cache-write-price", bound.cacheWritePrice());
					prices.put("cache-write-hour-price", bound.cacheWriteHourPrice());
					model.forEach((key, value) -> {
						if (key.endsWith("-price")) {
							assertThat(prices).as(key + " of " + model.get("id") + " in " + file.getFileName()).containsKey(key);
							assertThat(prices.get(key)).as(key + " of " + model.get("id") + " in " + file.getFileName())
								.isEqualByComparingTo(new BigDecimal(value.toString()));
						}
					});
					// So is every reasoning setting, the provider's and the model's own (the model's win).
					Map<String, Object> reasoning = new HashMap<>();
					reasoning.putAll((Map<String, Object>) providers.get(bound.provider()).getOrDefault("reasoning", Map.of()));
					reasoning.putAll((Map<String, Object>) model.getOrDefault("reasoning", Map.of()));
					ProviderType type = catalog.provider(bound.provider()).type();
					reasoning.forEach((effort, setting) -> assertThat(
							bound.reasoning(type).setting(ReasoningTable.Effort.of(effort)).toString())
						.as("reasoning." + effort + " of " + model.get("id") + " in " + file.getFileName())
						.isEqualTo(setting.toString()));
				}
				for (String id : names) {
					Map<String, Object> model = byName.get(id);
					assertThat(listed.toString()).as("models list of " + file.getFileName()).contains("\"" + id + "\"");

					boolean embeddings = String.valueOf(model.get("capabilities")).contains("embeddings");
					String body = embeddings ? "{\"model\":\"" + id + "\",\"input\":\"hi\"}"
							: "{\"model\":\"" + id + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
					Result result = call(client, "POST", base + (embeddings ? "/embeddings" : "/chat/completions"), body);
					assertThat(result.status).as(id + " in " + file.getFileName() + ": " + new String(result.body))
						.isEqualTo(200);

					Map<String, Object> provider = providers.get((String) model.get("provider"));
					if (!embeddings) {
						// Every LLM route is also Anthropic's Messages door, whatever its providers...
						Result message = call(client, "POST", base + "/messages",
								"{\"model\":\"" + id + "\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
						assertThat(message.status).as(id + " at /v1/messages in " + file.getFileName() + ": "
								+ new String(message.body)).isEqualTo(200);
						assertThat(Json.MAPPER.readTree(message.body).path("type").asString()).isEqualTo("message");
						// And OpenAI's Responses API.
						Result response = call(client, "POST", base + "/responses",
								"{\"model\":\"" + id + "\",\"input\":\"hi\"}");
						assertThat(response.status).as(id + " at /v1/responses in " + file.getFileName() + ": "
								+ new String(response.body)).isEqualTo(200);
						assertThat(Json.MAPPER.readTree(response.body).path("object").asString()).isEqualTo("response");
						if (Boolean.TRUE.equals(model == null ? null : providers.get((String) model.get("provider")).get("responses-api"))) {
							assertThat(stub.lastRequest().path()).as(id + " asked on OpenAI's own Responses API")
								.endsWith("/responses");
						}
					}
					if (!"mock".equals(provider.get("type"))) {
						StubUpstream.Received upstream = stub.lastRequest();
						String upstreamModel = (String) model.getOrDefault("upstream-model", model.get("id"));
						assertThat(upstream.path() + " " + upstream.body()).contains(upstreamModel);
						Object apiKey = provider.get("api-key");
						String headers = upstream.headers().toString();
						if (apiKey != null) {
							String key = placeholders.get(apiKey.toString().replaceAll("[${}]", ""));
							assertThat(headers).as("provider key sent in a header").contains(key);
							assertThat(upstream.path()).as("never in the URL").doesNotContain(key);
						}
						else {
							assertThat(upstream.headers().get("authorization")).isNull();
						}
						assertThat(headers).doesNotContain("example-key");
					}
				}
				List<Map<String, Object>> pools = (List<Map<String, Object>>) switchboard.getOrDefault("pools", List.of());
				for (Map<String, Object> pool : pools) {
					String name = (String) pool.get("name");
					assertThat(listed.toString()).as("pool listed").contains("\"" + name + "\"");
					Result result = call(client, "POST", base + "/chat/completions",
							"{\"model\":\"" + name + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
					assertThat(result.status).as("pool " + name + ": " + new String(result.body)).isEqualTo(200);
				}
			}
		}
	}

	/**
	 * {@code otlp.yml} against a stand-in collector on loopback: spans (with the GenAI attributes of
	 * the provider call) and metrics (with the GenAI meters) arrive as OTLP over HTTP.
	 */
	@Test
	void otlpExampleExportsTracesAndMetricsToACollector() throws Exception {
		Path file = Path.of(System.getProperty("user.dir"), "otlp.yml");
		try (StubUpstream collector = new StubUpstream()) {
			collector.otherwise((request, response) -> response.status(200).header("content-type", "application/x-protobuf").send());
			SpringApplication application = new SpringApplication(ExampleGateway.class);
			application.setWebApplicationType(WebApplicationType.REACTIVE);
			String[] args = { "--spring.config.location=file:" + file.toAbsolutePath(), "--server.port=0",
					"--spring.main.banner-mode=off", "--OTLP_ENDPOINT=http://127.0.0.1:" + collector.port(),
					// export soon instead of every 5 s and 30 s
					"--management.opentelemetry.tracing.export.schedule-delay=100ms",
					"--management.otlp.metrics.export.step=1s" };
			try (ConfigurableApplicationContext context = application.run(args)) {
				String url = "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port")
						+ "/v1/chat/completions";
				Result result = call(HttpClient.create().headers(h -> h.set("content-type", "application/json")
					.set("authorization", "Bearer example-key")), "POST", url,
						"{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
				assertThat(result.status).isEqualTo(200);

				Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
					String traces = exported(collector, "/v1/traces");
					assertThat(traces).contains("chat echo-small").contains("gen_ai.provider.name")
						.contains("gen_ai.request.model").contains("echo-small").contains("switchboard-gateway");
					assertThat(exported(collector, "/v1/metrics")).contains("gen_ai.client.token.usage")
						.contains("switchboard.requests");
				});
				assertThat(collector.received()).allSatisfy(request -> {
					assertThat(request.method()).isEqualTo("POST");
					assertThat(request.body()).doesNotContain("example-key");
				});
			}
		}
	}

	/** Everything the collector received on one path, protobuf bytes read as text (names show). */
	private static String exported(StubUpstream collector, String path) {
		StringBuilder all = new StringBuilder();
		collector.received().stream().filter(r -> r.path().equals(path)).forEach(r -> all.append(r.body()));
		return all.toString();
	}

	/** The path prefix before {@code /v1} of the first route that has the LlmEndpoint filter. */
	@SuppressWarnings("unchecked")
	private static String llmPrefix(Map<String, Object> root) {
		Map<String, Object> spring = (Map<String, Object>) root.get("spring");
		Map<String, Object> webflux = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) spring
			.get("cloud")).get("gateway")).get("server")).get("webflux");
		for (Map<String, Object> route : (List<Map<String, Object>>) webflux.get("routes")) {
			if (String.valueOf(route.get("filters")).contains("LlmEndpoint")) {
				String path = String.valueOf(route.get("predicates")).replaceAll(".*Path=([^,\\]]*).*", "$1");
				return path.substring(0, path.indexOf("/v1"));
			}
		}
		throw new AssertionError("no LlmEndpoint route");
	}

	@SuppressWarnings("unchecked")
	private static HttpClient client(Map<String, Object> switchboard) {
		Map<String, Object> auth = (Map<String, Object>) switchboard.get("auth");
		String teamHeader = (auth != null) ? (String) auth.get("team-header") : null;
		String firstTeam = ((Map<String, Object>) switchboard.get("teams")).keySet().iterator().next();
		return HttpClient.create().headers(headers -> {
			headers.set("content-type", "application/json");
			if (teamHeader != null) {
				headers.set(teamHeader, firstTeam);
			}
			else {
				headers.set("authorization", "Bearer example-key");
			}
		});
	}

	private record Result(int status, byte[] body) {
	}

	private static Result call(HttpClient client, String method, String url, String body) {
		return client.request(io.netty.handler.codec.http.HttpMethod.valueOf(method))
			.uri(url)
			.send((request, out) -> (body != null) ? out.sendString(Mono.just(body)) : out)
			.responseSingle((response, content) -> content.asByteArray()
				.defaultIfEmpty(new byte[0])
				.map(bytes -> new Result(response.status().code(), bytes)))
			.block(Duration.ofSeconds(15));
	}

	/** A minimal success answer in the wire format the path belongs to. */
	private static String answer(StubUpstream.Received request) {
		String path = request.path();
		if (path.contains(":batchEmbedContents")) {
			return "{\"embeddings\":[{\"values\":[0.5]}]}";
		}
		if (path.contains(":generateContent")) {
			return "{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"hello\"}]},"
					+ "\"finishReason\":\"STOP\",\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":1,"
					+ "\"candidatesTokenCount\":1,\"totalTokenCount\":2}}";
		}
		if (path.endsWith("/messages")) {
			return "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"m\",\"content\":[{\"type\":"
					+ "\"text\",\"text\":\"hello\"}],\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":1,"
					+ "\"output_tokens\":1}}";
		}
		if (path.endsWith("/responses")) {
			// OpenAI's own Responses API, for providers with responses-api.
			return "{\"id\":\"resp_example\",\"object\":\"response\",\"status\":\"completed\",\"model\":"
					+ Json.MAPPER.writeValueAsString(Json.MAPPER.readTree(request.body()).path("model").asString())
					+ ",\"output\":[{\"type\":\"message\",\"id\":\"msg_1\",\"role\":\"assistant\",\"status\":"
					+ "\"completed\",\"content\":[{\"type\":\"output_text\",\"text\":\"hello\",\"annotations\":[]}]}],"
					+ "\"usage\":{\"input_tokens\":1,\"output_tokens\":1,\"total_tokens\":2}}";
		}
		if (path.contains("/embeddings")) {
			return "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.5]}],"
					+ "\"usage\":{\"prompt_tokens\":1,\"total_tokens\":1}}";
		}
		return chatResponse(request.body());
	}

	private static String chatResponse(String requestBody) {
		ObjectNode response = Json.object();
		response.put("id", "chatcmpl-example");
		response.put("object", "chat.completion");
		response.put("created", 1);
		response.put("model", Json.MAPPER.readTree(requestBody).path("model").asString());
		ObjectNode choice = response.putArray("choices").addObject();
		choice.put("index", 0);
		choice.putObject("message").put("role", "assistant").put("content", "hello");
		choice.put("finish_reason", "stop");
		response.putObject("usage").put("prompt_tokens", 1).put("completion_tokens", 1).put("total_tokens", 2);
		return response.toString();
	}

	private static org.reactivestreams.Publisher<Void> json(reactor.netty.http.server.HttpServerResponse response,
			String body) {
		return response.status(200).header("content-type", "application/json").sendString(Mono.just(body)).then();
	}

	@SpringBootApplication
	static class ExampleGateway {

	}

}
