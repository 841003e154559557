package dev.switchboard.guard;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.NativeRequest;

/**
 * Runs a route's guardrails on a request, in the order the route names them, before the cache, the
 * quota and the provider see it: a deny ends the request (a 400 {@code content_policy_violation}
 * naming the guardrail, in the shape of the client's door, and nothing charged), a rewrite replaces
 * the texts every later guardrail and filter sees.
 *
 * <p>The texts checked are those of the canonical body and, at a door whose provider may take the
 * client's own body ({@link NativeRequest}), of that body too, in one list: a masked address is
 * masked in whatever goes out. Each check is bounded by its guardrail's timeout; one that fails or
 * times out refuses the request when the guardrail is fail-closed (a 503 the client may retry)
 * and lets it pass, unchecked by that guardrail and said so in the decision record, when it is
 * fail-open. Metrics count every check by guardrail and outcome.
 */
public final class GuardService {

	/** The response header that names the guardrail that refused a request. */
	public static final String GUARDRAIL_HEADER = "x-switchboard-guardrail";

	private final Map<String, GuardedRail> guardrails;

	private final GuardMetrics metrics;

	public GuardService(Map<String, GuardedRail> guardrails, GuardMetrics metrics) {
		this.guardrails = Map.copyOf(guardrails);
		this.metrics = metrics;
	}

	public boolean knows(String name) {
		return this.guardrails.containsKey(name);
	}

	public List<String> names() {
		return this.guardrails.keySet().stream().sorted().toList();
	}

	/**
	 * Checks the request with the named guardrails; completes when it may go on, errors with the
	 * refusal (an {@link LlmApiException}) when it may not. {@code refused} hears the name of the
	 * guardrail that refused, for the response header.
	 */
	public Mono<Void> checkRequest(LlmExchange exchange, List<String> names, Consumer<String> refused) {
		NativeRequest client = exchange.nativeRequest();
		List<String> canonical = GuardTexts.read(exchange.body());
		List<String> extra = (client != null) ? GuardTexts.read(client.body()) : List.of();
		List<String> all = new ArrayList<>(canonical);
		all.addAll(extra);
		List<String> original = List.copyOf(all);
		GuardRequest[] current = { new GuardRequest(all, exchange.team().name(), exchange.requestedModel()) };
		return Flux.fromIterable(names).concatMap(name -> {
			GuardedRail rail = this.guardrails.get(name);
			long start = System.nanoTime();
			return rail.guardrail()
				.checkRequest(current[0])
				.timeout(rail.timeout())
				.switchIfEmpty(Mono.just(GuardVerdict.allow()))
				.onErrorResume(error -> failed(exchange, rail, error, start, refused))
				.flatMap(verdict -> {
					String outcome = switch (verdict.outcome()) {
						case ALLOW -> "allowed";
						case REWRITE -> "masked";
						case DENY -> "denied";
					};
					if (verdict.outcome() == GuardVerdict.Outcome.REWRITE
							&& verdict.texts().size() != current[0].texts().size()) {
						return failed(exchange, rail, new IllegalStateException("the rewrite returned "
								+ verdict.texts().size() + " texts for " + current[0].texts().size()), start, refused);
					}
					this.metrics.checked(name, outcome, System.nanoTime() - start);
					if (verdict.outcome() == GuardVerdict.Outcome.DENY) {
						exchange.decide("guard", name + " denied the request: " + verdict.reason());
						refused.accept(name);
						return Mono.error(new LlmApiException(400, "invalid_request_error", "content_policy_violation",
								null, "The request was blocked by the gateway's guardrail '" + name + "': "
										+ verdict.reason() + ".", null, null));
					}
					if (verdict.outcome() == GuardVerdict.Outcome.REWRITE) {
						exchange.decide("guard", name + " " + verdict.reason());
						current[0] = new GuardRequest(verdict.texts(), current[0].team(), current[0].model());
					}
					return Mono.<GuardVerdict>empty();
				});
		}).then(Mono.fromRunnable(() -> {
			List<String> checked = current[0].texts();
			if (!checked.equals(original)) {
				rewrite(exchange, client, checked.subList(0, canonical.size()),
						checked.subList(canonical.size(), checked.size()));
			}
		}));
	}

	/** The fail mode of a guardrail that errored or timed out: a refusal, or the request unchecked by it. */
	private Mono<GuardVerdict> failed(LlmExchange exchange, GuardedRail rail, Throwable error, long start,
			Consumer<String> refused) {
		boolean timeout = error instanceof TimeoutException;
		this.metrics.checked(rail.name(), timeout ? "timeout" : "error", System.nanoTime() - start);
		String what = timeout ? "did not answer within " + rail.timeout().toMillis() + " ms" : "failed (" + error + ")";
		if (rail.failClosed()) {
			exchange.decide("guard", rail.name() + " " + what + "; fail-closed: the request is refused");
			refused.accept(rail.name());
			return Mono.error(new LlmApiException(503, LlmApiException.API_ERROR, "guardrail_unavailable", null,
					"The gateway's guardrail '" + rail.name() + "' could not check the request; try again later.",
					null, null));
		}
		exchange.decide("guard", rail.name() + " " + what + "; fail-open: the request goes on unchecked by it");
		return Mono.just(GuardVerdict.allow());
	}

	private static void rewrite(LlmExchange exchange, NativeRequest client, List<String> canonical, List<String> extra) {
		ObjectNode body = exchange.bodyCopy();
		GuardTexts.write(body, canonical);
		exchange.rewriteBody(body, "the request's texts as the guardrails rewrote them are what is sent");
		if (client != null) {
			ObjectNode rewritten = client.body().deepCopy();
			GuardTexts.write(rewritten, extra);
			exchange.put(NativeRequest.class,
					new NativeRequest(client.protocol(), rewritten, client.headers(), client.unexpressed()));
		}
	}

}
