package dev.switchboard.bench;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import reactor.core.publisher.Flux;
import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.catalog.Capability;
import dev.switchboard.catalog.ModelCatalog;
import dev.switchboard.catalog.ModelSpec;
import dev.switchboard.catalog.ProviderSpec;
import dev.switchboard.catalog.ProviderType;
import dev.switchboard.core.Json;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.LlmResponse;
import dev.switchboard.core.Operation;
import dev.switchboard.core.Team;
import dev.switchboard.guard.GuardMetrics;
import dev.switchboard.guard.GuardService;
import dev.switchboard.guard.GuardedRail;
import dev.switchboard.guard.Stage;
import dev.switchboard.guard.regex.RegexGuardrail;
import dev.switchboard.route.ModelResolver;
import dev.switchboard.sse.SseEvent;

/**
 * What the regex guardrails cost a request: {@code pii} (mask email, phone, card, IBAN) then
 * {@code secrets} (deny API keys and a keyword), run by the {@link GuardService} as the
 * {@code LlmGuard} filter runs them, on a 4 kB prompt of ordinary text with two addresses and a card
 * number in it (so the mask rewrites the body); then the same guardrails on an answer of that text,
 * whole and streamed. In-process, one thread, after a warm-up; prints min / median / max of the
 * per-round medians.
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
		answers(resolver, team);
		windowed(resolver, team);
	}

	/**
	 * The regex guardrails on streams released in windows of 256 characters: a 4 kB answer and one
	 * 16 times as long, in 4-character chunks. Each check sees its window and up to a window before
	 * it, so the cost per kilobyte should stay flat as the answer grows (it grew with the square of
	 * the answer while each check re-read the whole answer so far).
	 */
	private static void windowed(ModelResolver resolver, Team team) {
		Set<Stage> post = Set.of(Stage.POST);
		GuardService guard = new GuardService(Map.of("pii", new GuardedRail(new RegexGuardrail("pii", List.of(),
				List.of("email", "phone", "card", "iban"), Map.of()), Duration.ofSeconds(2), true, post, Set.of(), Set.of(),
				256)), GuardMetrics.NONE);
		ObjectNode body = Json.object().put("model", "m");
		body.putArray("messages").addObject().put("role", "user").put("content", "hi");
		StringBuilder report = new StringBuilder("Windows of 256 characters, streamed in 4-character chunks, per kB of "
				+ "answer (min / median / max of " + ROUNDS + " rounds' medians):");
		for (int times : new int[] { 1, 16 }) {
			String text = prompt().repeat(times);
			List<SseEvent> read = chunks(text).stream().map(Json::event).toList();
			int perRound = PER_ROUND / 20 / times;
			double[] medians = new double[ROUNDS];
			for (int round = -2; round < ROUNDS; round++) {
				long[] nanos = new long[perRound];
				for (int i = 0; i < perRound; i++) {
					LlmExchange exchange = new LlmExchange("req", Operation.CHAT, team, body,
							resolver.resolve("m", team, Operation.CHAT));
					long start = System.nanoTime();
					guard.checkAnswer(exchange, List.of("pii"),
							LlmResponse.stream(Flux.fromIterable(read).concatWithValues(SseEvent.DONE_EVENT), null),
							refused -> {
							}).block().events().blockLast();
					nanos[i] = System.nanoTime() - start;
				}
				if (round >= 0) {
					Arrays.sort(nanos);
					medians[round] = nanos[perRound / 2] / 1e6 / (text.length() / 1024.0);
				}
			}
			Arrays.sort(medians);
			report.append(String.format(Locale.ROOT, " %,d characters **%.4f / %.4f / %.4f ms**;", text.length(),
					medians[0], medians[ROUNDS / 2], medians[ROUNDS - 1]));
		}
		System.out.println(report.substring(0, report.length() - 1));
	}

	/**
	 * The same two guardrails on the answer ({@code post}): a 4 kB whole answer, and the same text
	 * streamed in 4-character chunks and held to the end, through the whole check (parse, check,
	 * mask, release).
	 */
	private static void answers(ModelResolver resolver, Team team) {
		Set<Stage> post = Set.of(Stage.POST);
		GuardService guard = new GuardService(Map.of(
				"pii", new GuardedRail(new RegexGuardrail("pii", List.of(), List.of("email", "phone", "card", "iban"),
						Map.of()), Duration.ofSeconds(2), true, post, Set.of(), Set.of(), GuardedRail.WHOLE_ANSWER),
				"secrets", new GuardedRail(new RegexGuardrail("secrets", List.of("api-key", "codename"), List.of(),
						Map.of("codename", "(?i)\\bproject atlas\\b")), Duration.ofSeconds(2), true, post, Set.of(),
						Set.of(), GuardedRail.WHOLE_ANSWER)),
				GuardMetrics.NONE);
		String text = prompt();
		ObjectNode completion = Json.object().put("id", "c").put("object", "chat.completion");
		completion.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop").putObject("message")
			.put("role", "assistant").put("content", text);
		byte[] json = Json.MAPPER.writeValueAsBytes(completion);
		List<byte[]> chunks = new ArrayList<>();
		List<SseEvent> read = new ArrayList<>();
		// Each chunk twice: as bytes the guard parses, and as the adapter hands them over, parsed once
		// already (events carry their parse, which every later reader shares).
		for (ObjectNode chunk : chunks(text)) {
			chunks.add(Json.MAPPER.writeValueAsBytes(chunk));
			read.add(Json.event(chunk));
		}
		ObjectNode body = Json.object().put("model", "m");
		body.putArray("messages").addObject().put("role", "user").put("content", "hi");
		List<String> names = List.of("pii", "secrets");
		int perRound = PER_ROUND / 10;
		double[] whole = new double[ROUNDS];
		double[] streamed = new double[ROUNDS];
		double[] parsed = new double[ROUNDS];
		for (int round = -2; round < ROUNDS; round++) {
			long[] jsonNanos = new long[perRound];
			long[] streamNanos = new long[perRound];
			long[] parsedNanos = new long[perRound];
			for (int i = 0; i < perRound; i++) {
				LlmExchange exchange = new LlmExchange("req", Operation.CHAT, team, body,
						resolver.resolve("m", team, Operation.CHAT));
				long start = System.nanoTime();
				guard.checkAnswer(exchange, names, LlmResponse.json(200, json, null), refused -> {
				}).block();
				jsonNanos[i] = System.nanoTime() - start;
				// Fresh events: the guard parses each chunk.
				Flux<SseEvent> events = Flux.fromIterable(chunks).map(SseEvent::data).concatWithValues(SseEvent.DONE_EVENT);
				start = System.nanoTime();
				guard.checkAnswer(exchange, names, LlmResponse.stream(events, null), refused -> {
				}).block().events().blockLast();
				streamNanos[i] = System.nanoTime() - start;
				start = System.nanoTime();
				guard.checkAnswer(exchange, names,
						LlmResponse.stream(Flux.fromIterable(read).concatWithValues(SseEvent.DONE_EVENT), null), refused -> {
				}).block().events().blockLast();
				parsedNanos[i] = System.nanoTime() - start;
			}
			if (round >= 0) {
				Arrays.sort(jsonNanos);
				Arrays.sort(streamNanos);
				Arrays.sort(parsedNanos);
				parsed[round] = parsedNanos[perRound / 2] / 1e6;
				whole[round] = jsonNanos[perRound / 2] / 1e6;
				streamed[round] = streamNanos[perRound / 2] / 1e6;
			}
		}
		Arrays.sort(whole);
		Arrays.sort(streamed);
		Arrays.sort(parsed);
		System.out.printf(Locale.ROOT, "The same guardrails on a %,d-character answer (post), per answer: whole "
				+ "**%.4f / %.4f / %.4f ms**; streamed in %,d chunks and held to the end **%.4f / %.4f / %.4f ms** "
				+ "with every chunk parsed here, **%.4f / %.4f / %.4f ms** with chunks the adapter had parsed "
				+ "(min / median / max of %d rounds' medians)%n", text.length(), whole[0], whole[ROUNDS / 2],
				whole[ROUNDS - 1], chunks.size(), streamed[0], streamed[ROUNDS / 2], streamed[ROUNDS - 1], parsed[0],
				parsed[ROUNDS / 2], parsed[ROUNDS - 1], ROUNDS);
	}

	/** {@code text} as chat completion chunks of four characters each. */
	private static List<ObjectNode> chunks(String text) {
		List<ObjectNode> chunks = new ArrayList<>();
		for (int i = 0; i < text.length(); i += 4) {
			ObjectNode chunk = Json.object().put("id", "c").put("object", "chat.completion.chunk");
			chunk.putArray("choices").addObject().put("index", 0).putNull("finish_reason").putObject("delta")
				.put("content", text.substring(i, Math.min(text.length(), i + 4)));
			chunks.add(chunk);
		}
		return chunks;
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
