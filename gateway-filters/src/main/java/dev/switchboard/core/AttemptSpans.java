package dev.switchboard.core;

import org.jspecify.annotations.Nullable;
import reactor.util.context.ContextView;

import org.springframework.http.HttpHeaders;

/**
 * The port through which the dispatcher traces: a client span per call to a provider, started
 * before the request is sent so that its trace context can be written into the provider request's
 * headers.
 *
 * <p>An interface rather than a Micrometer {@code Observation}: an observation per attempt also
 * registers, through Boot's meter handler, a timer and a long-task timer that duplicate
 * the gateway's own attempt counter, and in the observability benchmark that attempt
 * observation alone took a tenth of the gateway's CPU. The span is all a tracer needs; the numbers
 * come from cached meters. Observability implements it ({@code observe.TracerAttemptSpans}); the
 * dispatcher only knows this interface, so tracing can be off without the request path noticing.
 */
public interface AttemptSpans {

	/** No tracer: no span, no propagation headers. */
	AttemptSpans NONE = (exchange, target, headers, context) -> AttemptSpan.NONE;

	/**
	 * Starts the span of an attempt and writes its trace context into {@code headers}.
	 * @param context the Reactor context of the request, holding the gateway's server observation
	 */
	AttemptSpan start(LlmExchange exchange, RouteTarget target, HttpHeaders headers, ContextView context);

	/** A started attempt span. */
	interface AttemptSpan {

		AttemptSpan NONE = (exchange, attempt, error) -> {
		};

		/**
		 * Ends the span with the attempt's outcome, the usage the provider reported, and the error if
		 * the call failed. Called once per attempt, whichever way it ends.
		 */
		void end(LlmExchange exchange, Attempt attempt, @Nullable Throwable error);

	}

}
