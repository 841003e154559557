package dev.switchboard.mock;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.handler.codec.http.HttpResponseStatus;
import org.jspecify.annotations.Nullable;
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
				anthropicEvent("message_start", MockJson.object().put("type", "message_start")
					.set("message", completion.anthropicMessage(true))),
				anthropicEvent("content_block_start", MockJson.object().put("type", "content_block_start").put("index", 0)
					.set("content_block", completion.anthropicBlock())),
				anthropicEvent("ping", MockJson.object().put("type", "ping")));
		Flux<String> tokens = Flux.fromIterable(completion.tokens)
			.map(token -> anthropicEvent("content_block_delta", MockJson.object().put("type", "content_block_delta")
				.put("index", 0)
				.set("delta", completion.anthropicDelta(token))));
		if (this.behavior.tokensPerSecond() > 0) {
			Duration gap = Duration.ofNanos((long) (1_000_000_000L / this.behavior.tokensPerSecond()));
			tokens = tokens.delayElements(gap);
		}
		ObjectNode messageDelta = MockJson.object().put("type", "message_delta");
		messageDelta.putObject("delta").put("stop_reason", completion.anthropicStopReason()).putNull("stop_sequence");
		messageDelta.putObject("usage").put("output_tokens", completion.tokens.size() + completion.reasoningTokens);
		Flux<String> tail = Flux.just(
				anthropicEvent("content_block_stop", MockJson.object().put("type", "content_block_stop").put("index", 0)),
				anthropicEvent("message_delta", messageDelta),
				anthropicEvent("message_stop", MockJson.object().put("type", "message_stop")));
		Flux<String> events = Flux.concat(head, tokens.delaySubscription(this.behavior.timeToFirstToken()), tail);
		return response.status(HttpResponseStatus.OK)
			.header("content-type", "text/event-stream")
			.header("cache-control", "no-cache")
			.sendString(events, StandardCharsets.UTF_8)
			.then();
	}

	private static String anthropicEvent(String name, ObjectNode data) {
		return "event: " + name + "\ndata: " + MockJson.MAPPER.writeValueAsString(data) + "\n\n";
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
			// The official SDKs ask for base64 by default: little-endian float32, as OpenAI sends it.
			boolean base64 = "base64".equals(body.path("encoding_format").asString("float"));
			ObjectNode root = MockJson.object();
			root.put("object", "list");
			ArrayNode data = root.putArray("data");
			long tokens = 0;
			for (int i = 0; i < texts.size(); i++) {
				ObjectNode item = data.addObject();
				item.put("object", "embedding");
				item.put("index", i);
				double[] vector = embed(texts.get(i), dimensions);
				if (base64) {
					item.put("embedding", base64(vector));
				}
				else {
					ArrayNode values = item.putArray("embedding");
					for (double value : vector) {
						values.add(value);
					}
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
		Flux<String> first = Flux.range(0, completion.choices).map(index -> completion.chunk(index,
				completion.firstDelta(), null, includeUsage));
		Flux<String> tokens = Flux.fromIterable(completion.tokens)
			.concatMap(token -> Flux.range(0, completion.choices)
				.map(index -> completion.chunk(index, completion.delta(token), null, includeUsage)));
		if (this.behavior.tokensPerSecond() > 0) {
			Duration gap = Duration.ofNanos((long) (1_000_000_000L / this.behavior.tokensPerSecond()));
			tokens = tokens.delayElements(gap);
		}
		Flux<String> last = Flux.range(0, completion.choices)
			.map(index -> completion.chunk(index, MockJson.object(), completion.finishReason, includeUsage));
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

	/**
	 * The simulated answer, decided as a model would from the request:
	 * <ol>
	 * <li>after a {@code tool} (or Anthropic {@code tool_result}) turn, a sentence that uses the
	 * tool's result;</li>
	 * <li>with function tools offered and a {@code tool_choice} that allows one, a call of the named
	 * function ({@code tool_choice} naming it), of the first ({@code required}, Anthropic
	 * {@code any}), or, for {@code auto}, of the first whose name shares a word with the prompt
	 * ({@code get_weather} for "What is the weather in Paris?"), with arguments valid against its
	 * {@code parameters} ({@link SchemaExample});</li>
	 * <li>with {@code response_format} {@code json_schema}, JSON valid against the schema;
	 * {@code json_object}, a JSON object;</li>
	 * <li>otherwise text: the prompt echoed (models named {@code echo...}) or generated words.</li>
	 * </ol>
	 * {@code n} choices carry the same answer. Models named like reasoning models ({@code o1},
	 * {@code o3}, {@code o4-mini}, or containing {@code reason} or {@code think}) add reasoning tokens
	 * to {@code usage}, more for a higher {@code reasoning_effort}, counted in
	 * {@code completion_tokens} as OpenAI counts them.
	 */
	private Completion complete(JsonNode body) {
		String model = body.path("model").asString("mock");
		JsonNode messages = body.path("messages");
		long promptTokens = 3;
		if (!body.path("system").isMissingNode()) {
			// Anthropic's system prompt: a top-level string or text blocks
			promptTokens += 3 + estimateTokens(text(body.path("system")));
		}
		String lastUser = "";
		String toolResult = null;
		for (JsonNode message : messages) {
			String text = text(message.path("content"));
			promptTokens += 3 + estimateTokens(text);
			String role = message.path("role").asString("");
			toolResult = null;
			if ("tool".equals(role)) {
				toolResult = text;
			}
			else if ("user".equals(role)) {
				String result = anthropicToolResult(message.path("content"));
				if (result != null) {
					toolResult = result;
				}
				else {
					lastUser = text;
				}
			}
		}
		for (JsonNode tool : body.path("tools")) {
			promptTokens += estimateTokens(tool.toString());
		}
		ToolCall call = (toolResult == null) ? toolCall(body, lastUser) : null;
		List<String> tokens;
		String finishReason = "stop";
		if (call != null) {
			tokens = fragments(call.arguments());
			finishReason = "tool_calls";
		}
		else if (toolResult != null) {
			String answer = "According to the tool, " + abbreviate(toolResult.isBlank() ? "nothing came back" : toolResult)
					+ ".";
			tokens = words(answer);
		}
		else if (jsonFormat(body) != null) {
			tokens = fragments(MockJson.MAPPER.writeValueAsString(jsonFormat(body).apply(lastUser)));
		}
		else if (model.contains("echo")) {
			tokens = words(lastUser);
		}
		else {
			tokens = new ArrayList<>();
			int start = Math.floorMod(lastUser.hashCode(), WORDS.length);
			for (int i = 0; i < this.behavior.responseTokens(); i++) {
				String word = WORDS[(start + i) % WORDS.length];
				tokens.add((i < this.behavior.responseTokens() - 1) ? word + " " : word + ".");
			}
		}
		long max = body.path("max_completion_tokens").asLong(body.path("max_tokens").asLong(Long.MAX_VALUE));
		if (tokens.size() > max && call == null) {
			// A call's arguments are never cut: a client could not parse them, and the limit is for text.
			tokens = new ArrayList<>(tokens.subList(0, (int) Math.max(0, max)));
			finishReason = "length";
		}
		int choices = (int) Math.min(128, Math.max(1, body.path("n").asLong(1)));
		long reasoning = reasoningTokens(model, body.path("reasoning_effort").asString("medium"), tokens.size());
		return new Completion("chatcmpl-mock" + Long.toHexString(ThreadLocalRandom.current().nextLong()), model,
				System.currentTimeMillis() / 1000, tokens, finishReason, promptTokens, call, choices, reasoning);
	}

	/** A function call, its arguments as JSON text. */
	record ToolCall(String id, String name, String arguments) {
	}

	private static @Nullable ToolCall toolCall(JsonNode body, String prompt) {
		List<JsonNode> functions = new ArrayList<>();
		for (JsonNode tool : body.path("tools")) {
			JsonNode function = tool.has("function") ? tool.path("function") : tool;
			if (function.path("name").isString()) {
				functions.add(function);
			}
		}
		if (functions.isEmpty()) {
			return null;
		}
		JsonNode choice = body.path("tool_choice");
		String mode = choice.isString() ? choice.stringValue() : choice.path("type").asString("auto");
		JsonNode chosen = switch (mode) {
			case "none" -> null;
			case "required", "any" -> functions.get(0);
			case "function", "tool" -> {
				String name = choice.has("function") ? choice.path("function").path("name").asString("")
						: choice.path("name").asString("");
				yield functions.stream().filter(f -> name.equals(f.path("name").asString())).findFirst().orElse(null);
			}
			default -> functions.stream().filter(f -> mentions(prompt, f.path("name").asString())).findFirst()
				.orElse(null);
		};
		if (chosen == null) {
			return null;
		}
		JsonNode schema = chosen.has("parameters") ? chosen.path("parameters") : chosen.path("input_schema");
		JsonNode arguments = schema.isObject() ? SchemaExample.of(schema, prompt) : MockJson.object();
		return new ToolCall("call_mock" + Long.toHexString(ThreadLocalRandom.current().nextLong()),
				chosen.path("name").asString(), MockJson.MAPPER.writeValueAsString(arguments));
	}

	/** Whether a word of the function's name (split at {@code _}, {@code -} and case changes) is in the prompt. */
	static boolean mentions(String prompt, String functionName) {
		String text = prompt.toLowerCase(java.util.Locale.ROOT);
		for (String word : functionName.split("[_\\-]|(?<=[a-z])(?=[A-Z])")) {
			String lower = word.toLowerCase(java.util.Locale.ROOT);
			if (lower.length() > 3 && !Set.of("get", "set", "list", "find", "fetch", "call", "tool").contains(lower)
					&& text.contains(lower)) {
				return true;
			}
		}
		return false;
	}

	/** {@code response_format} as a maker of the answer, or {@code null} for text. */
	private static java.util.function.@Nullable Function<String, JsonNode> jsonFormat(JsonNode body) {
		JsonNode format = body.path("response_format");
		return switch (format.path("type").asString("text")) {
			case "json_schema" -> {
				JsonNode schema = format.path("json_schema").path("schema");
				yield prompt -> schema.isObject() ? SchemaExample.of(schema, prompt)
						: MockJson.object().put("answer", SchemaExample.subject(prompt));
			}
			case "json_object" -> prompt -> MockJson.object().put("answer", SchemaExample.subject(prompt));
			default -> null;
		};
	}

	/** The text of an Anthropic user turn made of {@code tool_result} blocks, else {@code null}. */
	private static @Nullable String anthropicToolResult(JsonNode content) {
		if (!content.isArray()) {
			return null;
		}
		for (JsonNode block : content) {
			if ("tool_result".equals(block.path("type").asString(""))) {
				return text(block.path("content"));
			}
		}
		return null;
	}

	static long reasoningTokens(String model, String effort, int visible) {
		String name = model.toLowerCase(java.util.Locale.ROOT);
		boolean reasoning = name.matches("^o\\d.*") || name.contains("reason") || name.contains("think");
		if (!reasoning) {
			return 0;
		}
		int factor = switch (effort) {
			case "minimal", "none" -> 0;
			case "low" -> 1;
			case "high" -> 4;
			default -> 2;
		};
		return (long) factor * Math.max(visible, 8);
	}

	private static List<String> words(String text) {
		String[] words = text.isBlank() ? new String[] { "" } : text.split(" ");
		List<String> tokens = new ArrayList<>();
		for (int i = 0; i < words.length; i++) {
			tokens.add((i < words.length - 1) ? words[i] + " " : words[i]);
		}
		return tokens;
	}

	/** JSON text in pieces of up to 8 characters, as models stream structured output and arguments. */
	private static List<String> fragments(String json) {
		List<String> pieces = new ArrayList<>();
		for (int i = 0; i < json.length(); i += 8) {
			pieces.add(json.substring(i, Math.min(json.length(), i + 8)));
		}
		return pieces;
	}

	private static String abbreviate(String text) {
		String flat = text.replaceAll("\\s+", " ").trim();
		return (flat.length() > 200) ? flat.substring(0, 200) + "..." : flat;
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

	static String base64(double[] vector) {
		java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(vector.length * Float.BYTES)
			.order(java.nio.ByteOrder.LITTLE_ENDIAN);
		for (double value : vector) {
			bytes.putFloat((float) value);
		}
		return java.util.Base64.getEncoder().encodeToString(bytes.array());
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
		ObjectNode root = MockJson.object();
		root.put("object", "list");
		ObjectNode model = root.putArray("data").addObject();
		model.put("id", "echo-small");
		model.put("object", "model");
		model.put("owned_by", "mock");
		return root;
	}

	private static JsonNode parse(byte[] bytes) {
		try {
			return (bytes.length == 0) ? null : MockJson.MAPPER.readTree(bytes);
		}
		catch (JacksonException ex) {
			return null;
		}
	}

	private static Mono<Void> json(HttpServerResponse response, JsonNode body) {
		return response.status(HttpResponseStatus.OK)
			.header("content-type", "application/json")
			.sendByteArray(Mono.just(MockJson.MAPPER.writeValueAsBytes(body)))
			.then();
	}

	private static Mono<Void> error(HttpServerResponse response, int status, String type, String message,
			String retryAfter) {
		ObjectNode root = MockJson.object();
		ObjectNode error = root.putObject("error");
		error.put("message", message);
		error.put("type", type);
		error.putNull("param");
		error.putNull("code");
		response.status(status).header("content-type", "application/json");
		if (retryAfter != null) {
			response.header("retry-after", retryAfter);
		}
		return response.sendByteArray(Mono.just(MockJson.MAPPER.writeValueAsBytes(root))).then();
	}

	private static Mono<Void> anthropicError(HttpServerResponse response, int status, String type, String message,
			String retryAfter) {
		ObjectNode root = MockJson.object().put("type", "error");
		root.putObject("error").put("type", type).put("message", message);
		response.status(status).header("content-type", "application/json");
		if (retryAfter != null) {
			response.header("retry-after", retryAfter);
		}
		return response.sendByteArray(Mono.just(MockJson.MAPPER.writeValueAsBytes(root))).then();
	}

	/**
	 * One generated answer, rendered whole or as chunks, in OpenAI's or Anthropic's format.
	 * @param tokens the text's tokens, or the pieces of the tool call's arguments
	 * @param toolCall the function called instead of answering text, or {@code null}
	 * @param choices {@code n}: how many choices carry the answer
	 * @param reasoningTokens hidden reasoning, counted in {@code completion_tokens}
	 */
	private record Completion(String id, String model, long created, List<String> tokens, String finishReason,
			long promptTokens, @Nullable ToolCall toolCall, int choices, long reasoningTokens) {

		ObjectNode toJson() {
			ObjectNode root = envelope("chat.completion");
			ArrayNode list = root.putArray("choices");
			for (int index = 0; index < this.choices; index++) {
				ObjectNode choice = list.addObject();
				choice.put("index", index);
				ObjectNode message = choice.putObject("message");
				message.put("role", "assistant");
				if (this.toolCall != null) {
					message.putNull("content");
					ObjectNode call = message.putArray("tool_calls").addObject();
					call.put("id", this.toolCall.id()).put("type", "function");
					call.putObject("function").put("name", this.toolCall.name())
						.put("arguments", String.join("", this.tokens));
				}
				else {
					message.put("content", String.join("", this.tokens));
				}
				message.putNull("refusal");
				choice.putNull("logprobs");
				choice.put("finish_reason", this.finishReason);
			}
			root.set("usage", usage());
			return root;
		}

		/** The first delta of a choice: the role, and the call's id and name when calling a function. */
		ObjectNode firstDelta() {
			ObjectNode delta = MockJson.object().put("role", "assistant");
			if (this.toolCall == null) {
				return delta.put("content", "");
			}
			delta.putNull("content");
			ObjectNode call = delta.putArray("tool_calls").addObject();
			call.put("index", 0).put("id", this.toolCall.id()).put("type", "function");
			call.putObject("function").put("name", this.toolCall.name()).put("arguments", "");
			return delta;
		}

		/** A delta carrying one token: text, or a piece of the call's arguments. */
		ObjectNode delta(String token) {
			if (this.toolCall == null) {
				return MockJson.object().put("content", token);
			}
			ObjectNode delta = MockJson.object();
			delta.putArray("tool_calls").addObject().put("index", 0).putObject("function").put("arguments", token);
			return delta;
		}

		String chunk(int index, ObjectNode delta, String finishReason, boolean includeUsage) {
			ObjectNode root = envelope("chat.completion.chunk");
			ObjectNode choice = root.putArray("choices").addObject();
			choice.put("index", index);
			choice.set("delta", delta);
			choice.putNull("logprobs");
			choice.put("finish_reason", finishReason);
			if (includeUsage) {
				root.putNull("usage");
			}
			return MockJson.MAPPER.writeValueAsString(root);
		}

		String usageChunk() {
			ObjectNode root = envelope("chat.completion.chunk");
			root.putArray("choices");
			root.set("usage", usage());
			return MockJson.MAPPER.writeValueAsString(root);
		}

		/** Output tokens of all choices, reasoning included. */
		long completionTokens() {
			return (long) this.tokens.size() * this.choices + this.reasoningTokens;
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
			ObjectNode message = MockJson.object()
				.put("id", "msg_mock" + this.id.substring("chatcmpl-mock".length()))
				.put("type", "message")
				.put("role", "assistant")
				.put("model", this.model);
			ArrayNode content = message.putArray("content");
			if (!start && this.toolCall != null) {
				content.addObject().put("type", "tool_use").put("id", anthropicToolId()).put("name", this.toolCall.name())
					.set("input", MockJson.MAPPER.readTree(String.join("", this.tokens)));
			}
			else if (!start) {
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
			usage.put("output_tokens", start ? 1 : this.tokens.size() + this.reasoningTokens);
			return message;
		}

		String anthropicToolId() {
			return "toolu_" + this.toolCall.id().substring("call_".length());
		}

		/** The {@code content_block_start} block: text, or the {@code tool_use} with empty input. */
		ObjectNode anthropicBlock() {
			if (this.toolCall == null) {
				return MockJson.object().put("type", "text").put("text", "");
			}
			ObjectNode block = MockJson.object().put("type", "tool_use").put("id", anthropicToolId())
				.put("name", this.toolCall.name());
			block.putObject("input");
			return block;
		}

		ObjectNode anthropicDelta(String token) {
			return (this.toolCall == null) ? MockJson.object().put("type", "text_delta").put("text", token)
					: MockJson.object().put("type", "input_json_delta").put("partial_json", token);
		}

		String anthropicStopReason() {
			return switch (this.finishReason) {
				case "length" -> "max_tokens";
				case "tool_calls" -> "tool_use";
				default -> "end_turn";
			};
		}


		private ObjectNode envelope(String object) {
			ObjectNode root = MockJson.object();
			root.put("id", this.id);
			root.put("object", object);
			root.put("created", this.created);
			root.put("model", this.model);
			root.put("system_fingerprint", "fp_mock");
			return root;
		}

		private ObjectNode usage() {
			ObjectNode usage = MockJson.object();
			usage.put("prompt_tokens", this.promptTokens);
			usage.put("completion_tokens", completionTokens());
			usage.put("total_tokens", this.promptTokens + completionTokens());
			usage.putObject("prompt_tokens_details").put("cached_tokens", 0);
			usage.putObject("completion_tokens_details").put("reasoning_tokens", this.reasoningTokens);
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
