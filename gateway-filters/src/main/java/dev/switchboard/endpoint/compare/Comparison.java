package dev.switchboard.endpoint.compare;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;

import dev.switchboard.core.BoundedBodies;
import dev.switchboard.core.CompareGate;
import dev.switchboard.core.CompareLeg;
import dev.switchboard.core.FrontDoor;
import dev.switchboard.core.Json;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.LlmExchangeListener;
import dev.switchboard.core.StreamAssembler;
import dev.switchboard.sse.SseDecoder;
import dev.switchboard.sse.SseEncoder;
import dev.switchboard.sse.SseEvent;

/**
 * {@code POST /v1/compare}: one prompt to several models in one call, the answers side by side
 * with their latency, time to first token, tokens and cost.
 *
 * <p>Each leg is a full request of the team ({@link Legs}): its own allow-list check, quota
 * reservation and settlement, cache lookup, metering and request-log line (marked
 * {@link CompareLeg}), run in parallel on an exchange of its own whose response is kept
 * ({@link LegResponse}) rather than sent. One leg failing (a model the team may not use, a bad
 * request for that model, a provider's error) is that leg's entry and never fails the others;
 * the comparison's deadline ends whatever still runs. Failover is off unless asked: the point is
 * the model named. The quota is the exception, by design: legs wait at the provider's door until
 * all are admitted ({@link CompareGate}), so either every leg fits the team's budget or the
 * comparison is a 429 and no leg is sent.
 *
 * <p>As JSON the answer is one {@code comparison} object; streamed, the legs' chunks arrive as
 * they are written, each event naming its leg ({@code compare.chunk}), then each leg's result
 * ({@code compare.leg}), the {@link Judge}'s verdict when one was asked for
 * ({@code compare.judge}), the whole answer ({@code compare.summary}) and {@code [DONE]}.
 */
public final class Comparison {

	private static final byte[] EMPTY = new byte[0];

	/** The comparison page, read once. */
	private static final byte[] PAGE = readPage();

	private final ComparePolicy policy;

	public Comparison(ComparePolicy policy) {
		this.policy = policy;
	}

	/** Whether a path is the comparison's, whatever prefix the route adds before {@code /v1}. */
	public static boolean isCompare(String path) {
		return path.endsWith("/v1/compare");
	}

	/** Whether a {@code GET} of the comparison's path is a browser to be given the page. */
	public boolean servesPage(ServerHttpRequest request) {
		return this.policy.page() && request.getHeaders().getAccept().stream()
			.anyMatch(type -> type.isCompatibleWith(MediaType.TEXT_HTML) && !type.isWildcardType());
	}

	/**
	 * The comparison page: plain HTML and script, no data of its own. What it shows comes from
	 * {@code /v1/models} and {@code /v1/compare} with the key the person enters, so it is safe to
	 * serve on the route; the headers keep it from being framed or loading anything else.
	 */
	public Mono<Void> page(ServerWebExchange exchange) {
		ServerHttpResponse response = exchange.getResponse();
		response.setStatusCode(HttpStatusCode.valueOf(200));
		HttpHeaders headers = response.getHeaders();
		headers.setContentType(new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8));
		headers.setContentLength(PAGE.length);
		headers.setCacheControl("no-cache");
		headers.set("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; "
				+ "style-src 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; form-action 'none'");
		headers.set("X-Content-Type-Options", "nosniff");
		headers.set("Referrer-Policy", "no-referrer");
		return response.writeWith(Mono.just(response.bufferFactory().wrap(PAGE)));
	}

	private static byte[] readPage() {
		try (InputStream in = Comparison.class.getResourceAsStream("compare.html")) {
			if (in == null) {
				throw new IllegalStateException("compare.html is missing from the gateway's jar");
			}
			return in.readAllBytes();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	public Mono<Void> handle(ServerWebExchange exchange, ObjectNode body, String requestId, Legs legs) {
		CompareRequest request = CompareRequest.read(body, this.policy);
		legs.validate(request.legBody(0));
		String id = "cmp_" + requestId.replaceFirst("^req_", "");
		long start = System.nanoTime();
		Mono<Long> deadline = Mono.delay(request.deadline()).cache();
		CompareGate gate = new CompareGate(request.models().size());
		List<Leg> running = new ArrayList<>();
		for (int i = 0; i < request.models().size(); i++) {
			running.add(new Leg(i, request.models().get(i), start, exchange, request.cache(), gate));
		}
		Function<Leg, Mono<Void>> run = leg -> legs.run(leg.exchange, request.legBody(leg.index), id + "-" + leg.index,
				new CompareLeg(id, leg.index, running.size()), request.failover(), leg::opened)
			.doFinally(signal -> leg.response.finish());
		Function<List<LegResult>, Mono<ObjectNode>> judge = results -> judge(exchange, id, request, results, legs, start,
				deadline);
		return request.stream() ? stream(exchange, id, request, running, run, deadline, gate, judge)
				: json(exchange, id, request, running, run, deadline, gate, judge);
	}

	// ---- JSON

	private Mono<Void> json(ServerWebExchange exchange, String id, CompareRequest request, List<Leg> running,
			Function<Leg, Mono<Void>> run, Mono<Long> deadline, CompareGate gate,
			Function<List<LegResult>, Mono<ObjectNode>> judge) {
		return Flux.fromIterable(running)
			.flatMap(leg -> Mono.when(run.apply(leg), leg.whole().doOnNext(leg::body))
				.then(Mono.defer(leg::completed))
				.then(Mono.fromSupplier(leg::result))
				.timeout(deadline, Mono.fromSupplier(leg::pastDeadline)), running.size())
			.collectList()
			.flatMap(results -> {
				LlmApiException refusal = gate.refusal();
				if (refusal != null) {
					return Mono.error(refusal);
				}
				return judge.apply(results)
					.map(verdict -> answer(id, request, results, verdict))
					.switchIfEmpty(Mono.fromSupplier(() -> answer(id, request, results, null)))
					.flatMap(answer -> write(exchange, answer));
			});
	}

	private static Mono<Void> write(ServerWebExchange exchange, ObjectNode answer) {
		byte[] bytes = Json.MAPPER.writeValueAsBytes(answer);
		ServerHttpResponse response = exchange.getResponse();
		response.setStatusCode(HttpStatusCode.valueOf(200));
		response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
		response.getHeaders().setContentLength(bytes.length);
		return response.writeWith(Mono.just(response.bufferFactory().wrap(bytes)));
	}

	// ---- stream

	private Mono<Void> stream(ServerWebExchange exchange, String id, CompareRequest request, List<Leg> running,
			Function<Leg, Mono<Void>> run, Mono<Long> deadline, CompareGate gate,
			Function<List<LegResult>, Mono<ObjectNode>> judge) {
		List<LegResult> results = new ArrayList<>();
		AtomicReference<@Nullable ObjectNode> verdict = new AtomicReference<>();
		Flux<SseEvent> legs = Flux.merge(running.stream().map(leg -> {
			AtomicBoolean ended = new AtomicBoolean();
			Flux<SseEvent> chunks = Flux.merge(run.apply(leg).then(Mono.<SseEvent>empty()), leg.events(id))
				.doOnComplete(() -> ended.set(true))
				.takeUntilOther(deadline);
			return chunks.concatWith(Mono.defer(() -> {
				Mono<LegResult> result = ended.get() ? leg.completed().then(Mono.fromSupplier(leg::result))
						: Mono.fromSupplier(leg::pastDeadline);
				// Nothing is written before every leg is admitted: a refused leg makes the whole call a 429.
				return result.timeout(deadline, Mono.fromSupplier(leg::pastDeadline))
					.delayUntil(done -> gate.settled().onErrorResume(error -> Mono.empty()))
					.map(done -> {
					synchronized (results) {
						results.add(done);
					}
					return Json.event("compare.leg", done.toJson());
				});
			}));
		}).toList());
		Flux<SseEvent> events = legs
			.concatWith(Mono.defer(() -> judge.apply(List.copyOf(results)))
				.doOnNext(verdict::set)
				.map(judged -> Json.event("compare.judge", judged)))
			.concatWith(Mono.fromSupplier(() -> Json.event("compare.summary", answer(id, request, results, verdict.get()))))
			.concatWith(Mono.just(SseEvent.DONE_EVENT));
		ServerHttpResponse response = exchange.getResponse();
		// Nothing comes before every leg is admitted (chunks follow the gate, results wait for it),
		// so the first event decides what the response is, before anything is committed: the
		// stream, or the 429 of a comparison the team's quota cannot hold.
		Flux<DataBuffer> body = events.switchOnFirst((first, flux) -> {
			LlmApiException refusal = gate.refusal();
			if (refusal != null) {
				response.setStatusCode(HttpStatusCode.valueOf(refusal.status()));
				response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
				if (refusal.retryAfter() != null) {
					response.getHeaders().set(HttpHeaders.RETRY_AFTER,
							Long.toString(Math.max(1, (refusal.retryAfter().toMillis() + 999) / 1000)));
				}
				return Flux.just(response.bufferFactory().wrap(FrontDoor.OPENAI.errorBody(refusal)));
			}
			response.setStatusCode(HttpStatusCode.valueOf(200));
			response.getHeaders().setContentType(MediaType.TEXT_EVENT_STREAM);
			response.getHeaders().setCacheControl("no-cache");
			return flux.map(event -> response.bufferFactory().wrap(SseEncoder.encode(event)));
		});
		return response.writeWith(body);
	}

	// ---- the answer

	// ---- the judge

	/**
	 * Runs the judge on the legs that answered, within what is left of the deadline; empty when
	 * none was asked for.
	 */
	private Mono<ObjectNode> judge(ServerWebExchange exchange, String id, CompareRequest request,
			List<LegResult> results, Legs legs, long start, Mono<Long> deadline) {
		Judge judge = request.judge();
		if (judge == null) {
			return Mono.empty();
		}
		List<LegResult> scored = results.stream()
			.filter(LegResult::succeeded)
			.sorted(Comparator.comparingInt(LegResult::leg))
			.toList();
		ObjectNode body = judge.body(request.chat().path("messages"), scored);
		if (scored.isEmpty()) {
			return Mono.just(judge.verdict(null, body, scored));
		}
		int index = request.models().size();
		Leg leg = new Leg(index, judge.model(), start, exchange, true, null);
		return Mono.when(legs.run(leg.exchange, body, id + "-judge", new CompareLeg(id, index, index, true),
				request.failover(), leg::opened).doFinally(signal -> leg.response.finish()), leg.whole().doOnNext(leg::body))
			.then(Mono.defer(leg::completed))
			.then(Mono.fromSupplier(leg::result))
			.timeout(deadline, Mono.fromSupplier(leg::pastDeadline))
			.map(judged -> judge.verdict(judged, body, scored));
	}

	private static ObjectNode answer(String id, CompareRequest request, List<LegResult> results,
			@Nullable ObjectNode verdict) {
		List<LegResult> sorted = new ArrayList<>(results);
		sorted.sort(Comparator.comparingInt(LegResult::leg));
		ObjectNode answer = Json.object()
			.put("id", id)
			.put("object", "comparison")
			.put("created", Instant.now().getEpochSecond());
		ArrayNode legs = answer.putArray("legs");
		sorted.forEach(result -> legs.add(result.toJson()));
		List<LegResult> succeeded = sorted.stream().filter(LegResult::succeeded).toList();
		ObjectNode summary = answer.putObject("summary");
		summary.put("legs", sorted.size());
		summary.put("succeeded", succeeded.size());
		summary.put("all_succeeded", succeeded.size() == request.models().size());
		best(summary, "fastest", succeeded, Comparator.comparingLong(LegResult::latencyMillis));
		best(summary, "cheapest", succeeded, Comparator.comparing(LegResult::cost));
		best(summary, "shortest", succeeded, Comparator.comparingLong(LegResult::completionTokens));
		BigDecimal legsCost = sorted.stream().map(LegResult::cost).reduce(BigDecimal.ZERO, BigDecimal::add);
		summary.put("total_cost_usd", legsCost);
		if (verdict != null) {
			answer.set("judge", verdict);
			summary.set("best", verdict.path("best"));
			summary.put("total_cost_with_judge_usd", legsCost.add(verdict.path("cost_usd").decimalValue()));
		}
		return answer;
	}

	private static void best(ObjectNode summary, String name, List<LegResult> succeeded,
			Comparator<LegResult> order) {
		LegResult best = succeeded.stream().min(order.thenComparingInt(LegResult::leg)).orElse(null);
		if (best != null) {
			summary.put(name, best.model());
		}
		else {
			summary.putNull(name);
		}
	}

	/** One leg while it runs: its exchange, what its response carried, and when it ended. */
	private static final class Leg {

		final int index;

		final String model;

		private final long start;

		final LegResponse response;

		final ServerWebExchange exchange;

		private final AtomicReference<@Nullable LlmExchange> llm = new AtomicReference<>();

		private final Sinks.Empty<Void> completion = Sinks.empty();

		private @Nullable JsonNode body;

		private final StreamAssembler assembler = new StreamAssembler();

		private final @Nullable CompareGate gate;

		/**
		 * A leg on an exchange of its own: the client's request headers, without the cache if so
		 * asked; {@code gate} is {@code null} for the judge, which runs after the legs.
		 */
		Leg(int index, String model, long start, ServerWebExchange client, boolean cache, @Nullable CompareGate gate) {
			this.index = index;
			this.gate = gate;
			this.model = model;
			this.start = start;
			this.response = new LegResponse(client.getResponse().bufferFactory());
			ServerHttpRequest request = client.getRequest().mutate().headers(headers -> {
				headers.remove(HttpHeaders.CONTENT_LENGTH);
				if (!cache) {
					headers.setCacheControl("no-store");
				}
			}).build();
			this.exchange = new LegExchange(client, request, this.response);
		}

		void opened(LlmExchange exchange) {
			this.llm.set(exchange);
			if (this.gate != null) {
				exchange.put(CompareGate.class, this.gate);
			}
			exchange.addListener(new LlmExchangeListener() {
				@Override
				public void onComplete(LlmExchange done, LlmExchange.Completion completion, @Nullable Throwable error) {
					Leg.this.completion.tryEmitEmpty();
				}
			});
		}

		/** When the leg's exchange completed (its bill decided); at once when it never had one. */
		Mono<Void> completed() {
			return (this.llm.get() != null) ? this.completion.asMono() : Mono.empty();
		}

		/** The whole body, for a leg answered as JSON. */
		Mono<byte[]> whole() {
			return this.response.body().flatMap(Leg::whole).defaultIfEmpty(EMPTY);
		}

		void body(byte[] bytes) {
			this.body = parse(bytes);
		}

		/**
		 * A streamed leg's chunks as comparison events, each naming the leg; an answer that is
		 * not a stream (an error before the stream began) is kept for the leg's result instead.
		 */
		Flux<SseEvent> events(String id) {
			return this.response.body().flatMapMany(body -> {
				MediaType type = this.response.getHeaders().getContentType();
				if (type == null || !MediaType.TEXT_EVENT_STREAM.isCompatibleWith(type)) {
					return whole(body).doOnNext(this::body).thenMany(Flux.empty());
				}
				SseDecoder decoder = new SseDecoder();
				return body.concatMapIterable(buffer -> decoder.decode(BoundedBodies.bytes(buffer))).concatWith(Flux.defer(() -> Flux.fromIterable(decoder.finish()))).handle((event, sink) -> {
					this.assembler.accept(event);
					if (!event.isDone()) {
						JsonNode chunk = parse(event.data());
						if (chunk != null && chunk.has("error")) {
							this.body = chunk;
						}
						else if (chunk != null) {
							ObjectNode tagged = Json.object().put("id", id).put("leg", this.index).put("model", this.model);
							tagged.set("chunk", chunk);
							sink.next(Json.event("compare.chunk", tagged));
						}
					}
				});
			});
		}

		private static Mono<byte[]> whole(Flux<DataBuffer> body) {
			return DataBufferUtils.join(body).map(BoundedBodies::bytes).defaultIfEmpty(EMPTY);
		}

		LegResult result() {
			JsonNode answer = this.body;
			if (answer == null || !answer.has("error")) {
				ObjectNode assembled = this.assembler.completion();
				answer = (assembled != null) ? assembled : answer;
			}
			int status = (this.response.getStatusCode() != null) ? this.response.getStatusCode().value() : 500;
			if (this.gate != null) {
				this.gate.leave(this.index, refusal(status, answer));
			}
			if (answer != null && answer.has("error") && status < 400) {
				status = answer.path("error").path("code").asString("").equals("total_timeout") ? 504 : 502;
			}
			return LegResult.of(this.index, this.model, status, this.response.getHeaders(), answer, this.llm.get(),
					elapsedMillis());
		}

		LegResult pastDeadline() {
			if (this.gate != null) {
				this.gate.leave(this.index, null);
			}
			return LegResult.deadline(this.index, this.model, this.llm.get(), elapsedMillis());
		}

		private long elapsedMillis() {
			return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - this.start);
		}

		/**
		 * The gateway's own 429 for a leg refused before it reached its provider (by the time the
		 * gate hears of a leg's end, one that arrived is no longer counted), as the comparison's
		 * answer: the message says which leg did not fit.
		 */
		private @Nullable LlmApiException refusal(int status, @Nullable JsonNode answer) {
			if (status != 429 || answer == null || !answer.has("error")) {
				return null;
			}
			JsonNode error = answer.path("error");
			return new LlmApiException(429, error.path("type").asString("rate_limit_error"),
					error.path("code").asString(null), null, "The comparison does not fit the team's quota, so no leg "
							+ "was sent: leg " + this.index + " ('" + this.model + "') was refused: "
							+ error.path("message").asString(""), null, null);
		}

		private static @Nullable JsonNode parse(byte[] bytes) {
			if (bytes.length == 0) {
				return null;
			}
			try {
				return Json.MAPPER.readTree(bytes);
			}
			catch (JacksonException ex) {
				return null;
			}
		}

	}

}
