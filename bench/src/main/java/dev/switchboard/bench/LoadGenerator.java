package dev.switchboard.bench;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.core.Json;

/**
 * A closed-loop load generator for one target: N workers share a pool of exactly N connections,
 * and each sends its next request as soon as the previous response has been read to the end.
 * After a warm-up, responses that complete inside the measured window are recorded; the result
 * is printed as one JSON line ({@link Result}).
 *
 * <p>Usage: {@code LoadGenerator --target NAME --scenario NAME --url http://127.0.0.1:PORT/...
 * --connections N [--stream] [--model ID] [--max-tokens N] [--warmup SECONDS] [--measure SECONDS]
 * [--watch-pid PID] [--prompt TEXT] [--door openai|anthropic|responses|compare]}. With {@code --door anthropic}
 * the requests are Anthropic Messages requests (key as {@code x-api-key}, {@code max_tokens}
 * required, 64 unless given) and a stream is complete at its {@code message_stop} event; with
 * {@code --door responses} they are Responses API requests ({@code input}, {@code max_output_tokens})
 * and a stream is complete once its {@code response.completed} (or {@code response.incomplete})
 * event has begun; with {@code --door compare} they are comparisons ({@code POST /v1/compare}) of
 * the comma-separated {@code --model} list, the gateway's cache off for their legs.
 */
public final class LoadGenerator {

	/** A stream of the OpenAI door is complete only if the body ends with its terminator. */
	private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

	/** A stream of the Anthropic door is complete only if the body ends with its last event. */
	private static final byte[] MESSAGE_STOP = "data: {\"type\":\"message_stop\"}\n\n".getBytes(StandardCharsets.US_ASCII);

	/**
	 * A Responses stream ends with the whole response, of any length: complete once its last event
	 * has begun, {@code response.completed} or, for an answer cut at {@code max_output_tokens} (as
	 * the stub's are), {@code response.incomplete}.
	 */
	private static final byte[] RESPONSE_COMPLETED = "event: response.completed\n".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] RESPONSE_INCOMPLETE = "event: response.incomplete\n".getBytes(StandardCharsets.US_ASCII);

	private static final String ANTHROPIC = "anthropic";

	private static final String RESPONSES = "responses";

	private static final String COMPARE = "compare";

	/** A comparison counts only if every leg answered. */
	private static final byte[] ALL_SUCCEEDED = "\"all_succeeded\":true".getBytes(StandardCharsets.US_ASCII);

	/** Long enough for a 20,000-token stream to make progress, short enough to turn a hang into an error. */
	private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

	private final Options options;

	private final byte[] body;

	private final byte[] terminator;

	/** When set, a stream is complete once it contained these bytes, instead of ending with the terminator. */
	private final byte @Nullable [] marker;

	private final ConnectionProvider pool;

	private final HttpClient client;

	// Microsecond values; histograms that resize themselves need no guessed upper bound.
	private final Histogram latency = new ConcurrentHistogram(3);

	private final Histogram firstChunk = new ConcurrentHistogram(3);

	private final LongAdder requests = new LongAdder();

	private final LongAdder errors = new LongAdder();

	private final LongAdder bytes = new LongAdder();

	private final AtomicReference<String> firstError = new AtomicReference<>();

	private long measureStart;

	private long measureEnd;

	private LoadGenerator(Options options) {
		this.options = options;
		this.body = requestBody(options);
		boolean anthropic = ANTHROPIC.equals(options.door());
		this.terminator = anthropic ? MESSAGE_STOP : DONE;
		this.marker = RESPONSES.equals(options.door()) ? RESPONSE_COMPLETED
				: COMPARE.equals(options.door()) ? ALL_SUCCEEDED : null;
		this.pool = ConnectionProvider.builder("bench").maxConnections(options.connections()).build();
		this.client = HttpClient.create(this.pool)
			.responseTimeout(READ_TIMEOUT)
			.headers(headers -> {
				headers.set(HttpHeaderNames.CONTENT_TYPE, "application/json")
					.set(HttpHeaderNames.CONTENT_LENGTH, this.body.length);
				if (anthropic) {
					headers.set("x-api-key", options.apiKey()).set("anthropic-version", "2023-06-01");
				}
				else {
					headers.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + options.apiKey());
				}
			});
	}

	public static void main(String[] args) {
		Options options = Options.parse(args);
		Result result = new LoadGenerator(options).run();
		System.out.println(Json.MAPPER.writeValueAsString(result));
	}

	private Result run() {
		this.measureStart = System.nanoTime() + this.options.warmup().toNanos();
		this.measureEnd = this.measureStart + this.options.measure().toNanos();
		ProcessSampler gateway = (this.options.watchPid() != null)
				? ProcessSampler.start(this.options.watchPid(), this.measureStart, this.measureEnd) : null;
		int workers = this.options.connections();
		Flux.range(0, workers)
			.flatMap(worker -> Mono.defer(this::call).repeat(() -> System.nanoTime() < this.measureEnd), workers)
			.blockLast();
		this.pool.disposeLater().block();
		if (this.errors.sum() > 0) {
			System.err.printf("%s/%s: %d errors, first: %s%n", this.options.target(), this.options.scenario(),
					this.errors.sum(), this.firstError.get());
		}
		double seconds = this.options.measure().toNanos() / 1e9;
		Duration cpu = (gateway != null) ? gateway.awaitCpu() : Duration.ZERO;
		Double cpuMsPerRequest = (!cpu.isZero() && this.requests.sum() > 0) ? cpu.toNanos() / 1e6 / this.requests.sum()
				: null;
		return new Result(this.options.target(), this.options.scenario(), this.options.stream(),
				this.options.maxTokens(), workers, seconds, this.requests.sum(), this.errors.sum(),
				this.latency.getTotalCount() / seconds, this.bytes.sum() / seconds / 1e6, millis(this.latency, 50),
				millis(this.latency, 99), millis(this.latency, 99.9),
				this.options.stream() ? millis(this.firstChunk, 50) : null,
				this.options.stream() ? millis(this.firstChunk, 99) : null,
				(gateway != null) ? gateway.awaitPeakMb() : null, cpuMsPerRequest);
	}

	/** One request, read to the end; never fails, so that a worker keeps going after an error. */
	private Mono<Void> call() {
		Response response = new Response(System.nanoTime());
		return this.client.post()
			.uri(this.options.url())
			.send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(this.body)))
			.response((head, content) -> content.doOnNext(response::onChunk)
				.then(Mono.fromRunnable(() -> complete(response, head.status().code()))))
			.then()
			.onErrorResume(error -> {
				fail(System.nanoTime(), error.toString());
				return Mono.empty();
			});
	}

	private void complete(Response response, int status) {
		long end = System.nanoTime();
		if (status / 100 != 2) {
			fail(end, "HTTP " + status);
		}
		else if ((this.options.stream() || COMPARE.equals(this.options.door())) && !response.complete()) {
			byte[] expected = (this.marker != null) ? this.marker : this.terminator;
			fail(end, "response ended without " + new String(expected, StandardCharsets.US_ASCII).trim());
		}
		else if (inWindow(end)) {
			this.requests.increment();
			this.latency.recordValue(micros(end - response.start));
			if (this.options.stream()) {
				this.firstChunk.recordValue(micros(response.firstChunk - response.start));
			}
		}
	}

	private void fail(long when, String reason) {
		if (inWindow(when)) {
			this.requests.increment();
			this.errors.increment();
			this.firstError.compareAndSet(null, reason);
		}
	}

	private boolean inWindow(long nanos) {
		return nanos >= this.measureStart && nanos < this.measureEnd;
	}

	private static byte[] requestBody(Options options) {
		ObjectNode body = Json.object();
		if (COMPARE.equals(options.door())) {
			ArrayNode models = body.putArray("models");
			for (String model : options.model().split(",")) {
				models.add(model.trim());
			}
			body.putArray("messages").addObject().put("role", "user").put("content", options.prompt());
			body.putObject("compare").put("cache", false);
			return Json.MAPPER.writeValueAsBytes(body);
		}
		body.put("model", options.model());
		if (RESPONSES.equals(options.door())) {
			body.put("input", options.prompt());
			if (options.stream()) {
				body.put("stream", true);
			}
			if (options.maxTokens() != null) {
				body.put("max_output_tokens", options.maxTokens());
			}
			return Json.MAPPER.writeValueAsBytes(body);
		}
		body.putArray("messages").addObject().put("role", "user").put("content", options.prompt());
		if (options.stream()) {
			body.put("stream", true);
		}
		if (options.maxTokens() != null) {
			body.put("max_tokens", options.maxTokens());
		}
		else if (ANTHROPIC.equals(options.door())) {
			body.put("max_tokens", 64);
		}
		return Json.MAPPER.writeValueAsBytes(body);
	}

	private static int indexOf(byte[] haystack, byte[] needle) {
		outer: for (int i = 0; i <= haystack.length - needle.length; i++) {
			for (int j = 0; j < needle.length; j++) {
				if (haystack[i + j] != needle[j]) {
					continue outer;
				}
			}
			return i;
		}
		return -1;
	}

	private static long micros(long nanos) {
		return Math.max(1, nanos / 1_000);
	}

	private static Double millis(Histogram histogram, double percentile) {
		return (histogram.getTotalCount() == 0) ? null : histogram.getValueAtPercentile(percentile) / 1_000.0;
	}

	/** What one response has delivered so far; touched only by the connection's event loop. */
	private final class Response {

		private final long start;

		private long firstChunk;

		private boolean started;

		private final byte[] tail = new byte[LoadGenerator.this.terminator.length];

		/** The last bytes before this chunk, so that a marker cut by a chunk boundary is still found. */
		private byte[] carry = new byte[0];

		private boolean marked;

		Response(long start) {
			this.start = start;
		}

		void onChunk(ByteBuf chunk) {
			long now = System.nanoTime();
			if (!this.started) {
				this.started = true;
				this.firstChunk = now;
			}
			int length = chunk.readableBytes();
			if (inWindow(now)) {
				LoadGenerator.this.bytes.add(length);
			}
			byte[] marker = LoadGenerator.this.marker;
			if (marker != null && !this.marked) {
				byte[] window = new byte[this.carry.length + length];
				System.arraycopy(this.carry, 0, window, 0, this.carry.length);
				chunk.getBytes(chunk.readerIndex(), window, this.carry.length, length);
				this.marked = indexOf(window, marker) >= 0 || indexOf(window, RESPONSE_INCOMPLETE) >= 0;
				int keep = Math.max(marker.length, RESPONSE_INCOMPLETE.length) - 1;
				this.carry = Arrays.copyOfRange(window, Math.max(0, window.length - keep), window.length);
			}
			// Keep the last terminator-length bytes of the body, whatever the chunk boundaries.
			int keep = Math.min(length, this.tail.length);
			System.arraycopy(this.tail, keep, this.tail, 0, this.tail.length - keep);
			chunk.getBytes(chunk.readerIndex() + length - keep, this.tail, this.tail.length - keep, keep);
		}

		boolean complete() {
			return (LoadGenerator.this.marker != null) ? this.marked : Arrays.equals(this.tail, LoadGenerator.this.terminator);
		}

	}

	record Options(String target, String scenario, URI url, int connections, boolean stream, String model,
			Integer maxTokens, String apiKey, Duration warmup, Duration measure, Long watchPid, String prompt,
			String door) {

		static Options parse(String[] args) {
			Map<String, String> values = new HashMap<>();
			for (int i = 0; i < args.length; i++) {
				if (!args[i].startsWith("--")) {
					throw new IllegalArgumentException("unexpected argument " + args[i]);
				}
				String name = args[i].substring(2);
				boolean flag = name.equals("stream");
				values.put(name, flag ? "true" : args[++i]);
			}
			URI url = URI.create(required(values, "url"));
			// The benchmark must never load anything but this machine.
			if (!"127.0.0.1".equals(url.getHost())) {
				throw new IllegalArgumentException("only http://127.0.0.1 targets are allowed: " + url);
			}
			return new Options(required(values, "target"), required(values, "scenario"), url,
					Integer.parseInt(required(values, "connections")), values.containsKey("stream"),
					values.getOrDefault("model", "echo-small"),
					values.containsKey("max-tokens") ? Integer.valueOf(values.get("max-tokens")) : null,
					values.getOrDefault("api-key", "sb-demo-key"),
					Duration.ofMillis((long) (Double.parseDouble(values.getOrDefault("warmup", "5")) * 1000)),
					Duration.ofMillis((long) (Double.parseDouble(values.getOrDefault("measure", "15")) * 1000)),
					values.containsKey("watch-pid") ? Long.valueOf(values.get("watch-pid")) : null,
					values.getOrDefault("prompt", "hello"), values.getOrDefault("door", "openai"));
		}

		private static String required(Map<String, String> values, String name) {
			String value = values.get(name);
			if (value == null) {
				throw new IllegalArgumentException("--" + name + " is required");
			}
			return value;
		}

	}

}
