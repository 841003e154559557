package dev.switchboard.guard.filter;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.OrderedGatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.cloud.gateway.support.GatewayToStringStyler;

import dev.switchboard.core.Checks;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.LlmExchangeListener;
import dev.switchboard.guard.GuardService;
import dev.switchboard.guard.Stage;

/**
 * {@code LlmGuard}: runs guardrails on the route's requests, from {@code switchboard.guard.*}.
 *
 * <pre>
 * filters:
 *   - LlmEndpoint
 *   - LlmGuard=pii,secrets        # shortcut: the guardrails, in order
 *   - name: LlmGuard
 *     args:
 *       guardrails: [pii, secrets]
 * </pre>
 *
 * Ordered after {@code LlmEndpoint} and before {@code LlmCache} and {@code LlmQuota}, whatever the
 * YAML order: a masked request is cached and reserved as masked, and a denied one is neither
 * looked up nor charged. Each guardrail runs in the stages it is configured for: before the call,
 * beside it (its check is started here and the answer waits for it) and on the answer, which is
 * checked before anything else of the exchange keeps it (a denied answer is never cached); a
 * reversible mask's placeholders are put back as the answer's very last step. The work is done by
 * {@link GuardService}; this filter asks it and names a refusing guardrail in the
 * {@value GuardService#GUARDRAIL_HEADER} header.
 */
public class LlmGuardGatewayFilterFactory extends AbstractGatewayFilterFactory<LlmGuardGatewayFilterFactory.Config> {

	/** After {@code LlmEndpoint} (-1000), before {@code LlmCache} (50) and {@code LlmQuota} (100). */
	public static final int ORDER = 40;

	private final GuardService guard;

	public LlmGuardGatewayFilterFactory(GuardService guard) {
		super(Config.class);
		this.guard = guard;
	}

	@Override
	public List<String> shortcutFieldOrder() {
		return List.of("guardrails");
	}

	@Override
	public ShortcutType shortcutType() {
		return ShortcutType.GATHER_LIST;
	}

	@Override
	public GatewayFilter apply(Config config) {
		config.validate(this.guard);
		List<String> guardrails = List.copyOf(config.getGuardrails());
		return new OrderedGatewayFilter((exchange, chain) -> {
			LlmExchange llm = LlmExchange.find(exchange);
			if (llm == null) {
				return chain.filter(exchange);
			}
			llm.put(Checks.class, new Checks());
			// A window refused mid-stream is told by the error event: the headers are gone by then.
			Consumer<String> refused = name -> {
				if (!exchange.getResponse().isCommitted()) {
					exchange.getResponse().getHeaders().set(GuardService.GUARDRAIL_HEADER, name);
				}
			};
			return this.guard.checkRequest(llm, guardrails, refused).flatMap(placeholders -> {
				if (this.guard.runs(llm, guardrails, Stage.DURING)) {
					// Started now, beside the call; the answer (whichever target gives it) waits for it.
					Mono<Void> during = this.guard.checkDuring(llm, guardrails, refused).cache();
					Disposable running = during.subscribe(null, error -> {
					});
					// A request that ends first (refused by the quota, the client gone) stops its check.
					llm.addListener(new LlmExchangeListener() {
						@Override
						public void onComplete(LlmExchange exchange, LlmExchange.Completion completion,
								@Nullable Throwable error) {
							running.dispose();
						}
					});
					llm.response().check(response -> response.isStream()
							? Mono.just(response.withEvents(events -> events.switchOnFirst(
									(first, flux) -> first.hasValue() ? during.thenMany(flux) : flux)))
							: during.thenReturn(response));
				}
				if (this.guard.runs(llm, guardrails, Stage.POST)) {
					llm.response().check(response -> this.guard.checkAnswer(llm, guardrails, response, refused));
				}
				if (!placeholders.isEmpty()) {
					llm.response().personalize(response -> this.guard.restore(llm, placeholders, response));
				}
				return chain.filter(exchange);
			});
		}, ORDER) {
			@Override
			public String toString() {
				return GatewayToStringStyler.filterToStringCreator(LlmGuardGatewayFilterFactory.this)
					.append("guardrails", guardrails)
					.toString();
			}
		};
	}

	public static class Config {

		private List<String> guardrails = new ArrayList<>();

		/** The guardrails to run, by name, in order. */
		public List<String> getGuardrails() {
			return this.guardrails;
		}

		public Config setGuardrails(List<String> guardrails) {
			this.guardrails = guardrails;
			return this;
		}

		/** Fails the route with a message that names the argument to fix. */
		public void validate(GuardService guard) {
			if (this.guardrails.isEmpty()) {
				throw new IllegalArgumentException("LlmGuard needs at least one guardrail, e.g. LlmGuard=pii; configured: "
						+ guard.names());
			}
			for (String name : this.guardrails) {
				if (!guard.knows(name)) {
					throw new IllegalArgumentException("LlmGuard: '" + name + "' is not a guardrail; define it under "
							+ "switchboard.guard.guardrails or as a Guardrail bean; configured: " + guard.names());
				}
			}
		}

	}

}
