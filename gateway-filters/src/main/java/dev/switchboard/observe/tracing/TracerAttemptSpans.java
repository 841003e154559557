package dev.switchboard.observe.tracing;

import io.micrometer.observation.Observation;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.handler.TracingObservationHandler;
import io.micrometer.tracing.propagation.Propagator;
import org.jspecify.annotations.Nullable;
import reactor.util.context.ContextView;

import org.springframework.http.HttpHeaders;

import dev.switchboard.core.Attempt;
import dev.switchboard.core.AttemptSpans;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.RouteTarget;
import dev.switchboard.core.Usage;
import dev.switchboard.observe.GenAiAttributes;

/**
 * Attempt spans made with Micrometer Tracing directly (Brave or OpenTelemetry through its bridge):
 * a {@code CLIENT} span named {@code "{operation} {model}"} with the OpenTelemetry GenAI
 * attributes, child of the gateway's request span, its context injected into the provider request
 * (W3C {@code traceparent} by default), so the trace continues at the provider.
 *
 * <p>The parent is the span of the server observation that Spring WebFlux keeps in the Reactor
 * context; Switchboard's code runs on Netty threads where no span is current, so the tracer's
 * current span would be wrong or missing. An unsampled request gets the tracer's no-op span and
 * skips the attributes. Each span also carries the request id and its decision lines so far, the
 * "why" of the routing, next to the timing.
 */
public class TracerAttemptSpans implements AttemptSpans {

	/** The span attribute holding the request's decision lines, one per line. */
	public static final String DECISIONS = "switchboard.decisions";

	/** Longest {@link #DECISIONS} value; the full record stays at the llmrequests endpoint. */
	static final int MAX_DECISIONS_CHARS = 2000;

	private final Tracer tracer;

	private final Propagator propagator;

	public TracerAttemptSpans(Tracer tracer, Propagator propagator) {
		this.tracer = tracer;
		this.propagator = propagator;
	}

	@Override
	public AttemptSpan start(LlmExchange exchange, RouteTarget target, HttpHeaders headers, ContextView context) {
		Span.Builder builder = this.tracer.spanBuilder()
			.kind(Span.Kind.CLIENT)
			.name(exchange.operation().otelName() + " " + target.model().upstreamModel())
			.remoteServiceName(target.provider().name());
		Span parent = parent(context);
		if (parent != null) {
			builder.setParent(parent.context());
		}
		Span span = builder.start();
		this.propagator.inject(span.context(), headers, HttpHeaders::set);
		if (span.isNoop()) {
			return (ended, attempt, error) -> span.end();
		}
		span.tag(GenAiAttributes.OPERATION, exchange.operation().otelName())
			.tag(GenAiAttributes.PROVIDER, target.provider().name())
			.tag(GenAiAttributes.REQUEST_MODEL, target.model().upstreamModel())
			.tag(GenAiAttributes.TEAM, exchange.team().name())
			.tag("switchboard.request_id", exchange.requestId());
		return (ended, attempt, error) -> end(span, ended, attempt, error);
	}

	private @Nullable Span parent(ContextView context) {
		Observation server = context.getOrDefault(ObservationThreadLocalAccessor.KEY, null);
		if (server != null) {
			TracingObservationHandler.TracingContext tracing = server.getContextView()
				.get(TracingObservationHandler.TracingContext.class);
			if (tracing != null && tracing.getSpan() != null) {
				return tracing.getSpan();
			}
		}
		return this.tracer.currentSpan();
	}

	/**
	 * The decision lines so far (route, quota, cache, failover), so the trace explains itself. The
	 * attempt lines are left out: each attempt has its own span, and a failed attempt's line quotes
	 * the provider's error message, which may echo the request. Cut at {@link #MAX_DECISIONS_CHARS}.
	 */
	static String decisions(LlmExchange exchange) {
		StringBuilder lines = new StringBuilder();
		for (String line : exchange.decisions()) {
			if (line.startsWith("attempt: ")) {
				continue;
			}
			if (lines.length() + line.length() + 1 > MAX_DECISIONS_CHARS) {
				lines.append(lines.isEmpty() ? "" : "\n").append("...");
				break;
			}
			lines.append(lines.isEmpty() ? "" : "\n").append(line);
		}
		return lines.toString();
	}

	private static void end(Span span, LlmExchange exchange, Attempt attempt, @Nullable Throwable error) {
		span.tag("switchboard.attempt.outcome", attempt.outcome().name().toLowerCase());
		span.tag(GenAiAttributes.RESPONSE_MODEL, attempt.target().model().upstreamModel());
		Usage usage = exchange.usage();
		if (usage != null && error == null) {
			span.tag("gen_ai.usage.input_tokens", usage.promptTokens());
			span.tag("gen_ai.usage.output_tokens", usage.completionTokens());
		}
		span.tag(DECISIONS, decisions(exchange));
		if (error != null) {
			span.tag(GenAiAttributes.ERROR_TYPE, GenAiAttributes.errorType(LlmExchange.Completion.ERROR, error));
			span.error(error);
		}
		span.end();
	}

}
