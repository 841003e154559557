package dev.switchboard.observe;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.core.Ordered;

import dev.switchboard.core.Attempt;
import dev.switchboard.core.Bill;
import dev.switchboard.core.Json;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.LlmExchangeListener;
import dev.switchboard.core.Usage;

/**
 * One structured JSON line per LLM request, on the logger {@value #LOGGER}: who asked for what,
 * which targets were tried and why each was chosen, skipped or failed, the tokens, the cost, the
 * latency and the time to first token. It never contains a key, nor prompt or completion text
 * unless an operator asks for them (a bounded number of characters of each, see
 * {@link ContentCapture}).
 *
 * <p>The same record is kept for a bounded recent window, retrievable by request id (the
 * {@code llmrequests} actuator endpoint), so an operator can ask "why did this request go there".
 */
public class RequestLog implements LlmExchangeListener, Ordered {

	public static final String LOGGER = "switchboard.requests";

	private static final Logger log = LoggerFactory.getLogger(LOGGER);

	private final int capacity;

	private final int contentChars;

	private final Map<String, ObjectNode> recent;

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
		this.capacity = capacity;
		this.contentChars = contentChars;
		this.recent = (capacity > 0) ? Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, false) {
			@Override
			protected boolean removeEldestEntry(Map.Entry<String, ObjectNode> eldest) {
				return size() > RequestLog.this.capacity;
			}
		}) : new ConcurrentHashMap<>();
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
			exchange.decorateResponse(content::tee);
		}
	}

	@Override
	public void onComplete(LlmExchange exchange, LlmExchange.Completion completion, @Nullable Throwable error) {
		ObjectNode record = record(exchange, completion, error);
		if (this.capacity > 0) {
			this.recent.put(exchange.requestId(), record);
		}
		if (log.isInfoEnabled()) {
			log.info(record.toString());
		}
	}

	/** The record of a recent request, or {@code null} once it has left the window. */
	public @Nullable ObjectNode find(String requestId) {
		ObjectNode record = this.recent.get(requestId);
		return (record != null) ? record.deepCopy() : null;
	}

	static ObjectNode record(LlmExchange exchange, LlmExchange.Completion completion, @Nullable Throwable error) {
		ObjectNode record = Json.object();
		record.put("request_id", exchange.requestId());
		record.put("team", exchange.team().name());
		record.put("operation", exchange.operation().otelName());
		record.put("requested_model", exchange.requestedModel());
		record.put("stream", exchange.stream());
		record.put("outcome", completion.name().toLowerCase());
		record.put("error_type", GenAiMetrics.errorType(completion, error));
		Attempt served = exchange.servingAttempt();
		if (served != null && completion != LlmExchange.Completion.ERROR) {
			record.put("provider", served.target().provider().name());
			record.put("model", served.target().model().upstreamModel());
		}
		ArrayNode attempts = record.putArray("attempts");
		for (Attempt attempt : exchange.attempts()) {
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
		ArrayNode decisions = record.putArray("decisions");
		exchange.decisions().forEach(decisions::add);
		// What was billed (the ledgers' and the quota's figure), not a second pricing of the reported usage.
		Bill bill = exchange.bill();
		if (bill != null) {
			Usage usage = bill.usage();
			record.put("prompt_tokens", usage.promptTokens());
			record.put("completion_tokens", usage.completionTokens());
			record.put("cached_prompt_tokens", usage.cachedPromptTokens());
			record.put("usage_reported", usage.reported());
			record.put("cost_usd", bill.cost());
		}
		record.put("latency_ms", (System.nanoTime() - exchange.startNanos()) / 1_000_000);
		if (exchange.timeToFirstTokenNanos() > 0) {
			record.put("ttft_ms", exchange.timeToFirstTokenNanos() / 1_000_000);
		}
		ContentCapture content = exchange.get(ContentCapture.class);
		if (content != null) {
			record.put("prompt", content.prompt());
			record.put("completion", content.completion());
		}
		return record;
	}

}
