package dev.switchboard.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.web.server.ServerWebExchange;

/**
 * The shared context of one LLM request, parsed once by {@code LlmEndpoint} and read by every
 * later Switchboard filter instead of re-parsing bodies.
 *
 * <p>It holds what the client asked (the parsed OpenAI body, untouched), who asked (the
 * {@link Team}), where the request may go (the {@link ModelRoute}, which routing filters may
 * replace), and what happened: attempts, the first token, usage, and a human-readable decision log.
 * Filters plug in through {@link #addListener listeners} and the {@link #response() response
 * plan} (checks and decorators of the answer, a preset answer such as a cache hit), never by
 * wrapping the HTTP response.
 *
 * <p>What several stages share lives here; what one stage writes and others read is a part of its
 * own: the {@link #timing() timing}, the {@link #attempts() attempts} (written by the dispatcher), the
 * {@link #translation() translation notes} (written by adapters), the {@link #response() response
 * plan} (written by filters, applied by the dispatcher). Capabilities' own state rides in typed
 * {@link #put extensions}.
 *
 * <p>One reactive pipeline drives a request, so state changes happen one after another; the
 * collections touched by listeners registered from other threads are concurrent anyway.
 */
public final class LlmExchange {

	/** Exchange attribute under which the context is stored. */
	public static final String ATTRIBUTE = LlmExchange.class.getName();

	private static final Logger log = LoggerFactory.getLogger(LlmExchange.class);

	/** How a request ended, as seen from the client. */
	public enum Completion {
		/** The whole response reached the client. */
		SUCCESS,
		/** The gateway or provider failed; an error was sent if the response was still uncommitted. */
		ERROR,
		/** The client went away before the end (a cut stream). */
		CANCELLED
	}

	private final String requestId;

	private final Operation operation;

	private final Team team;

	private volatile ObjectNode body;

	private final boolean stream;

	private final boolean clientWantsStreamUsage;

	private volatile ModelRoute route;

	private final Timing timing = new Timing(this);

	private final Attempts attempts = new Attempts(this);

	private final List<String> decisions = new CopyOnWriteArrayList<>();

	private final TranslationNotes translation = new TranslationNotes(this);

	private final List<LlmExchangeListener> listeners = new CopyOnWriteArrayList<>();

	private final ResponsePlan response = new ResponsePlan(this);

	private volatile @Nullable Usage usage;

	private volatile @Nullable Throwable failure;

	private final AtomicBoolean completed = new AtomicBoolean();

	private volatile @Nullable Function<Completion, @Nullable Bill> biller;

	private volatile @Nullable Bill bill;

	/** The last usage priced for this exchange, kept so that one answer is priced once. */
	private volatile @Nullable Bill priced;

	private final Map<Class<?>, Object> extensions = new ConcurrentHashMap<>();

	public LlmExchange(String requestId, Operation operation, Team team, ObjectNode body, ModelRoute route) {
		this.requestId = requestId;
		this.operation = operation;
		this.team = team;
		this.body = body;
		this.route = route;
		this.stream = body.path("stream").asBoolean(false);
		this.clientWantsStreamUsage = this.stream
				&& body.path("stream_options").path("include_usage").asBoolean(false);
	}

	public static @Nullable LlmExchange find(ServerWebExchange exchange) {
		return exchange.getAttribute(ATTRIBUTE);
	}

	public static LlmExchange get(ServerWebExchange exchange) {
		LlmExchange context = find(exchange);
		if (context == null) {
			throw new IllegalStateException("No LlmExchange on this request: add the LlmEndpoint filter to the route "
					+ "before other Switchboard filters");
		}
		return context;
	}

	public void attachTo(ServerWebExchange exchange) {
		exchange.getAttributes().put(ATTRIBUTE, this);
	}

	// ---- what was asked

	public String requestId() {
		return this.requestId;
	}

	public Operation operation() {
		return this.operation;
	}

	public Team team() {
		return this.team;
	}

	/** The client's request body as parsed; shared, so never modify it: adapters work on a copy. */
	public JsonNode body() {
		return this.body;
	}

	/**
	 * Replaces the body every later filter and the provider see, before any of them has read it: a
	 * guardrail's rewrite (masked personal data). What the body decides about the exchange
	 * (streaming, the model) stays as the client asked.
	 */
	public void rewriteBody(ObjectNode rewritten, String why) {
		this.body = rewritten;
		decide("guard", why);
	}

	/** A private, mutable copy of the client's body for one upstream attempt. */
	public ObjectNode bodyCopy() {
		return this.body.deepCopy();
	}

	/**
	 * A copy of the body's top level only, its members' values shared with the client's tree: for
	 * an adapter that sets or replaces top-level members and edits nothing inside them, where a deep
	 * copy of the messages (most of the body) would be work thrown away.
	 */
	public ObjectNode bodyMembersCopy() {
		return Json.object().setAll(this.body);
	}

	public boolean stream() {
		return this.stream;
	}

	/** Whether the client asked for a usage chunk at the end of its stream. */
	public boolean clientWantsStreamUsage() {
		return this.clientWantsStreamUsage;
	}

	/** The client API the request came in by, which decides how its answer and errors are written. */
	public FrontDoor door() {
		FrontDoor door = get(FrontDoor.class);
		return (door != null) ? door : FrontDoor.OPENAI;
	}

	/** The client's own body, where it came in by a door some provider speaks natively. */
	public @Nullable NativeRequest nativeRequest() {
		return get(NativeRequest.class);
	}

	public String requestedModel() {
		return this.route.requestedModel();
	}

	// ---- where it goes

	public ModelRoute route() {
		return this.route;
	}

	/** Replaces the route (a downgrade to a cheaper alias, an A/B split); recorded in the decision log. */
	public void reroute(ModelRoute route, String why) {
		this.route = route;
		decide("route", why);
	}

	/** The calls made for this request, one attempt per target tried. */
	public Attempts attempts() {
		return this.attempts;
	}

	// ---- why

	/** Adds a line to the decision log: {@code area} is route, quota, cache, attempt...; {@code why} is prose. */
	public void decide(String area, String why) {
		this.decisions.add(area + ": " + why);
	}

	public List<String> decisions() {
		return new ArrayList<>(this.decisions);
	}

	/** What translating the request found out: parameters left out, URLs fetched once. */
	public TranslationNotes translation() {
		return this.translation;
	}

	// ---- what happened

	/** When things happened: the start, the first token, the response's commit. */
	public Timing timing() {
		return this.timing;
	}

	public void recordUsage(Usage usage) {
		this.usage = usage;
		tell(listener -> listener.onUsage(this, usage));
	}

	public @Nullable Usage usage() {
		return this.usage;
	}

	/**
	 * Records why the request failed, including failures that could only be reported inside an
	 * already committed stream; {@link #complete} reports it to listeners.
	 */
	public void recordFailure(Throwable error) {
		if (this.failure == null) {
			this.failure = error;
		}
	}

	public @Nullable Throwable failure() {
		return this.failure;
	}

	/**
	 * Makes {@code biller} the one that decides the {@link #bill()} when the request completes. The
	 * quota's reservation registers itself: it knows what a stream cut by the client had streamed,
	 * or what a cache hit is charged, where no provider reported usage. Without a biller the bill is
	 * the usage the serving attempt reported, and nothing when no provider served.
	 */
	public void billWith(Function<Completion, @Nullable Bill> biller) {
		this.biller = biller;
	}

	/** The request's bill, decided once by {@link #complete} before listeners hear of it; {@code null} before, or when nothing is billed. */
	public @Nullable Bill bill() {
		return this.bill;
	}

	/**
	 * {@code usage} priced at {@code target}: the one place a request's answer is priced. A whole
	 * answer's cost header, written before the request completes, and its {@link #bill()} at
	 * completion are the same usage at the same target, so the second asks get the first's bill.
	 */
	public Bill price(RouteTarget target, Usage usage) {
		Bill last = this.priced;
		if (last != null && last.target().equals(target) && last.usage().equals(usage)) {
			return last;
		}
		Bill bill = Bill.of(target, usage);
		this.priced = bill;
		return bill;
	}

	private @Nullable Bill decideBill(Completion completion) {
		Function<Completion, @Nullable Bill> billing = this.biller;
		if (billing != null) {
			try {
				return billing.apply(completion);
			}
			catch (RuntimeException ex) {
				log.warn("Switchboard biller failed; the request is billed its reported usage", ex);
			}
		}
		Attempt served = this.attempts.serving();
		Usage reported = this.usage;
		return (served != null && reported != null) ? price(served.target(), reported) : null;
	}

	/**
	 * Fires {@link LlmExchangeListener#onComplete} once, whatever path ended the request, after
	 * deciding its {@link #bill()}.
	 */
	public void complete(Completion completion, @Nullable Throwable error) {
		if (this.completed.compareAndSet(false, true)) {
			this.bill = decideBill(completion);
			tell(listener -> listener.onComplete(this, completion, error));
		}
	}

	public boolean isCompleted() {
		return this.completed.get();
	}

	// ---- extension points

	/**
	 * Per-request state of a capability (a quota reservation, a failover policy), keyed by its type so
	 * capabilities can share the context without the core knowing them.
	 */
	public <T> void put(Class<T> type, T value) {
		this.extensions.put(type, value);
	}

	public <T> void remove(Class<T> type) {
		this.extensions.remove(type);
	}

	public <T> @Nullable T get(Class<T> type) {
		return type.cast(this.extensions.get(type));
	}

	/**
	 * The part of this type of the configuration version the request is bound to, or {@code null}
	 * when the exchange has no version (built without {@code LlmEndpoint}) or the version no such part.
	 */
	public <T> @Nullable T configured(Class<T> type) {
		ConfigSnapshot snapshot = get(ConfigSnapshot.class);
		return (snapshot != null) ? snapshot.part(type) : null;
	}

	/** As {@link #configured(Class)}, with what the capability holds itself when the version has none. */
	public <T> T configured(Class<T> type, T otherwise) {
		T part = configured(type);
		return (part != null) ? part : otherwise;
	}

	public void addListener(LlmExchangeListener listener) {
		this.listeners.add(listener);
	}

	/**
	 * Registers a listener from the exchange's start and lets it see the request first
	 * ({@link LlmExchangeListener#onStart}); a listener that throws there is logged, and the request
	 * goes on.
	 */
	public void addStartListener(LlmExchangeListener listener) {
		addListener(listener);
		safely(() -> listener.onStart(this));
	}

	/** How the answer is made before it is written: checks, decorators, a preset or last-resort answer. */
	public ResponsePlan response() {
		return this.response;
	}

	/** Tells every listener, each on its own: one that throws is logged, and the others still hear. */
	void tell(Consumer<LlmExchangeListener> event) {
		for (LlmExchangeListener listener : this.listeners) {
			safely(() -> event.accept(listener));
		}
	}

	private static void safely(Runnable callback) {
		try {
			callback.run();
		}
		catch (RuntimeException ex) {
			log.warn("Switchboard listener failed; the request goes on", ex);
		}
	}

}
