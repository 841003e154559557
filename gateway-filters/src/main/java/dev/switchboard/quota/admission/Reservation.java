package dev.switchboard.quota.admission;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.core.Attempt;
import dev.switchboard.core.Bill;
import dev.switchboard.core.Json;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.LlmExchangeListener;
import dev.switchboard.core.QuotaCharge;
import dev.switchboard.core.RouteTarget;
import dev.switchboard.core.Usage;
import dev.switchboard.quota.backend.BucketSpec;
import dev.switchboard.quota.backend.QuotaBackend;
import dev.switchboard.sse.SseEvent;

/**
 * What one request holds in its buckets, from admission until it is settled, exactly once, when
 * the request completes.
 *
 * <p>Registered as a listener on the {@link LlmExchange}: it keeps the usage the provider reports
 * together with the attempt that reported it, so only the attempt that served is billed however
 * many ran; on completion the {@link TokenQuotaService} corrects every bucket from the reservation
 * to the real usage. For streams it also counts what reached the client, which is what a client that
 * disconnects, or a provider that fails mid-stream, is charged when no usage was reported.
 */
public final class Reservation implements LlmExchangeListener {

	/** One amount taken from one bucket. */
	record Charge(BucketSpec bucket, long amount) {
	}

	private final String id = Long.toHexString(ThreadLocalRandom.current().nextLong())
			+ Long.toHexString(ThreadLocalRandom.current().nextLong());

	private final TokenQuotaService service;

	private final QuotaBackend backend;

	private final LlmExchange exchange;

	private final RouteTarget target;

	private final long promptTokens;

	private volatile long completionTokens;

	private final List<Charge> charges;

	private final List<BucketSpec> enforced;

	private final AtomicBoolean settled = new AtomicBoolean();

	private final Sinks.One<Usage> settlement = Sinks.one();

	private volatile @Nullable Usage usage;

	private volatile int usageAttempt;

	private final StreamCount streamed = new StreamCount();

	Reservation(TokenQuotaService service, QuotaBackend backend, LlmExchange exchange, RouteTarget target,
			long promptTokens, long completionTokens, List<Charge> charges, List<BucketSpec> enforced) {
		this.service = service;
		this.backend = backend;
		this.exchange = exchange;
		this.target = target;
		this.promptTokens = promptTokens;
		this.completionTokens = completionTokens;
		this.charges = new ArrayList<>(charges);
		this.enforced = List.copyOf(enforced);
	}

	/**
	 * A random id of this reservation: the backend settles it at most once under this id, so a
	 * settlement resent after a lost reply is not applied twice.
	 */
	public String id() {
		return this.id;
	}

	public QuotaBackend backend() {
		return this.backend;
	}

	public RouteTarget target() {
		return this.target;
	}

	LlmExchange exchange() {
		return this.exchange;
	}

	public String team() {
		return this.exchange.team().name();
	}

	/** The estimated prompt tokens reserved. */
	public long promptTokens() {
		return this.promptTokens;
	}

	/** Completion tokens reserved so far (a stream may extend it). */
	public long completionTokens() {
		return this.completionTokens;
	}

	/** The amounts held, by bucket. */
	synchronized List<Charge> charges() {
		return List.copyOf(this.charges);
	}

	synchronized void extended(long tokens, List<Charge> more) {
		this.completionTokens += tokens;
		this.charges.addAll(more);
	}

	List<BucketSpec> enforced() {
		return this.enforced;
	}

	/** The target that answered (a fallback's, after failover), else the one reserved for: its model is billed. */
	RouteTarget billedTarget() {
		Attempt served = this.exchange.attempts().serving();
		return (served != null) ? served.target() : this.target;
	}

	/** Completes with the usage billed once the reservation is settled (or failed to settle). */
	public Mono<Usage> settlement() {
		return this.settlement.asMono();
	}

	// ---- listener

	@Override
	public void onUsage(LlmExchange exchange, Usage usage) {
		this.usage = usage;
		this.usageAttempt = exchange.attempts().count();
	}

	@Override
	public void onComplete(LlmExchange exchange, LlmExchange.Completion completion, @Nullable Throwable error) {
		settle(completion);
	}

	/**
	 * Settles at most once; later calls do nothing. Settles what the exchange billed when it
	 * completed (this reservation decided it, see {@link #bill}), so quota and cost ledgers agree.
	 */
	public void settle(LlmExchange.Completion completion) {
		if (!this.settled.compareAndSet(false, true)) {
			return;
		}
		Bill decided = this.exchange.bill();
		Bill billed = (decided != null) ? decided : bill(completion);
		this.service.settle(this, billed)
			.doFinally(signal -> this.settlement.tryEmitValue(billed.usage()))
			.subscribe(null, error -> {
			});
	}

	/** The exchange's bill: {@link #billedUsage} on the {@link #billedTarget}. Registered with {@link LlmExchange#billWith}. */
	Bill bill(LlmExchange.Completion completion) {
		return this.exchange.price(billedTarget(), billedUsage(completion));
	}

	/**
	 * What the request is billed: for an answer the gateway gave by itself, its {@link QuotaCharge};
	 * otherwise the provider's usage for the attempt that ran last (the one that
	 * served, or failed last), raised to what was seen streaming when a stream broke off; else, for streams, the prompt estimate plus what was streamed; else,
	 * when no provider was called, nothing; else, after a success without usage, the whole
	 * reservation; else (a failure with no output) the prompt alone, refunding the completion part.
	 */
	Usage billedUsage(LlmExchange.Completion completion) {
		QuotaCharge preset = QuotaCharge.of(this.exchange);
		if (preset != null) {
			// Answered by the gateway (a cache hit charged a fraction): exactly what the answering filter set.
			return preset.usage();
		}
		Usage reported = this.usage;
		List<Attempt> attempts = this.exchange.attempts().all();
		if (reported != null && (attempts.isEmpty() || this.usageAttempt == attempts.size())) {
			if (completion != LlmExchange.Completion.SUCCESS && this.streamed.chunks > 0
					&& this.streamed.estimate() > reported.completionTokens()) {
				// A stream that broke off reports usage only as of its last report (Anthropic: at its
				// start): bill what was seen streaming when that is more.
				return reported.withCompletionTokens(this.streamed.estimate());
			}
			return reported;
		}
		if (this.streamed.chunks > 0) {
			return new Usage(this.promptTokens, this.streamed.estimate(), 0, false);
		}
		if (attempts.isEmpty()) {
			// Ended before any provider was called (refused, held back, abandoned): nothing was used.
			return new Usage(0, 0, 0, false);
		}
		if (completion == LlmExchange.Completion.SUCCESS && !this.exchange.stream()) {
			return new Usage(this.promptTokens, this.completionTokens, 0, false);
		}
		return new Usage(this.promptTokens, 0, 0, false);
	}

	// ---- streams

	/**
	 * Counts generated content as it reaches the client and, when the stream outgrows its
	 * reservation, extends it; when a hard budget cannot cover more, ends the stream cleanly: a
	 * final chunk with {@code finish_reason: "length"}, the usage chunk if the client asked for
	 * one, then {@code [DONE]}.
	 */
	public Flux<SseEvent> guard(Flux<SseEvent> events) {
		return events.concatMap(event -> {
			if (event.isDone() || !this.streamed.observe(event)) {
				return Mono.just(event);
			}
			long needed = this.streamed.estimate();
			if (needed <= this.completionTokens || this.enforced.isEmpty()) {
				return Mono.just(event);
			}
			return this.service.extend(this, needed - this.completionTokens).flatMapMany(ok -> ok ? Flux.just(event)
					: Flux.concat(Flux.just(event), Flux.fromIterable(cutEvents())));
		}).takeUntil(event -> this.streamed.cut && event.isDone());
	}

	private List<SseEvent> cutEvents() {
		this.streamed.cut = true;
		this.exchange.decide("quota", "stream ended at the budget after about " + this.streamed.estimate()
				+ " completion tokens");
		this.service.streamCut(this);
		List<SseEvent> events = new ArrayList<>();
		ObjectNode last = this.streamed.chunk("length");
		events.add(Json.event(last));
		if (this.exchange.clientWantsStreamUsage()) {
			ObjectNode usage = this.streamed.chunk(null);
			usage.putArray("choices");
			usage.set("usage", new Usage(this.promptTokens, this.streamed.estimate(), 0, false).toOpenAi());
			events.add(Json.event(usage));
		}
		events.add(SseEvent.DONE_EVENT);
		return events;
	}

	/** Long count of what a stream carried to the client. */
	static final class StreamCount {

		volatile long chunks;

		volatile long chars;

		volatile boolean cut;

		private String id = "chatcmpl-switchboard";

		private long created;

		private String model = "";

		/** Counts one event; {@code false} when it carries no generated content. */
		boolean observe(SseEvent event) {
			JsonNode chunk;
			try {
				chunk = Json.tree(event);
			}
			catch (JacksonException ex) {
				return false;
			}
			if (chunk.hasNonNull("id")) {
				this.id = chunk.get("id").asString();
				this.created = chunk.path("created").asLong(this.created);
				this.model = chunk.path("model").asString(this.model);
			}
			long content = 0;
			for (JsonNode choice : chunk.path("choices")) {
				JsonNode delta = choice.path("delta");
				content += delta.path("content").asString("").length();
				content += delta.path("reasoning_content").asString("").length();
				content += delta.path("refusal").asString("").length();
				if (delta.has("tool_calls")) {
					content += delta.get("tool_calls").toString().length();
				}
			}
			if (content == 0) {
				return false;
			}
			this.chunks++;
			this.chars += content;
			return true;
		}

		/** One token per content chunk, or a token per 4 characters if that is more. */
		long estimate() {
			return Math.max(this.chunks, (this.chars + 3) / 4);
		}

		ObjectNode chunk(@Nullable String finishReason) {
			ObjectNode chunk = Json.object();
			chunk.put("id", this.id);
			chunk.put("object", "chat.completion.chunk");
			chunk.put("created", (this.created != 0) ? this.created : System.currentTimeMillis() / 1000);
			chunk.put("model", this.model);
			if (finishReason != null) {
				ObjectNode choice = chunk.putArray("choices").addObject();
				choice.put("index", 0);
				choice.putObject("delta");
				choice.put("finish_reason", finishReason);
			}
			return chunk;
		}

	}

}
