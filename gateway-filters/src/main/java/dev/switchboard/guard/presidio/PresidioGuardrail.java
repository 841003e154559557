package dev.switchboard.guard.presidio;

import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.core.Json;
import dev.switchboard.guard.GuardAnswer;
import dev.switchboard.guard.GuardCalls;
import dev.switchboard.guard.GuardRequest;
import dev.switchboard.guard.GuardVerdict;
import dev.switchboard.guard.Guardrail;
import dev.switchboard.guard.Stage;

/**
 * A guardrail that asks Microsoft Presidio what personal data a text holds: its analyzer
 * ({@code POST /analyze}) finds entities (a person, an e-mail address, a US social security
 * number), and each entity type the guardrail names is either blocked (the request or answer is
 * refused, naming the type, never the text) or masked. Masks are {@code <EMAIL_ADDRESS>}
 * placeholders written by the gateway, numbered ({@code <EMAIL_ADDRESS_1>}) and put back in the
 * answer when the mask is reversible; or, with an anonymizer configured and no reversible mask,
 * whatever the anonymizer's operators write ({@code POST /anonymize}: replace, redact, hash, mask,
 * encrypt).
 *
 * <p>Each text is analysed on its own call, at most {@value #CONCURRENCY} at a time; Presidio's
 * offsets count Unicode code points and are converted to Java's, so an emoji before an address
 * does not shift its mask. An analyzer or anonymizer that answers anything but its documented JSON
 * is a failed check, which the guardrail's fail mode decides.
 */
public final class PresidioGuardrail implements Guardrail {

	public enum Action {

		MASK, BLOCK

	}

	static final int CONCURRENCY = 8;

	private static final int MAX_ANSWER = 4 << 20;

	private final String name;

	private final URI analyzer;

	private final @Nullable URI anonymizer;

	private final String language;

	private final double threshold;

	private final Map<String, Action> entities;

	private final Map<String, Map<String, String>> operators;

	private final boolean reversible;

	private final Set<Stage> stages;

	private final HttpClient client;

	/**
	 * @param entities each entity type to act on (Presidio's names: {@code EMAIL_ADDRESS},
	 * {@code PHONE_NUMBER}, {@code CREDIT_CARD}, {@code US_SSN}, {@code PERSON}, ...) and what to
	 * do with it
	 * @param operators the anonymizer's operator for an entity type ({@code DEFAULT} for all), as
	 * Presidio documents them ({@code type: mask, masking_char: "*", chars_to_mask: 4})
	 */
	public PresidioGuardrail(String name, URI analyzer, @Nullable URI anonymizer, String language, double threshold,
			Map<String, Action> entities, Map<String, Map<String, String>> operators, boolean reversible,
			Set<Stage> stages, HttpClient client) {
		if (entities.isEmpty()) {
			throw new IllegalArgumentException("entities: name the entity types to act on, e.g. entities: "
					+ "{EMAIL_ADDRESS: mask, US_SSN: block}");
		}
		if (threshold < 0 || threshold > 1) {
			throw new IllegalArgumentException("score-threshold: must be from 0 to 1, was " + threshold);
		}
		if (reversible && anonymizer != null) {
			throw new IllegalArgumentException("reversible: the gateway writes reversible masks itself; remove "
					+ "anonymizer-url or set reversible: false");
		}
		this.name = name;
		this.analyzer = endpoint(analyzer, "analyze", "analyzer-url");
		this.anonymizer = (anonymizer != null) ? endpoint(anonymizer, "anonymize", "anonymizer-url") : null;
		this.language = language;
		this.threshold = threshold;
		this.entities = Map.copyOf(entities);
		this.operators = Map.copyOf(operators);
		this.reversible = reversible;
		this.stages = Set.copyOf(stages);
		this.client = client;
	}

	private static URI endpoint(URI base, String path, String property) {
		String root = GuardCalls.httpUrl(base, property).toString();
		return URI.create(root.endsWith("/") ? root + path : root + "/" + path);
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public Set<Stage> stages() {
		return this.stages;
	}

	@Override
	public Mono<GuardVerdict> checkRequest(GuardRequest request) {
		return check(request.texts(), "request", this.reversible);
	}

	@Override
	public Mono<GuardVerdict> checkAnswer(GuardAnswer answer) {
		return check(answer.texts(), "answer", false);
	}

	/** One entity found, in Java string offsets. */
	record Found(String type, int start, int end, double score) {
	}

	private Mono<GuardVerdict> check(List<String> texts, String subject, boolean numbered) {
		return Flux.fromIterable(texts)
			.flatMapSequential(text -> text.isBlank() ? Mono.just(List.<Found>of()) : analyze(text), CONCURRENCY)
			.collectList()
			.flatMap(found -> {
				for (List<Found> each : found) {
					for (Found entity : each) {
						if (this.entities.get(entity.type()) == Action.BLOCK) {
							return Mono.just(GuardVerdict.deny("the " + subject + " contains " + entity.type()));
						}
					}
				}
				if (found.stream().allMatch(List::isEmpty)) {
					return Mono.just(GuardVerdict.allow());
				}
				return masked(texts, found, numbered);
			});
	}

	private Mono<GuardVerdict> masked(List<String> texts, List<List<Found>> found, boolean numbered) {
		Map<String, Integer> counts = new TreeMap<>();
		found.forEach(each -> each.forEach(entity -> counts.merge(entity.type(), 1, Integer::sum)));
		List<String> said = new ArrayList<>();
		counts.forEach((type, count) -> said.add(count + " " + type));
		String reason = "masked " + String.join(", ", said);
		if (this.anonymizer != null && !numbered) {
			return Flux.range(0, texts.size())
				.flatMapSequential(i -> found.get(i).isEmpty() ? Mono.just(texts.get(i))
						: anonymize(texts.get(i), found.get(i)), CONCURRENCY)
				.collectList()
				.map(rewritten -> GuardVerdict.rewrite(rewritten, reason));
		}
		Map<String, String> placeholders = new LinkedHashMap<>();
		Map<String, Integer> numbers = new TreeMap<>();
		List<List<GuardVerdict.Edit>> edits = new ArrayList<>(texts.size());
		for (int i = 0; i < texts.size(); i++) {
			String text = texts.get(i);
			List<GuardVerdict.Edit> masks = new ArrayList<>(found.get(i).size());
			for (Found entity : found.get(i)) {
				String value = text.substring(entity.start(), entity.end());
				masks.add(new GuardVerdict.Edit(entity.start(), entity.end(), numbered ? placeholders.computeIfAbsent(value,
						v -> "<" + entity.type() + "_" + numbers.merge(entity.type(), 1, Integer::sum) + ">")
						: "<" + entity.type() + ">"));
			}
			edits.add(masks);
		}
		// Given as edits: a held stream then knows where each mask is.
		GuardVerdict verdict = GuardVerdict.edit(texts, edits, reason);
		if (!numbered) {
			return Mono.just(verdict);
		}
		Map<String, String> restore = new LinkedHashMap<>();
		placeholders.forEach((value, placeholder) -> restore.put(placeholder, value));
		return Mono.just(verdict.restoring(restore));
	}

	/** The entities of the types acted on, above the threshold, in order and without overlaps. */
	private Mono<List<Found>> analyze(String text) {
		ObjectNode request = Json.object().put("text", text).put("language", this.language)
			.put("score_threshold", this.threshold);
		ArrayNode types = request.putArray("entities");
		new TreeMap<>(this.entities).keySet().forEach(types::add);
		return post(this.analyzer, request).map(answer -> {
			if (!answer.isArray()) {
				throw new IllegalStateException("the Presidio analyzer's answer is not a list of results");
			}
			List<Found> found = new ArrayList<>();
			int codePoints = text.codePointCount(0, text.length());
			for (JsonNode result : answer) {
				String type = result.path("entity_type").asString("");
				double score = result.path("score").asDouble(0);
				int start = result.path("start").asInt(-1);
				int end = result.path("end").asInt(-1);
				if (start < 0 || end <= start || end > codePoints) {
					throw new IllegalStateException("the Presidio analyzer's result has offsets outside the text");
				}
				if (this.entities.containsKey(type) && score >= this.threshold) {
					found.add(new Found(type, text.offsetByCodePoints(0, start), text.offsetByCodePoints(0, end), score));
				}
			}
			found.sort(Comparator.comparingInt(Found::start).thenComparing(Comparator.comparingDouble(Found::score).reversed()));
			List<Found> disjoint = new ArrayList<>(found.size());
			int last = 0;
			for (Found entity : found) {
				if (entity.start() >= last) {
					disjoint.add(entity);
					last = entity.end();
				}
			}
			return disjoint;
		});
	}

	private Mono<String> anonymize(String text, List<Found> found) {
		ObjectNode request = Json.object().put("text", text);
		ObjectNode anonymizers = request.putObject("anonymizers");
		this.operators.forEach((type, operator) -> {
			ObjectNode config = anonymizers.putObject(type);
			operator.forEach((key, value) -> config.set(key, typed(value)));
		});
		ArrayNode results = request.putArray("analyzer_results");
		for (Found entity : found) {
			results.addObject()
				.put("entity_type", entity.type())
				.put("start", text.codePointCount(0, entity.start()))
				.put("end", text.codePointCount(0, entity.end()))
				.put("score", entity.score());
		}
		return post(this.anonymizer, request).map(answer -> {
			if (!answer.path("text").isString()) {
				throw new IllegalStateException("the Presidio anonymizer's answer has no text");
			}
			return answer.path("text").stringValue();
		});
	}

	/** Operator settings come from YAML as strings; Presidio wants numbers and booleans typed. */
	private static JsonNode typed(String value) {
		String trimmed = value.trim();
		if (trimmed.equalsIgnoreCase("true") || trimmed.equalsIgnoreCase("false")) {
			return Json.NODES.booleanNode(Boolean.parseBoolean(trimmed.toLowerCase(Locale.ROOT)));
		}
		if (trimmed.matches("-?\\d{1,9}")) {
			return Json.NODES.numberNode(Integer.parseInt(trimmed));
		}
		return Json.NODES.stringNode(value);
	}

	private Mono<JsonNode> post(URI uri, ObjectNode request) {
		byte[] body = Json.MAPPER.writeValueAsBytes(request);
		return GuardCalls.postJson(this.client, uri, body, Map.of(), MAX_ANSWER, "Presidio")
			.map(bytes -> {
				try {
					return Json.MAPPER.readTree(bytes);
				}
				catch (RuntimeException ex) {
					throw new IllegalStateException("Presidio's answer at " + uri.getPath() + " is not JSON");
				}
			});
	}

	@Override
	public String toString() {
		return "PresidioGuardrail[" + this.name + " -> " + this.analyzer + "]";
	}

}
