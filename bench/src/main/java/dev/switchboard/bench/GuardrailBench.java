package dev.switchboard.bench;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.catalog.Capability;
import dev.switchboard.catalog.ModelCatalog;
import dev.switchboard.catalog.ModelSpec;
import dev.switchboard.catalog.ProviderSpec;
import dev.switchboard.catalog.ProviderType;
import dev.switchboard.core.Json;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.Operation;
import dev.switchboard.core.Team;
import dev.switchboard.guard.GuardMetrics;
import dev.switchboard.guard.GuardService;
import dev.switchboard.guard.GuardedRail;
import dev.switchboard.guard.regex.RegexGuardrail;
import dev.switchboard.route.ModelResolver;

/**
 * What the regex guardrails cost a request: {@code pii} (mask email, phone, card, IBAN) then
 * {@code secrets} (deny API keys and a keyword), run by the {@link GuardService} as the
 * {@code LlmGuard} filter runs them, on a 4 kB prompt of ordinary text with two addresses and a card
 * number in it (so the mask rewrites the body). In-process, one thread, after a warm-up; prints
 * min / median / max of the per-round medians.
 */
public final class GuardrailBench {

	private static final int ROUNDS = 5;

	private static final int PER_ROUND = 20_000;

	private GuardrailBench() {
	}

	public static void main(String[] args) {
		GuardService guard = new GuardService(Map.of(
				"pii", new GuardedRail(new RegexGuardrail("pii", List.of(), List.of("email", "phone", "card", "iban"),
						Map.of()), Duration.ofSeconds(2), true),
				"secrets", new GuardedRail(new RegexGuardrail("secrets", List.of("api-key", "codename"), List.of(),
						Map.of("codename", "(?i)\\bproject atlas\\b")), Duration.ofSeconds(2), true)),
				GuardMetrics.NONE);
		ModelCatalog catalog = new ModelCatalog(List.of(new ProviderSpec("p", ProviderType.OPENAI,
				URI.create("http://127.0.0.1:1/v1"), null, Map.of(), Duration.ofSeconds(1), Duration.ofSeconds(1), true)),
				List.of(new ModelSpec("m", "p", "m", List.of(), null, null, null, null, Set.of(Capability.CHAT))));
		ModelResolver resolver = new ModelResolver(catalog);
		ObjectNode body = Json.object().put("model", "m");
		body.putArray("messages").addObject().put("role", "user").put("content", prompt());
		List<String> names = List.of("pii", "secrets");
		Team team = Team.unrestricted("bench");
		double[] medians = new double[ROUNDS];
		for (int round = -2; round < ROUNDS; round++) {
			long[] nanos = new long[PER_ROUND];
			for (int i = 0; i < PER_ROUND; i++) {
				LlmExchange exchange = new LlmExchange("req", Operation.CHAT, team, body,
						resolver.resolve("m", team, Operation.CHAT));
				long start = System.nanoTime();
				guard.checkRequest(exchange, names, refused -> {
				}).block();
				nanos[i] = System.nanoTime() - start;
			}
			if (round >= 0) {
				Arrays.sort(nanos);
				medians[round] = nanos[PER_ROUND / 2] / 1e6;
			}
		}
		Arrays.sort(medians);
		System.out.printf(Locale.ROOT, "Regex guardrails (pii: mask 4 patterns; secrets: deny 2) on a %,d-character "
				+ "prompt, per request: min / median / max of %d rounds' medians **%.4f / %.4f / %.4f ms**%n",
				prompt().length(), ROUNDS, medians[0], medians[ROUNDS / 2], medians[ROUNDS - 1]);
	}

	/** About 4 kB of prose with two addresses and a card number to mask. */
	private static String prompt() {
		StringBuilder text = new StringBuilder();
		String sentence = "The quarterly report covers revenue, churn and the roadmap for the platform team, "
				+ "with figures for 2026-12-07 and version 1.2.3 of the gateway. ";
		while (text.length() < 4000) {
			text.append(sentence);
		}
		text.insert(1000, " Contact jane.doe@example.com or ops@example.org. ");
		text.insert(2500, " Card on file: 4111 1111 1111 1111. ");
		return text.substring(0, 4096);
	}

}
