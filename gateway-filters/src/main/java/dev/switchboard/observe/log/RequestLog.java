package dev.switchboard.observe.log;

import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.core.Ordered;

import dev.switchboard.core.Attempt;
import dev.switchboard.core.Bill;
import dev.switchboard.core.Checks;
import dev.switchboard.core.CompareLeg;
import dev.switchboard.core.Json;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.LlmExchangeListener;
import dev.switchboard.core.Usage;
import dev.switchboard.observe.GenAiAttributes;

/**
 * One structured JSON line per LLM request, on the logger {@value #LOGGER}: who asked for what,
 * which targets were tried and why each was chosen, skipped or failed, the tokens, the cost, the
 * latency and the time to first token. It never contains a key, nor prompt or completion text
 * unless an operator asks for them (a bounded number of characters of each, see
 * {@link ContentCapture}).
 *
 * <p>The same record is kept for a bounded recent window, retrievable by request id (the
 * {@code llmrequests} actuator endpoint), so an operator can ask "why did this request go there".
 *
 * <p><b>Written off the event loop.</b> A request completes on a Netty thread, and an appender
 * writes synchronously (a console appender holds a lock and makes a system call per line; a slow
 * pipe or disk behind it would stall every connection of that thread). So the completed record is
 * handed to a bounded queue, and one daemon thread ({@value #THREAD}) serializes and logs it. The
 * queue is lock-free and the writer looks at it every {@value #WRITER_PAUSE_MILLIS} ms when it has
 * run dry, rather than being woken per line: waking a thread is a system call on the completing
 * event loop, as costly as the line itself, thousands of times a second. When
 * the queue is full (the log cannot keep up), a line is dropped rather than the request delayed:
 * {@link #dropped()} counts them (the {@code switchboard.requests.log.dropped} counter) and a WARN
 * says so at most once a minute. A line keeps the completing thread's logging context (MDC); its
 * timestamp is when it is written, which lags only while the queue is backed up. The recent window
 * is filled on the completing thread, so a record can be looked up as soon as its response has
 * been sent. {@link #close()} writes what is queued.
 */
public class RequestLog implements LlmExchangeListener, Ordered, AutoCloseable {

	public static final String LOGGER = "switchboard.requests";

	/** The name of the thread that writes the lines. */
	public static final String THREAD = "switchboard-request-log";

	/** Lines waiting to be written before new ones are dropped. */
	public static final int DEFAULT_QUEUE = 8192;

	/** How long the writer rests when no line waits: a line is written this much later at most. */
	static final long WRITER_PAUSE_MILLIS = 10;

	private static final Logger log = LoggerFactory.getLogger(LOGGER);

	private static final Logger self = LoggerFactory.getLogger(RequestLog.class);

	private static final long DROP_WARNING_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

	private final int capacity;

	private final int contentChars;

	private final RecentRecords recent;

	private final Queue<Line> lines = new ConcurrentLinkedQueue<>();

	/** Lines in {@link #lines}, which a concurrent queue does not count cheaply. */
	private final AtomicInteger waiting = new AtomicInteger();

	private final int queue;

	private final Thread writer;

	private final AtomicLong dropped = new AtomicLong();

	private final AtomicLong lastDropWarning = new AtomicLong(System.nanoTime() - DROP_WARNING_INTERVAL_NANOS);

	private volatile boolean closed;

	/** @param capacity how many recent records are kept for lookup by request id */
	public RequestLog(int capacity) {
		this(capacity, 0);
	}

	/**
	 * @param capacity how many recent records are kept for lookup by request id
	 * @param contentChars how many characters of the prompt and of the completion each record
	 * keeps; 0 keeps no text at all
	 */
	public RequestLog(int capacity, int contentChars) {
		this(capacity, contentChars, DEFAULT_QUEUE);
	}

	/** @param queue how many lines may wait for the writer before new ones are dropped */
	public RequestLog(int capacity, int contentChars, int queue) {
		this.capacity = capacity;
		this.contentChars = contentChars;
		this.recent = new RecentRecords(capacity);
		this.queue = Math.max(1, queue);
		this.writer = new Thread(this::writeLines, THREAD);
		this.writer.setDaemon(true);
		this.writer.start();
	}

	/** Last, so the record is written once every other listener (metrics, quota) has seen the end. */
	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

	@Override
	public void onStart(LlmExchange exchange) {
		if (this.contentChars > 0) {
			ContentCapture content = new ContentCapture(exchange.operation(), exchange.body(), this.contentChars);
			exchange.put(ContentCapture.class, content);
			exchange.response().decorate(content::tee);
		}
	}

	@Override
	public void onComplete(LlmExchange exchange, LlmExchange.Completion completion, @Nullable Throwable error) {
		boolean logged = log.isInfoEnabled();
		if (this.capacity <= 0 && !logged) {
			return;
		}
		ObjectNode record = record(exchange, completion, error);
		if (this.capacity > 0) {
			this.recent.put(exchange.requestId(), record);
		}
		if (logged && this.closed) {
			// Shutting down, the writer gone: written here, the last few requests' lines not lost.
			new Line(record, null).write();
		}
		else if (logged && !enqueue(new Line(record, MDC.getCopyOfContextMap()))) {
			long total = this.dropped.incrementAndGet();
			long now = System.nanoTime();
			long last = this.lastDropWarning.get();
			if (now - last >= DROP_WARNING_INTERVAL_NANOS && this.lastDropWarning.compareAndSet(last, now)) {
				self.warn("The request log cannot keep up: {} lines waiting, {} dropped so far (the requests were "
						+ "served; metric switchboard.requests.log.dropped)", this.waiting.get(), total);
			}
		}
	}

	private boolean enqueue(Line line) {
		if (this.waiting.incrementAndGet() > this.queue) {
			this.waiting.decrementAndGet();
			return false;
		}
		this.lines.add(line);
		return true;
	}

	private @Nullable Line dequeue() {
		Line line = this.lines.poll();
		if (line != null) {
			this.waiting.decrementAndGet();
		}
		return line;
	}

	/** Lines dropped because the writer could not keep up, since start. */
	public long dropped() {
		return this.dropped.get();
	}

	/**
	 * Stops taking lines and writes those queued: the writer finishes them (waiting at most two
	 * seconds for it), and whatever a request completing during the close queued after that is
	 * written here. The writer is never interrupted: an appender writing through an interruptible
	 * channel would close it for every logger.
	 */
	@Override
	public void close() {
		this.closed = true;
		LockSupport.unpark(this.writer);
		try {
			this.writer.join(2000);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		for (Line left = dequeue(); left != null; left = dequeue()) {
			left.write();
		}
	}

	private void writeLines() {
		while (true) {
			Line line = dequeue();
			if (line != null) {
				line.write();
			}
			else if (this.closed) {
				return;
			}
			else {
				LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(WRITER_PAUSE_MILLIS));
			}
		}
	}

	/**
	 * A line to write, with the logging context (MDC) of the thread that completed the request, so
	 * that correlation fields such as the trace id stay on the line written by the writer thread.
	 */
	private record Line(ObjectNode record, @Nullable Map<String, String> context) {

		void write() {
			Map<String, String> previous = MDC.getCopyOfContextMap();
			try {
				if (this.context != null) {
					MDC.setContextMap(this.context);
				}
				log.info(Json.MAPPER.writeValueAsString(this.record));
			}
			catch (RuntimeException ex) {
				self.warn("Could not write a request log line", ex);
			}
			finally {
				if (previous != null) {
					MDC.setContextMap(previous);
				}
				else {
					MDC.clear();
				}
			}
		}

	}

	/** The record of a recent request, or {@code null} once it has left the window. */
	public @Nullable ObjectNode find(String requestId) {
		ObjectNode record = this.recent.get(requestId);
		return (record != null) ? record.deepCopy() : null;
	}

	/**
	 * The recent window: a concurrent map by request id, read without a lock, and a ring of the
	 * entries in arrival order, advanced under a lock held for two array writes only (the
	 * synchronized LinkedHashMap it replaces held one lock over every map operation and showed in
	 * the profile under load). An evicted entry leaves the map only if the map still holds that
	 * very record: a request id a client sent twice keeps its latest record.
	 */
	private static final class RecentRecords {

		private final Map<String, ObjectNode> byId = new ConcurrentHashMap<>();

		private final String[] ids;

		private final ObjectNode[] records;

		private int next;

		RecentRecords(int capacity) {
			this.ids = new String[Math.max(1, capacity)];
			this.records = new ObjectNode[this.ids.length];
		}

		void put(String id, ObjectNode record) {
			this.byId.put(id, record);
			String evictedId;
			ObjectNode evicted;
			synchronized (this) {
				evictedId = this.ids[this.next];
				evicted = this.records[this.next];
				this.ids[this.next] = id;
				this.records[this.next] = record;
				this.next = (this.next + 1) % this.ids.length;
			}
			if (evictedId != null) {
				this.byId.remove(evictedId, evicted);
			}
		}

		@Nullable ObjectNode get(String id) {
			return this.byId.get(id);
		}

	}

	static ObjectNode record(LlmExchange exchange, LlmExchange.Completion completion, @Nullable Throwable error) {
		ObjectNode record = Json.object();
		record.put("request_id", exchange.requestId());
		record.put("team", exchange.team().name());
		record.put("operation", exchange.operation().otelName());
		record.put("door", exchange.door().name());
		record.put("requested_model", exchange.requestedModel());
		record.put("stream", exchange.stream());
		CompareLeg leg = exchange.get(CompareLeg.class);
		if (leg != null) {
			// What a team spends comparing models, apart from what it spends on answers.
			ObjectNode compare = record.putObject("compare").put("id", leg.compareId()).put("leg", leg.leg())
				.put("legs", leg.legs());
			if (leg.judge()) {
				compare.put("judge", true);
			}
		}
		record.put("outcome", completion.name().toLowerCase());
		record.put("error_type", GenAiAttributes.errorType(completion, error));
		Attempt served = exchange.attempts().serving();
		if (served != null && completion != LlmExchange.Completion.ERROR) {
			record.put("provider", served.target().provider().name());
			record.put("model", served.target().model().upstreamModel());
		}
		ArrayNode attempts = record.putArray("attempts");
		for (Attempt attempt : exchange.attempts().all()) {
			ObjectNode node = attempts.addObject();
			node.put("target", attempt.target().label());
			node.put("outcome", attempt.outcome().name().toLowerCase());
			if (attempt.status() != 0) {
				node.put("status", attempt.status());
			}
			if (attempt.reason() != null) {
				node.put("reason", attempt.reason());
			}
			node.put("ms", attempt.durationNanos() / 1_000_000);
		}
		Checks checks = exchange.get(Checks.class);
		if (checks != null && !checks.all().isEmpty()) {
			ArrayNode guard = record.putArray("guard");
			for (Checks.Check check : checks.all()) {
				guard.addObject()
					.put("guardrail", check.name())
					.put("stage", check.stage())
					.put("outcome", check.outcome())
					.put("ms", check.nanos() / 1e6);
			}
		}
		ArrayNode decisions = record.putArray("decisions");
		exchange.decisions().forEach(decisions::add);
		// What was billed (the ledgers' and the quota's figure), not a second pricing of the reported usage.
		Bill bill = exchange.bill();
		if (bill != null) {
			Usage usage = bill.usage();
			record.put("prompt_tokens", usage.promptTokens());
			record.put("completion_tokens", usage.completionTokens());
			record.put("cached_prompt_tokens", usage.cachedPromptTokens());
			if (usage.cacheWriteTokens() > 0) {
				record.put("cache_write_tokens", usage.cacheWriteTokens());
				record.put("cache_write_1h_tokens", usage.cacheWrite1hTokens());
			}
			if (usage.reasoningTokens() > 0) {
				record.put("reasoning_tokens", usage.reasoningTokens());
			}
			record.put("usage_reported", usage.reported());
			record.put("cost_usd", bill.cost());
		}
		record.put("latency_ms", (System.nanoTime() - exchange.timing().startNanos()) / 1_000_000);
		if (exchange.timing().timeToFirstTokenNanos() > 0) {
			record.put("ttft_ms", exchange.timing().timeToFirstTokenNanos() / 1_000_000);
		}
		ContentCapture content = exchange.get(ContentCapture.class);
		if (content != null) {
			record.put("prompt", content.prompt());
			record.put("completion", content.completion());
		}
		return record;
	}

}
