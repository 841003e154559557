package dev.switchboard.observe;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import org.jspecify.annotations.Nullable;

import dev.switchboard.catalog.Pricing;
import dev.switchboard.core.Attempt;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.LlmExchangeListener;
import dev.switchboard.core.Usage;
import dev.switchboard.route.RouteTarget;

/**
 * Micrometer metrics following the OpenTelemetry GenAI semantic conventions, plus the gateway's
 * own: requests by outcome, cost, failover attempts.
 *
 * <p>Tags are bounded by configuration (team, requested model, provider, served model, error
 * type); nothing a client chooses freely (a user id, a prompt, an unknown model name) becomes a
 * tag. Registered on every LLM exchange and fed by its listener callbacks, so no body is parsed
 * twice.
 */
public class GenAiMetrics implements LlmExchangeListener {

	public static final String TOKEN_USAGE = "gen_ai.client.token.usage";

	public static final String OPERATION_DURATION = "gen_ai.client.operation.duration";

	public static final String TIME_TO_FIRST_TOKEN = "gen_ai.server.time_to_first_token";

	public static final String REQUESTS = "switchboard.requests";

	public static final String COST = "switchboard.cost";

	public static final String ATTEMPTS = "switchboard.attempts";

	public static final String OPERATION = "gen_ai.operation.name";

	public static final String PROVIDER = "gen_ai.provider.name";

	public static final String REQUEST_MODEL = "gen_ai.request.model";

	public static final String RESPONSE_MODEL = "gen_ai.response.model";

	public static final String TOKEN_TYPE = "gen_ai.token.type";

	public static final String ERROR_TYPE = "error.type";

	public static final String TEAM = "switchboard.team";

	public static final String OUTCOME = "outcome";

	private final MeterRegistry registry;

	public GenAiMetrics(MeterRegistry registry) {
		this.registry = registry;
	}

	@Override
	public void onAttemptEnd(LlmExchange exchange, Attempt attempt) {
		Counter.builder(ATTEMPTS)
			.description("Calls to providers, by outcome; more than one per request means retries or failover")
			.tags(PROVIDER, attempt.target().provider().name(), RESPONSE_MODEL, attempt.target().model().upstreamModel(),
					OUTCOME, attempt.outcome().name().toLowerCase())
			.register(this.registry)
			.increment();
	}

	@Override
	public void onComplete(LlmExchange exchange, LlmExchange.Completion completion, @Nullable Throwable error) {
		Attempt served = exchange.servingAttempt();
		RouteTarget target = (served != null) ? served.target() : null;
		Tags tags = Tags.of(OPERATION, exchange.operation().otelName(), REQUEST_MODEL, exchange.requestedModel(), TEAM,
				exchange.team().name(), PROVIDER, (target != null) ? target.provider().name() : "none", RESPONSE_MODEL,
				(target != null) ? target.model().upstreamModel() : "none");
		String errorType = errorType(completion, error);
		Timer.builder(OPERATION_DURATION)
			.description("Duration of LLM operations through the gateway")
			.tags(tags.and(ERROR_TYPE, errorType))
			.register(this.registry)
			.record(System.nanoTime() - exchange.startNanos(), TimeUnit.NANOSECONDS);
		Counter.builder(REQUESTS)
			.description("LLM requests by outcome")
			.tags(tags.and(OUTCOME, completion.name().toLowerCase(), ERROR_TYPE, errorType))
			.register(this.registry)
			.increment();
		if (exchange.timeToFirstTokenNanos() > 0) {
			Timer.builder(TIME_TO_FIRST_TOKEN)
				.description("Time from the request to the first generated token")
				.tags(tags)
				.register(this.registry)
				.record(Duration.ofNanos(exchange.timeToFirstTokenNanos()));
		}
		Usage usage = exchange.usage();
		if (usage == null || target == null) {
			return;
		}
		tokens(tags, "input", usage.promptTokens());
		tokens(tags, "output", usage.completionTokens());
		Counter.builder(COST)
			.description("Spend in USD at catalog prices")
			.baseUnit("usd")
			.tags(tags)
			.register(this.registry)
			.increment(Pricing.cost(target.model(), usage).doubleValue());
	}

	private void tokens(Tags tags, String type, long count) {
		DistributionSummary.builder(TOKEN_USAGE)
			.description("Tokens used per LLM operation")
			.tags(tags.and(TOKEN_TYPE, type))
			.register(this.registry)
			.record(count);
	}

	/** A bounded error label: the OpenAI error type or code, the Java class otherwise, {@code _OTHER} never. */
	static String errorType(LlmExchange.Completion completion, @Nullable Throwable error) {
		if (completion == LlmExchange.Completion.CANCELLED) {
			return "cancelled";
		}
		if (error == null) {
			return "none";
		}
		if (error instanceof LlmApiException api) {
			return (api.code() != null) ? api.code() : api.type();
		}
		return error.getClass().getSimpleName();
	}

}
