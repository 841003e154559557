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
 * {@code stream_options.include_usage}), {@code /v1/embeddings} and {@code /v1/models}, and, in
 * Anthropic's Messages format, {@code /v1/messages} (JSON, and SSE with {@code message_start},
 * {@code content_block_start}, {@code content_block_delta}, {@code content_block_stop},
 * {@code message_delta}, {@code message_stop}; errors as Anthropic's {@code error} objects), so a
 * provider of type {@code anthropic} can point at it too. Both formats give the same answer for the
 * same request. It injects
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

	private final AtomicLong messagesRequests = new AtomicLong();

	private MockLlmServer(MockBehavior behavior, int port) {
		this.behavior = behavior;
		this.server = HttpServer.create()
			.host("127.0.0.1")
			.port(port)
			.route(routes -> routes.post("/v1/chat/completions", this::chat)
				.post("/v1/messages", this::messages)
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

	/** Calls to the Anthropic-format {@code /v1/messages}. */
	public long messagesRequests() {
		return this.messagesRequests.get();
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
			Mono<Void> fault = fault(response, false);
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

	/** Anthropic's Messages API: the same answers as {@link #chat}, in Anthropic's shapes. */
	private Publisher<Void> messages(HttpServerRequest request, HttpServerResponse response) {
		this.messagesRequests.incrementAndGet();
		return request.receive().aggregate().asByteArray().defaultIfEmpty(new byte[0]).flatMap(bytes -> {
			JsonNode body = parse(bytes);
			if (body == null || !body.path("messages").isArray()) {
				return anthropicError(response, 400, "invalid_request_error", "messages: Field required", null);
			}
			if (!body.path("max_tokens").canConvertToLong()) {
				return anthropicError(response, 400, "invalid_request_error", "max_tokens: Field required", null);
			}
			Mono<Void> fault = fault(response, true);
			if (fault != null) {
				return fault;
			}
			Completion completion = complete(body);
			if (body.path("stream").asBoolean(false)) {
				return anthropicStream(response, completion);
			}
			return Mono.delay(this.behavior.latency()).then(json(response, completion.toAnthropicJson()));
		});
	}

	private Mono<Void> anthropicStream(HttpServerResponse response, Completion completion) {
		Flux<String> head = Flux.just(
				anthropicEvent("message_start", Json.object().put("type", "message_start")
					.set("message", completion.anthropicMessage(true))),
				anthropicEvent("content_block_start", Json.object().put("type", "content_block_start").put("index", 0)
					.set("content_block", Json.object().put("type", "text").put("text", ""))),
				anthropicEvent("ping", Json.object().put("type", "ping")));
		Flux<String> tokens = Flux.fromIterable(completion.tokens)
			.map(token -> anthropicEvent("content_block_delta", Json.object().put("type", "content_block_delta")
				.put("index", 0)
				.set("delta", Json.object().put("type", "text_delta").put("text", token))));
		if (this.behavior.tokensPerSecond() > 0) {
			Duration gap = Duration.ofNanos((long) (1_000_000_000L / this.behavior.tokensPerSecond()));
			tokens = tokens.delayElements(gap);
		}
		ObjectNode messageDelta = Json.object().put("type", "message_delta");
		messageDelta.putObject("delta").put("stop_reason", completion.anthropicStopReason()).putNull("stop_sequence");
		messageDelta.putObject("usage").put("output_tokens", completion.tokens.size());
		Flux<String> tail = Flux.just(
				anthropicEvent("content_block_stop", Json.object().put("type", "content_block_stop").put("index", 0)),
				anthropicEvent("message_delta", messageDelta),
				anthropicEvent("message_stop", Json.object().put("type", "message_stop")));
		Flux<String> events = Flux.concat(head, tokens.delaySubscription(this.behavior.timeToFirstToken()), tail);
		return response.status(HttpResponseStatus.OK)
			.header("content-type", "text/event-stream")
			.header("cache-control", "no-cache")
			.sendString(events, StandardCharsets.UTF_8)
			.then();
	}

	private static String anthropicEvent(String name, ObjectNode data) {
		return "event: " + name + "\ndata: " + Json.MAPPER.writeValueAsString(data) + "\n\n";
	}

	private Publisher<Void> embeddings(HttpServerRequest request, HttpServerResponse response) {
		this.embeddingRequests.incrementAndGet();
		return request.receive().aggregate().asByteArray().defaultIfEmpty(new byte[0]).flatMap(bytes -> {
			JsonNode body = parse(bytes);
			if (body == null || body.path("input").isMissingNode()) {
				return error(response, 400, "invalid_request_error", "input is required", null);
			}
			Mono<Void> fault = fault(response, false);
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

	/**
	 * A fault drawn by the configured rates, or {@code null} to answer normally.
	 * @param anthropic whether to answer in Anthropic's error format rather than OpenAI's
	 */
	private Mono<Void> fault(HttpServerResponse response, boolean anthropic) {
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
				if (anthropic) {
					String anthropicType = switch (status) {
						case 429 -> "rate_limit_error";
						case 400 -> "invalid_request_error";
						case 529 -> "overloaded_error";
						default -> "api_error";
					};
					return anthropicError(response, status, anthropicType, "Simulated failure with status " + status,
							retryAfter);
				}
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
		if (!body.path("system").isMissingNode()) {
			// Anthropic's system prompt: a top-level string or text blocks
			promptTokens += 3 + estimateTokens(text(body.path("system")));
		}
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

	private static Mono<Void> anthropicError(HttpServerResponse response, int status, String type, String message,
			String retryAfter) {
		ObjectNode root = Json.object().put("type", "error");
		root.putObject("error").put("type", type).put("message", message);
		response.status(status).header("content-type", "application/json");
		if (retryAfter != null) {
			response.header("retry-after", retryAfter);
		}
		return response.sendByteArray(Mono.just(Json.MAPPER.writeValueAsBytes(root))).then();
	}

	/** One generated answer, rendered whole or as chunks, in OpenAI's or Anthropic's format. */
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

		/** Anthropic's whole {@code message}. */
		ObjectNode toAnthropicJson() {
			return anthropicMessage(false);
		}

		/**
		 * The message object; in {@code message_start} ({@code start}) with no content yet, no stop
		 * reason, and the output count so far, as Anthropic sends it.
		 */
		ObjectNode anthropicMessage(boolean start) {
			ObjectNode message = Json.object()
				.put("id", "msg_mock" + this.id.substring("chatcmpl-mock".length()))
				.put("type", "message")
				.put("role", "assistant")
				.put("model", this.model);
			ArrayNode content = message.putArray("content");
			if (!start) {
				content.addObject().put("type", "text").put("text", String.join("", this.tokens));
			}
			if (start) {
				message.putNull("stop_reason");
			}
			else {
				message.put("stop_reason", anthropicStopReason());
			}
			message.putNull("stop_sequence");
			ObjectNode usage = message.putObject("usage");
			usage.put("input_tokens", this.promptTokens);
			usage.put("cache_creation_input_tokens", 0);
			usage.put("cache_read_input_tokens", 0);
			usage.put("output_tokens", start ? 1 : this.tokens.size());
			return message;
		}

		String anthropicStopReason() {
			return "length".equals(this.finishReason) ? "max_tokens" : "end_turn";
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
