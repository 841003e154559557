package dev.switchboard.mock;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.handler.codec.http.HttpResponseStatus;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.core.Json;

/**
 * A simulated OpenAI-compatible provider on a loopback port: the sample's embedded default, the
 * chaos tool of the failover tests and the stub of the benchmarks.
 *
 * <p>It answers {@code /v1/chat/completions} (JSON and SSE, with realistic {@code usage} and
 * {@code stream_options.include_usage}), {@code /v1/embeddings} and {@code /v1/models}, and injects
 * latency, slow streams, error statuses with {@code Retry-After}, and hangs as its
 * {@link MockBehavior} says. Everything is timer-driven on Reactor Netty: nothing blocks, so one
 * event loop can hold thousands of slow streams.
 */
public final class MockLlmServer implements AutoCloseable {

	private static final String[] WORDS = ("The gateway routes each request to a healthy provider and keeps "
			+ "track of every token it spends so that teams can trust their budgets while answers stream back "
			+ "to clients chunk by chunk without delay")
		.split(" ");

	private final MockBehavior behavior;

	private final DisposableServer server;

	private final AtomicLong chatRequests = new AtomicLong();

	private final AtomicLong embeddingRequests = new AtomicLong();

	private MockLlmServer(MockBehavior behavior, int port) {
		this.behavior = behavior;
		this.server = HttpServer.create()
			.host("127.0.0.1")
			.port(port)
			.route(routes -> routes.post("/v1/chat/completions", this::chat)
				.post("/v1/embeddings", this::embeddings)
				.get("/v1/models", (request, response) -> json(response, models())))
			.bindNow(Duration.ofSeconds(10));
	}

	/** Starts on a free loopback port. */
	public static MockLlmServer start(MockBehavior behavior) {
		return new MockLlmServer(behavior, 0);
	}

	public static MockLlmServer start(MockBehavior behavior, int port) {
		return new MockLlmServer(behavior, port);
	}

	public int port() {
		return this.server.port();
	}

	/** The OpenAI-style base URL, {@code http://127.0.0.1:<port>/v1}. */
	public URI baseUrl() {
		return URI.create("http://127.0.0.1:" + port() + "/v1");
	}

	public MockBehavior behavior() {
		return this.behavior;
	}

	public long chatRequests() {
		return this.chatRequests.get();
	}

	public long embeddingRequests() {
		return this.embeddingRequests.get();
	}

	@Override
	public void close() {
		this.server.disposeNow(Duration.ofSeconds(5));
	}

	private Publisher<Void> chat(HttpServerRequest request, HttpServerResponse response) {
		this.chatRequests.incrementAndGet();
		return request.receive().aggregate().asByteArray().defaultIfEmpty(new byte[0]).flatMap(bytes -> {
			JsonNode body = parse(bytes);
			if (body == null || !body.path("messages").isArray()) {
				return error(response, 400, "invalid_request_error", "messages is required", null);
			}
			Mono<Void> fault = fault(response);
			if (fault != null) {
				return fault;
			}
			Completion completion = complete(body);
			if (body.path("stream").asBoolean(false)) {
				return stream(response, body, completion);
			}
			return Mono.delay(this.behavior.latency()).then(json(response, completion.toJson()));
		});
	}

	private Publisher<Void> embeddings(HttpServerRequest request, HttpServerResponse response) {
		this.embeddingRequests.incrementAndGet();
		return request.receive().aggregate().asByteArray().defaultIfEmpty(new byte[0]).flatMap(bytes -> {
			JsonNode body = parse(bytes);
			if (body == null || body.path("input").isMissingNode()) {
				return error(response, 400, "invalid_request_error", "input is required", null);
			}
			Mono<Void> fault = fault(response);
			if (fault != null) {
				return fault;
			}
			JsonNode input = body.get("input");
			List<String> texts = new ArrayList<>();
			if (input.isArray()) {
				input.forEach(item -> texts.add(item.asString("")));
			}
			else {
				texts.add(input.asString(""));
			}
			int dimensions = body.path("dimensions").asInt(this.behavior.embeddingDimensions());
			ObjectNode root = Json.object();
			root.put("object", "list");
			ArrayNode data = root.putArray("data");
			long tokens = 0;
			for (int i = 0; i < texts.size(); i++) {
				ObjectNode item = data.addObject();
				item.put("object", "embedding");
				item.put("index", i);
				ArrayNode vector = item.putArray("embedding");
				for (double value : embed(texts.get(i), dimensions)) {
					vector.add(value);
				}
				tokens += estimateTokens(texts.get(i));
			}
			root.put("model", body.path("model").asString("mock"));
			ObjectNode usage = root.putObject("usage");
			usage.put("prompt_tokens", tokens);
			usage.put("total_tokens", tokens);
			return Mono.delay(this.behavior.latency()).then(json(response, root));
		});
	}

	/** A fault drawn by the configured rates, or {@code null} to answer normally. */
	private Mono<Void> fault(HttpServerResponse response) {
		double draw = ThreadLocalRandom.current().nextDouble();
		if (draw < this.behavior.hangRate()) {
			return Mono.never();
		}
		double threshold = this.behavior.hangRate();
		for (Map.Entry<Integer, Double> rate : this.behavior.failureRates().entrySet()) {
			threshold += rate.getValue();
			if (draw < threshold) {
				int status = rate.getKey();
				String type = switch (status) {
					case 429 -> "rate_limit_error";
					case 400 -> "invalid_request_error";
					default -> "server_error";
				};
				String retryAfter = (status == 429 || status == 503)
						? Long.toString(Math.max(1, this.behavior.retryAfter().toSeconds())) : null;
				return error(response, status, type, "Simulated failure with status " + status, retryAfter);
			}
		}
		return null;
	}

	private Mono<Void> stream(HttpServerResponse response, JsonNode body, Completion completion) {
		boolean includeUsage = body.path("stream_options").path("include_usage").asBoolean(false);
		Flux<String> first = Flux.just(completion.chunk(Json.object().put("role", "assistant").put("content", ""),
				null, includeUsage));
		Flux<String> tokens = Flux.fromIterable(completion.tokens)
			.map(token -> completion.chunk(Json.object().put("content", token), null, includeUsage));
		if (this.behavior.tokensPerSecond() > 0) {
			Duration gap = Duration.ofNanos((long) (1_000_000_000L / this.behavior.tokensPerSecond()));
			tokens = tokens.delayElements(gap);
		}
		Flux<String> last = Flux.just(completion.chunk(Json.object(), completion.finishReason, includeUsage));
		Flux<String> usage = includeUsage ? Flux.just(completion.usageChunk()) : Flux.empty();
		Flux<String> events = Flux.concat(first, tokens.delaySubscription(this.behavior.timeToFirstToken()), last,
				usage, Flux.just("[DONE]"))
			.map(data -> "data: " + data + "\n\n");
		return response.status(HttpResponseStatus.OK)
			.header("content-type", "text/event-stream")
			.header("cache-control", "no-cache")
			.sendString(events, StandardCharsets.UTF_8)
			.then();
	}

	private Completion complete(JsonNode body) {
		String model = body.path("model").asString("mock");
		JsonNode messages = body.path("messages");
		long promptTokens = 3;
		String lastUser = "";
		for (JsonNode message : messages) {
			String text = text(message.path("content"));
			promptTokens += 3 + estimateTokens(text);
			if ("user".equals(message.path("role").asString(""))) {
				lastUser = text;
			}
		}
		List<String> tokens = new ArrayList<>();
		if (model.contains("echo")) {
			String[] words = lastUser.isBlank() ? new String[] { "" } : lastUser.split(" ");
			for (int i = 0; i < words.length; i++) {
				tokens.add((i < words.length - 1) ? words[i] + " " : words[i]);
			}
		}
		else {
			int start = Math.floorMod(lastUser.hashCode(), WORDS.length);
			for (int i = 0; i < this.behavior.responseTokens(); i++) {
				String word = WORDS[(start + i) % WORDS.length];
				tokens.add((i < this.behavior.responseTokens() - 1) ? word + " " : word + ".");
			}
		}
		long max = body.path("max_completion_tokens").asLong(body.path("max_tokens").asLong(Long.MAX_VALUE));
		String finishReason = "stop";
		if (tokens.size() > max) {
			tokens = new ArrayList<>(tokens.subList(0, (int) max));
			finishReason = "length";
		}
		return new Completion("chatcmpl-mock" + Long.toHexString(ThreadLocalRandom.current().nextLong()), model,
				System.currentTimeMillis() / 1000, tokens, finishReason, promptTokens);
	}

	private static String text(JsonNode content) {
		if (content.isString()) {
			return content.stringValue();
		}
		StringBuilder text = new StringBuilder();
		if (content.isArray()) {
			for (JsonNode part : content) {
				if ("text".equals(part.path("type").asString(""))) {
					text.append(part.path("text").asString(""));
				}
			}
		}
		return text.toString();
	}

	/** Roughly four characters a token, as OpenAI's own rule of thumb for English. */
	static long estimateTokens(String text) {
		return (text.length() + 3) / 4;
	}

	static double[] embed(String text, int dimensions) {
		Random random = new Random(text.hashCode());
		double[] vector = new double[dimensions];
		double norm = 0;
		for (int i = 0; i < dimensions; i++) {
			vector[i] = random.nextGaussian();
			norm += vector[i] * vector[i];
		}
		norm = Math.sqrt(norm);
		for (int i = 0; i < dimensions; i++) {
			vector[i] /= norm;
		}
		return vector;
	}

	private static ObjectNode models() {
		ObjectNode root = Json.object();
		root.put("object", "list");
		ObjectNode model = root.putArray("data").addObject();
		model.put("id", "echo-small");
		model.put("object", "model");
		model.put("owned_by", "mock");
		return root;
	}

	private static JsonNode parse(byte[] bytes) {
		try {
			return (bytes.length == 0) ? null : Json.MAPPER.readTree(bytes);
		}
		catch (JacksonException ex) {
			return null;
		}
	}

	private static Mono<Void> json(HttpServerResponse response, JsonNode body) {
		return response.status(HttpResponseStatus.OK)
			.header("content-type", "application/json")
			.sendByteArray(Mono.just(Json.MAPPER.writeValueAsBytes(body)))
			.then();
	}

	private static Mono<Void> error(HttpServerResponse response, int status, String type, String message,
			String retryAfter) {
		ObjectNode root = Json.object();
		ObjectNode error = root.putObject("error");
		error.put("message", message);
		error.put("type", type);
		error.putNull("param");
		error.putNull("code");
		response.status(status).header("content-type", "application/json");
		if (retryAfter != null) {
			response.header("retry-after", retryAfter);
		}
		return response.sendByteArray(Mono.just(Json.MAPPER.writeValueAsBytes(root))).then();
	}

	/** One generated answer, rendered whole or as chunks. */
	private record Completion(String id, String model, long created, List<String> tokens, String finishReason,
			long promptTokens) {

		ObjectNode toJson() {
			ObjectNode root = envelope("chat.completion");
			ObjectNode choice = root.putArray("choices").addObject();
			choice.put("index", 0);
			ObjectNode message = choice.putObject("message");
			message.put("role", "assistant");
			message.put("content", String.join("", this.tokens));
			message.putNull("refusal");
			choice.putNull("logprobs");
			choice.put("finish_reason", this.finishReason);
			root.set("usage", usage());
			return root;
		}

		String chunk(ObjectNode delta, String finishReason, boolean includeUsage) {
			ObjectNode root = envelope("chat.completion.chunk");
			ObjectNode choice = root.putArray("choices").addObject();
			choice.put("index", 0);
			choice.set("delta", delta);
			choice.putNull("logprobs");
			choice.put("finish_reason", finishReason);
			if (includeUsage) {
				root.putNull("usage");
			}
			return Json.MAPPER.writeValueAsString(root);
		}

		String usageChunk() {
			ObjectNode root = envelope("chat.completion.chunk");
			root.putArray("choices");
			root.set("usage", usage());
			return Json.MAPPER.writeValueAsString(root);
		}

		private ObjectNode envelope(String object) {
			ObjectNode root = Json.object();
			root.put("id", this.id);
			root.put("object", object);
			root.put("created", this.created);
			root.put("model", this.model);
			root.put("system_fingerprint", "fp_mock");
			return root;
		}

		private ObjectNode usage() {
			ObjectNode usage = Json.object();
			usage.put("prompt_tokens", this.promptTokens);
			usage.put("completion_tokens", this.tokens.size());
			usage.put("total_tokens", this.promptTokens + this.tokens.size());
			usage.putObject("prompt_tokens_details").put("cached_tokens", 0);
			return usage;
		}

	}

	/** Runs a standalone mock on the given port (0 = free port) and prints its base URL. */
	public static void main(String[] args) throws InterruptedException {
		int port = (args.length > 0) ? Integer.parseInt(args[0]) : 0;
		MockBehavior behavior = MockBehavior.instant();
		if (args.length > 2) {
			behavior = behavior.withStreaming(Double.parseDouble(args[1]), Integer.parseInt(args[2]));
		}
		MockLlmServer server = start(behavior, port);
		System.out.println("mock provider listening on " + server.baseUrl());
		Runtime.getRuntime().addShutdownHook(new Thread(server::close));
		Thread.currentThread().join();
	}

}
