package dev.switchboard.observe;

import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import io.micrometer.observation.transport.RequestReplySenderContext;
import org.jspecify.annotations.Nullable;
import reactor.util.context.ContextView;

import org.springframework.http.HttpHeaders;

import dev.switchboard.core.Attempt;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.Usage;
import dev.switchboard.route.RouteTarget;

/**
 * One client observation (a span, with Micrometer Tracing) per call to a provider, with the
 * OpenTelemetry GenAI attributes, as a child of the gateway's server observation.
 *
 * <p>The observation's carrier is the provider request's own headers: a tracing handler on the
 * registry injects the W3C {@code traceparent} there, so the trace continues at the provider. With
 * no handler registered (no tracing on the classpath) this costs next to nothing.
 */
public class AttemptObservations {

	public static final String NAME = "gen_ai.client.operation";

	private final ObservationRegistry registry;

	public AttemptObservations(ObservationRegistry registry) {
		this.registry = registry;
	}

	public static AttemptObservations noop() {
		return new AttemptObservations(ObservationRegistry.NOOP);
	}

	/**
	 * Starts the observation of an attempt, injecting propagation headers into {@code headers}.
	 * @param context the Reactor context of the request, holding the gateway's server observation
	 */
	public Observation start(LlmExchange exchange, RouteTarget target, HttpHeaders headers, ContextView context) {
		if (this.registry.isNoop()) {
			return Observation.NOOP;
		}
		RequestReplySenderContext<HttpHeaders, Object> sender = new RequestReplySenderContext<>(
				(carrier, key, value) -> carrier.set(key, value));
		sender.setCarrier(headers);
		sender.setRemoteServiceName(target.provider().name());
		Observation parent = context.getOrDefault(ObservationThreadLocalAccessor.KEY, null);
		return Observation.createNotStarted(NAME, () -> sender, this.registry)
			.contextualName(exchange.operation().otelName() + " " + target.model().upstreamModel())
			.parentObservation(parent)
			.lowCardinalityKeyValues(KeyValues.of(GenAiMetrics.OPERATION, exchange.operation().otelName(),
					GenAiMetrics.PROVIDER, target.provider().name(), GenAiMetrics.REQUEST_MODEL,
					target.model().upstreamModel(), GenAiMetrics.RESPONSE_MODEL, target.model().upstreamModel(),
					GenAiMetrics.TEAM, exchange.team().name()))
			.highCardinalityKeyValue("switchboard.request_id", exchange.requestId())
			.start();
	}

	/** Ends it with the outcome, the usage the provider reported, and the error if the call failed. */
	public void stop(Observation observation, LlmExchange exchange, Attempt attempt, @Nullable Throwable error) {
		if (observation == Observation.NOOP) {
			return;
		}
		observation.lowCardinalityKeyValue("switchboard.attempt.outcome", attempt.outcome().name().toLowerCase());
		Usage usage = exchange.usage();
		if (usage != null && error == null) {
			observation.highCardinalityKeyValue("gen_ai.usage.input_tokens", Long.toString(usage.promptTokens()));
			observation.highCardinalityKeyValue("gen_ai.usage.output_tokens", Long.toString(usage.completionTokens()));
		}
		if (error != null) {
			observation.lowCardinalityKeyValue(GenAiMetrics.ERROR_TYPE, GenAiMetrics.errorType(
					LlmExchange.Completion.ERROR, error));
			observation.error(error);
		}
		observation.stop();
	}

}
