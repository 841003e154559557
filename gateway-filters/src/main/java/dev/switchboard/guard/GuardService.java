package dev.switchboard.guard;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.core.Checks;
import dev.switchboard.core.GatewayRefusal;
import dev.switchboard.core.Json;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.LlmResponse;
import dev.switchboard.core.NativeAnswer;
import dev.switchboard.core.NativeRequest;
import dev.switchboard.core.Operation;
import dev.switchboard.core.Timers;

/**
 * Runs a route's guardrails, in the order the route names them, at three points of a request
 * ({@link Stage}): before the cache, the quota and the provider see it; beside the provider call;
 * and on the answer before the client (or the cache) sees any of it. A deny ends the request with
 * a 400 {@code content_policy_violation} naming the guardrail, in the shape of the client's door
 * (nothing charged when it was refused before the call); a rewrite replaces the texts every later
 * guardrail and filter sees.
 *
 * <p>Request texts are those of the canonical body and, at a door whose provider may take the
 * client's own body ({@link NativeRequest}), of that body too, in one list: a masked address is
 * masked in whatever goes out. Answer texts are those of the canonical answer; when answer checks
 * run, the client gets the canonical answer rendered for its door and never a provider's native
 * body beside it, which would carry what no check saw.
 *
 * <p>Each check is bounded by its guardrail's timeout; one that fails or times out refuses (a 503
 * the client may retry) when the guardrail is fail-closed, and lets the text pass unchecked by
 * that guardrail, said so in the decision record, when it is fail-open. Refusals are
 * {@link GatewayRefusal}s: no failover walks on them and no breaker counts them. Metrics count
 * every check by guardrail, stage and outcome.
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

	/** The named guardrails that run in {@code stage} for this exchange's team and model. */
	List<GuardedRail> railsFor(LlmExchange exchange, List<String> names, Stage stage) {
		List<GuardedRail> rails = new ArrayList<>(names.size());
		for (String name : names) {
			GuardedRail rail = this.guardrails.get(name);
			if (rail != null && rail.appliesTo(stage, exchange.team().name(), exchange.requestedModel())) {
				rails.add(rail);
			}
		}
		return rails;
	}

	/** Whether any of the named guardrails runs in {@code stage} for this exchange. */
	public boolean runs(LlmExchange exchange, List<String> names, Stage stage) {
		return !railsFor(exchange, names, stage).isEmpty();
	}

	/**
	 * Checks the request with the named guardrails of {@link Stage#PRE}; completes when it may go
	 * on, with the placeholders a reversible rewrite wrote (empty for none), and errors with the
	 * refusal when it may not. {@code refused} hears the name of the guardrail that refused, for
	 * the response header.
	 */
	public Mono<Map<String, String>> checkRequest(LlmExchange exchange, List<String> names, Consumer<String> refused) {
		List<GuardedRail> rails = railsFor(exchange, names, Stage.PRE);
		if (rails.isEmpty()) {
			return Mono.just(Map.of());
		}
		NativeRequest client = exchange.nativeRequest();
		List<String> canonical = GuardTexts.read(exchange.body());
		List<String> all = new ArrayList<>(canonical);
		if (client != null) {
			all.addAll(GuardTexts.read(client.body()));
		}
		GuardRequest request = new GuardRequest(all, exchange.team().name(), exchange.requestedModel());
		return run(exchange, rails, Stage.PRE, all, false, texts -> rail -> rail.guardrail()
			.checkRequest(new GuardRequest(texts, request.team(), request.model(), Stage.PRE)), refused).map(checked -> {
				if (!checked.texts().equals(all)) {
					rewrite(exchange, client, checked.texts().subList(0, canonical.size()),
							checked.texts().subList(canonical.size(), checked.texts().size()));
				}
				return checked.restore();
			});
	}

	/**
	 * Checks the request with the named guardrails of {@link Stage#DURING}, as sent: completes when
	 * they let it pass, errors with the refusal when not (a rewrite is a refusal here: the request
	 * has gone out as it was). Subscribed beside the call; the answer waits for it.
	 */
	public Mono<Void> checkDuring(LlmExchange exchange, List<String> names, Consumer<String> refused) {
		List<GuardedRail> rails = railsFor(exchange, names, Stage.DURING);
		if (rails.isEmpty()) {
			return Mono.empty();
		}
		NativeRequest client = exchange.nativeRequest();
		List<String> all = new ArrayList<>(GuardTexts.read(exchange.body()));
		if (client != null) {
			all.addAll(GuardTexts.read(client.body()));
		}
		return run(exchange, rails, Stage.DURING, all, false, texts -> rail -> rail.guardrail()
			.checkRequest(new GuardRequest(texts, exchange.team().name(), exchange.requestedModel(), Stage.DURING)),
				refused)
			.then();
	}

	/**
	 * The answer as the named guardrails of {@link Stage#POST} let it go on: a whole answer checked
	 * (and rewritten or refused) before it is released, a stream checked window by window (the
	 * smallest {@link GuardedRail#streamWindow()} among them; by default the whole answer), ending
	 * with the door's error event when a window is refused after earlier ones were sent. Error answers, embeddings and token counts are not checked: they carry no answer text.
	 */
	public Mono<LlmResponse> checkAnswer(LlmExchange exchange, List<String> names, LlmResponse response,
			Consumer<String> refused) {
		List<GuardedRail> rails = railsFor(exchange, names, Stage.POST);
		if (rails.isEmpty() || exchange.operation() != Operation.CHAT || response.status() < 200
				|| response.status() >= 300) {
			return Mono.just(response);
		}
		if (response.isStream()) {
			int window = rails.stream().mapToInt(GuardedRail::streamWindow).min().orElse(GuardedRail.WHOLE_ANSWER);
			return Mono.just(response.withEvents(
					events -> Flux.defer(() -> new HeldStream(this, exchange, rails, window, refused).hold(events))));
		}
		// The client gets the checked canonical answer, never the provider's own body beside it.
		exchange.remove(NativeAnswer.class);
		JsonNode completion = Json.MAPPER.readTree(response.json());
		List<AnswerTexts.Piece> pieces = AnswerTexts.read(completion, AnswerTexts.MESSAGE);
		if (pieces.isEmpty()) {
			return Mono.just(response);
		}
		List<String> texts = pieces.stream().map(AnswerTexts.Piece::text).toList();
		return checkAnswerTexts(exchange, rails, texts, true, false, refused).map(Checked::texts).map(checked -> {
			if (checked.equals(texts)) {
				return response;
			}
			Map<AnswerTexts.Slot, String> rewritten = new HashMap<>();
			for (int i = 0; i < pieces.size(); i++) {
				// A slot read twice (a choice's index given twice) is written once, with both texts.
				rewritten.merge(pieces.get(i).slot(), checked.get(i), String::concat);
			}
			ObjectNode copy = (ObjectNode) completion.deepCopy();
			AnswerTexts.write(copy, AnswerTexts.MESSAGE, rewritten);
			return response.withJson(Json.MAPPER.writeValueAsBytes(copy));
		});
	}

	/**
	 * The answer with the placeholders of a reversible mask ({@code placeholders}, as
	 * {@link #checkRequest} returned them) put back: for the exchange's last step only.
	 */
	public LlmResponse restore(LlmExchange exchange, Map<String, String> placeholders, LlmResponse response) {
		return Restoration.restore(exchange, placeholders, response);
	}

	/**
	 * The answer's texts (so far) as the POST guardrails let them go on, and, when {@code where}
	 * (a held stream lays them over its chunks), where they changed them.
	 */
	Mono<Checked> checkAnswerTexts(LlmExchange exchange, List<GuardedRail> rails, List<String> texts,
			boolean complete, boolean where, Consumer<String> refused) {
		return run(exchange, rails, Stage.POST, texts, where, current -> rail -> rail.guardrail()
			.checkAnswer(new GuardAnswer(current, exchange.team().name(), exchange.requestedModel(), complete)),
				refused);
	}

	/**
	 * The texts as the guardrails let them go on, the placeholders to restore, and per text where
	 * they changed it ({@code null} where a guardrail gave only its new text).
	 */
	record Checked(List<String> texts, Map<String, String> restore, List<@Nullable List<GuardVerdict.Edit>> edits) {
	}

	/**
	 * Runs {@code rails} one after another over {@code texts}, each seeing what the one before let
	 * through; completes with the texts as they go on (and, when {@code where}, where they changed
	 * them), errors with the refusal.
	 */
	private Mono<Checked> run(LlmExchange exchange, List<GuardedRail> rails, Stage stage, List<String> texts,
			boolean where, Function<List<String>, Function<GuardedRail, Mono<GuardVerdict>>> check,
			Consumer<String> refused) {
		String subject = (stage == Stage.POST) ? "answer" : "request";
		List<List<String>> current = new ArrayList<>(List.of(texts));
		// Per text, where the rewrites so far changed it; null where one gave only its new text, and
		// for all when nobody asks where (a request, a whole answer).
		List<List<GuardVerdict.Edit>> edits = new ArrayList<>(Collections.nCopies(texts.size(), where ? List.of() : null));
		Map<String, String> restore = new HashMap<>();
		return Flux.fromIterable(rails).concatMap(rail -> {
			long start = System.nanoTime();
			List<String> seen = current.get(0);
			return Mono.defer(() -> check.apply(seen).apply(rail))
				.timeout(Timers.delay(rail.timeout()))
				.switchIfEmpty(Mono.just(GuardVerdict.allow()))
				.onErrorResume(error -> failed(exchange, rail, stage, subject, error, start, refused))
				.flatMap(verdict -> {
					if (verdict.outcome() == GuardVerdict.Outcome.REWRITE && verdict.texts().size() != seen.size()) {
						return failed(exchange, rail, stage, subject, new IllegalStateException("the rewrite returned "
								+ verdict.texts().size() + " texts for " + seen.size()), start, refused);
					}
					return Mono.just(verdict);
				})
				.flatMap(verdict -> {
					GuardVerdict.Outcome outcome = verdict.outcome();
					if (outcome == GuardVerdict.Outcome.REWRITE && stage == Stage.DURING) {
						checked(exchange, rail.name(), stage, "denied", System.nanoTime() - start);
						exchange.decide("guard", rail.name() + " would rewrite the request, which was already sent "
								+ "(" + verdict.reason() + "): refused; run it before the call (stages: [pre]) to mask");
						return Mono.error(refusal(rail.name(), subject, "the request contains text it must not carry",
								refused));
					}
					checked(exchange, rail.name(), stage, switch (outcome) {
						case ALLOW -> "allowed";
						case REWRITE -> "masked";
						case DENY -> "denied";
					}, System.nanoTime() - start);
					if (outcome == GuardVerdict.Outcome.DENY) {
						exchange.decide("guard", rail.name() + " denied the " + subject + ": " + verdict.reason());
						return Mono.error(refusal(rail.name(), subject, verdict.reason(), refused));
					}
					if (outcome == GuardVerdict.Outcome.REWRITE) {
						exchange.decide("guard", rail.name() + " " + verdict.reason() + " in the " + subject);
						for (int i = 0; i < seen.size(); i++) {
							String now = verdict.texts().get(i);
							if (edits.get(i) != null && !now.equals(seen.get(i))) {
								edits.set(i, composed(seen.get(i), now, edits.get(i), verdict.edits(), i));
							}
						}
						current.set(0, verdict.texts());
						restore.putAll(verdict.restore());
					}
					return Mono.<GuardVerdict>empty();
				});
		}).then(Mono.fromSupplier(() -> new Checked(current.get(0), restore, edits)));
	}

	/**
	 * Where the rewrites so far changed text {@code i}, with this one's: {@code null} (not known)
	 * when the rewrite gave none for it, or edits that do not make the text it returned (a guardrail
	 * of one's own whose edits are wrong is then taken as a text-only rewrite, never trusted).
	 */
	private static @Nullable List<GuardVerdict.Edit> composed(String seen, String now, List<GuardVerdict.Edit> before,
			@Nullable List<List<GuardVerdict.Edit>> given, int i) {
		List<GuardVerdict.Edit> edits = (given != null) ? given.get(i) : null;
		if (edits == null) {
			return null;
		}
		try {
			return Changes.apply(seen, edits).equals(now) ? Changes.compose(seen, before, edits) : null;
		}
		catch (IllegalArgumentException ex) {
			return null; // out of order or past the text
		}
	}

	/** Meters a check and notes it on the exchange for the request log. */
	private void checked(LlmExchange exchange, String rail, Stage stage, String outcome, long nanos) {
		this.metrics.checked(rail, stage, outcome, nanos);
		Checks checks = exchange.get(Checks.class);
		if (checks != null) {
			checks.add(new Checks.Check(rail, stage.name().toLowerCase(Locale.ROOT), outcome, nanos));
		}
	}

	private static GatewayRefusal refusal(String rail, String subject, String reason, Consumer<String> refused) {
		refused.accept(rail);
		return new GatewayRefusal(400, LlmApiException.INVALID_REQUEST, "content_policy_violation", "The " + subject
				+ " was blocked by the gateway's guardrail '" + rail + "': " + reason + ".");
	}

	/** The fail mode of a guardrail that errored or timed out: a refusal, or the texts unchecked by it. */
	private Mono<GuardVerdict> failed(LlmExchange exchange, GuardedRail rail, Stage stage, String subject,
			Throwable error, long start, Consumer<String> refused) {
		boolean timeout = error instanceof TimeoutException;
		checked(exchange, rail.name(), stage, timeout ? "timeout" : "error", System.nanoTime() - start);
		String what = timeout ? "did not answer within " + rail.timeout().toMillis() + " ms"
				: "failed (" + error.getClass().getSimpleName() + ": " + error.getMessage() + ")";
		if (rail.failClosed()) {
			exchange.decide("guard", rail.name() + " " + what + "; fail-closed: the " + subject + " is refused");
			refused.accept(rail.name());
			return Mono.error(new GatewayRefusal(503, LlmApiException.API_ERROR, "guardrail_unavailable",
					"The gateway's guardrail '" + rail.name() + "' could not check the " + subject
							+ "; try again later."));
		}
		exchange.decide("guard",
				rail.name() + " " + what + "; fail-open: the " + subject + " goes on unchecked by it");
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
