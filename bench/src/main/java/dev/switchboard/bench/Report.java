package dev.switchboard.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;

import dev.switchboard.core.Json;

/**
 * Turns the JSON lines of a benchmark run into markdown: every run, Switchboard's overhead against
 * the direct stub and the plain Spring Cloud Gateway route, the memory check, and the targets.
 *
 * <p>Usage: {@code Report results.jsonl}; the markdown goes to standard output.
 */
public final class Report {

	private static final String DIRECT = "direct";

	private static final String PLAIN = "plain";

	private static final String SWITCHBOARD = "switchboard";

	private static final double MAX_ADDED_P50_MS = 0.3;

	private static final double MAX_ADDED_P99_MS = 2;

	private static final double MIN_THROUGHPUT_VS_PLAIN = 0.85;

	private static final double MIN_THROUGHPUT = 5_000;

	private static final double MAX_ADDED_FIRST_CHUNK_MS = 2;

	/**
	 * "Flat": how much more resident memory the longest streams may cost than the shortest. Holding
	 * 32 streams of 20,000 tokens would take over 128 MB; the JVM resizing its heap under a different
	 * allocation pattern moves RSS by a few tens of MB on its own.
	 */
	private static final double MAX_RSS_GROWTH_MB = 64;

	private static final double MAX_RSS_MB = 400;

	/** Translation (#4): added p50 of a translated JSON request over the pass-through one. */
	private static final double MAX_TRANSLATION_JSON_MS = 0.3;

	/** Translation (#4): added time per streamed chunk, in microseconds. */
	private static final double MAX_TRANSLATION_CHUNK_US = 50;

	/** Front doors (#16): added p50 of a request at another door over the chat completions door. */
	private static final double MAX_DOOR_REQUEST_MS = 0.1;

	/** Front doors (#16): added time per streamed event at another door, in microseconds. */
	private static final double MAX_DOOR_EVENT_US = 5;

	private static final String CHAT_DOOR = "chat-door";

	private static final String COMPARE_TARGET = "compare";

	private static final String COMPARE_SCENARIO = "compare-json";

	/** Comparisons (#17): what a 4-leg comparison may add over its slowest leg. */
	private static final double MAX_COMPARE_ADDED_MS = 1;

	private static final String MESSAGES_DOOR = "messages-door";

	private static final String RESPONSES_DOOR = "responses-door";

	/** The doors measured against the chat completions door, with their names in the report. */
	private static final List<Map.Entry<String, String>> DOORS = List.of(Map.entry(MESSAGES_DOOR, "Anthropic Messages"),
			Map.entry(RESPONSES_DOOR, "OpenAI Responses"));

	/** As shipped (#23): least share of the plain route's throughput, JSON and streams, at the loaded case. */
	private static final double MIN_SHIPPED_VS_PLAIN = 0.90;

	/** As shipped (#23): most CPU time per request, as a multiple of the plain route's in the same process. */
	private static final double MAX_SHIPPED_CPU_VS_PLAIN = 1.5;

	private static final String SHIPPED = "shipped";

	private static final String SHIPPED_PLAIN = "shipped-plain";

	/** Observability (#8): largest share of throughput that metrics and tracing may cost. */
	private static final double MAX_OBSERVABILITY_COST = 0.05;

	private final List<Result> results;

	private final StringBuilder out = new StringBuilder();

	private Report(List<Result> results) {
		this.results = results;
	}

	public static void main(String[] args) throws IOException {
		List<Result> results = new ArrayList<>();
		for (String line : Files.readAllLines(Path.of(args[0]))) {
			if (!line.isBlank()) {
				results.add(Json.MAPPER.readValue(line, Result.class));
			}
		}
		System.out.print(new Report(results).render());
	}

	private String render() {
		shipped();
		runs();
		overhead();
		memory();
		translation();
		doors();
		comparisons();
		observability();
		targets();
		return this.out.toString();
	}

	/**
	 * The gateway as a user runs it (the sample's configuration and JVM defaults) beside the plain
	 * route in the same process and the stub directly: min / median / max over the rounds, and the
	 * per-round ratios, so that one lucky round does not make the figure.
	 */
	private void shipped() {
		if (this.results.stream().noneMatch(r -> r.target().equals(SHIPPED))) {
			return;
		}
		this.out.append("### As shipped: the sample's configuration vs a plain route in the same process\n\n");
		row("case", "conns", "rounds", "direct req/s", "plain req/s", "shipped req/s", "shipped / plain",
				"added p50 vs plain ms", "added p50 vs direct ms", "plain CPU ms/req", "shipped CPU ms/req",
				"CPU shipped / plain", "shipped peak RSS MB");
		row("---", "--:", "--:", "--:", "--:", "--:", "--:", "--:", "--:", "--:", "--:", "--:", "--:");
		for (String scenario : List.of("shipped-json", "shipped-stream")) {
			for (int connections : shippedConnections(scenario)) {
				List<Result> direct = rounds(scenario, connections, DIRECT);
				List<Result> plain = rounds(scenario, connections, SHIPPED_PLAIN);
				List<Result> shipped = rounds(scenario, connections, SHIPPED);
				if (plain.isEmpty() || shipped.isEmpty()) {
					continue;
				}
				row(scenario, connections, shipped.size(), spread(direct, Result::throughput, 0),
						spread(plain, Result::throughput, 0), spread(shipped, Result::throughput, 0),
						spreadPercent(perRound(shipped, plain, (a, b) -> a.throughput() / b.throughput())),
						spread(perRound(shipped, plain, (a, b) -> added(a, b, Result::p50Ms)), 3),
						spread(perRound(shipped, direct, (a, b) -> added(a, b, Result::p50Ms)), 3),
						spread(plain, Result::cpuMsPerRequest, 3), spread(shipped, Result::cpuMsPerRequest, 3),
						spread(perRound(shipped, plain, (a, b) -> ratio(a, b, Result::cpuMsPerRequest)), 2),
						fmt(shipped.stream().map(Result::peakRssMb).filter(Objects::nonNull).max(Double::compare)
							.orElse(null), 0));
			}
		}
		this.out.append("\nEach cell is min / median / max over the rounds; ratios are taken per round (the "
				+ "targets of a round run back to back). CPU is the gateway process's, from /proc, per response.\n\n");
	}

	private List<Integer> shippedConnections(String scenario) {
		return this.results.stream()
			.filter(r -> r.scenario().equals(scenario) && r.target().equals(SHIPPED))
			.map(Result::connections)
			.distinct()
			.sorted()
			.toList();
	}

	private List<Result> rounds(String scenario, int connections, String target) {
		return this.results.stream()
			.filter(r -> r.scenario().equals(scenario) && r.connections() == connections && r.target().equals(target))
			.toList();
	}

	/** {@code f} of the i-th run of each list, for every round both have. */
	private static List<Double> perRound(List<Result> a, List<Result> b, BiFunction<Result, Result, Double> f) {
		List<Double> values = new ArrayList<>();
		for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
			Double value = f.apply(a.get(i), b.get(i));
			if (value != null) {
				values.add(value);
			}
		}
		return values;
	}

	private static String spread(List<Result> runs, Function<Result, Double> figure, int decimals) {
		return spread(runs.stream().map(figure).filter(Objects::nonNull).toList(), decimals);
	}

	private static String spread(List<Double> values, int decimals) {
		if (values.isEmpty()) {
			return "-";
		}
		List<Double> sorted = values.stream().sorted().toList();
		return fmt(sorted.get(0), decimals) + " / " + fmt(median(sorted), decimals) + " / "
				+ fmt(sorted.get(sorted.size() - 1), decimals);
	}

	private static String spreadPercent(List<Double> ratios) {
		return spread(ratios.stream().map(r -> r * 100).toList(), 1) + " %";
	}

	private static Double median(List<Double> sorted) {
		int n = sorted.size();
		return (n % 2 == 1) ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
	}

	/** Median over rounds of a per-round figure of the shipped case; empty when the case did not run. */
	private Optional<Double> shippedMedian(String scenario, boolean loaded, BiFunction<Result, Result, Double> f,
			String baseline) {
		List<Integer> connections = shippedConnections(scenario);
		if (connections.isEmpty()) {
			return Optional.empty();
		}
		int conns = loaded ? connections.get(connections.size() - 1) : connections.get(0);
		List<Double> values = perRound(rounds(scenario, conns, SHIPPED), rounds(scenario, conns, baseline), f)
			.stream()
			.sorted()
			.toList();
		return values.isEmpty() ? Optional.empty() : Optional.of(median(values));
	}

	private void runs() {
		this.out.append("### Runs (stub answers instantly)\n\n");
		row("case", "conns", "target", "requests", "errors", "req/s", "p50 ms", "p99 ms", "p99.9 ms",
				"first chunk p50 ms", "first chunk p99 ms", "gateway peak RSS MB");
		row("---", "--:", "---", "--:", "--:", "--:", "--:", "--:", "--:", "--:", "--:", "--:");
		for (Result r : latencyRuns()) {
			row(r.scenario(), r.connections(), r.target(), r.requests(), r.errors(), fmt(r.throughput(), 0),
					fmt(r.p50Ms(), 2), fmt(r.p99Ms(), 2), fmt(r.p999Ms(), 2), fmt(r.ttfcP50Ms(), 2),
					fmt(r.ttfcP99Ms(), 2), fmt(r.peakRssMb(), 0));
		}
	}

	private void overhead() {
		this.out.append("\n### Switchboard overhead\n\n");
		row("case", "conns", "req/s vs plain SCG", "req/s vs direct", "added p50 vs direct ms",
				"added p99 vs direct ms", "added p50 vs plain SCG ms", "added first chunk p50 vs direct ms",
				"added first chunk p99 vs direct ms");
		row("---", "--:", "--:", "--:", "--:", "--:", "--:", "--:", "--:");
		for (Map.Entry<String, Map<String, Result>> entry : cases().entrySet()) {
			Map<String, Result> byTarget = entry.getValue();
			Result sb = byTarget.get(SWITCHBOARD);
			Result direct = byTarget.get(DIRECT);
			Result plain = byTarget.get(PLAIN);
			if (sb == null) {
				continue;
			}
			row(sb.scenario(), sb.connections(), percent(ratio(sb, plain, Result::throughput)),
					percent(ratio(sb, direct, Result::throughput)), fmt(added(sb, direct, Result::p50Ms), 3),
					fmt(added(sb, direct, Result::p99Ms), 3), fmt(added(sb, plain, Result::p50Ms), 3),
					fmt(added(sb, direct, Result::ttfcP50Ms), 3), fmt(added(sb, direct, Result::ttfcP99Ms), 3));
		}
	}

	private void memory() {
		this.out.append("\n### Memory as the streamed response grows (Switchboard route)\n\n");
		row("response tokens", "conns", "streams completed", "errors", "MB/s streamed", "full stream p50 ms",
				"first chunk p50 ms", "gateway peak RSS MB");
		row("--:", "--:", "--:", "--:", "--:", "--:", "--:", "--:");
		for (Result r : memoryRuns()) {
			row(r.maxTokens(), r.connections(), r.requests() - r.errors(), r.errors(), fmt(r.megabytesPerSecond(), 1),
					fmt(r.p50Ms(), 1), fmt(r.ttfcP50Ms(), 2), fmt(r.peakRssMb(), 0));
		}
	}

	private void translation() {
		Optional<Result> json = run("translate-json", "openai");
		Optional<Result> stream = run("translate-stream", "openai");
		if (json.isEmpty() && stream.isEmpty()) {
			return;
		}
		this.out.append("\n### Translation: Anthropic-translated vs OpenAI pass-through (same stub, same load)\n\n");
		row("case", "conns", "tokens", "pass-through p50 ms", "translated p50 ms", "added p50 ms",
				"added per chunk us", "pass-through req/s", "translated req/s");
		row("---", "--:", "--:", "--:", "--:", "--:", "--:", "--:", "--:");
		for (String scenario : List.of("translate-json", "translate-stream")) {
			Optional<Result> passThrough = run(scenario, "openai");
			Optional<Result> translated = run(scenario, "anthropic");
			if (passThrough.isEmpty() || translated.isEmpty()) {
				continue;
			}
			Result p = passThrough.get();
			Result t = translated.get();
			Double added = added(t, p, Result::p50Ms);
			row(scenario, t.connections(), (t.maxTokens() != null) ? t.maxTokens() : "1", fmt(p.p50Ms(), 3),
					fmt(t.p50Ms(), 3), fmt(added, 3), t.stream() ? fmt(perChunkMicros(p, t), 1) : "-",
					fmt(p.throughput(), 0), fmt(t.throughput(), 0));
		}
	}

	/**
	 * Each door against the chat completions door, same provider and model: min / median / max
	 * over the rounds of the per-round differences.
	 */
	private void doors() {
		if (DOORS.stream().allMatch(door -> rounds("door-json", 1, door.getKey()).isEmpty()
				&& rounds("door-stream", 1, door.getKey()).isEmpty())) {
			return;
		}
		this.out.append("\n### Front doors vs chat completions (same provider, model and load)\n\n");
		row("door", "case", "conns", "rounds", "tokens", "chat door p50 ms", "door p50 ms", "added p50 ms (per round)",
				"added per event us (per round)", "chat door req/s", "door req/s");
		row("---", "---", "--:", "--:", "--:", "--:", "--:", "--:", "--:", "--:", "--:");
		for (Map.Entry<String, String> door : DOORS) {
			for (String scenario : List.of("door-json", "door-stream")) {
				List<Result> chat = rounds(scenario, 1, CHAT_DOOR);
				List<Result> measured = rounds(scenario, 1, door.getKey());
				if (chat.isEmpty() || measured.isEmpty()) {
					continue;
				}
				Integer tokens = measured.get(0).maxTokens();
				row(door.getValue(), scenario, 1, measured.size(), (tokens != null) ? tokens : "1",
						spread(chat, Result::p50Ms, 3), spread(measured, Result::p50Ms, 3),
						spread(perRound(measured, chat, (m, c) -> added(m, c, Result::p50Ms)), 3),
						measured.get(0).stream() ? spread(perRound(measured, chat, (m, c) -> perChunkMicros(c, m)), 2)
								: "-",
						spread(chat, Result::throughput, 0), spread(measured, Result::throughput, 0));
			}
		}
	}

	/**
	 * A 4-leg comparison against one chat completion of the same model and stub: the legs run in
	 * parallel and each takes as long as the single request, so the per-round difference of the
	 * p50s is what the comparison adds over its slowest leg.
	 */
	private void comparisons() {
		List<Result> chat = rounds(COMPARE_SCENARIO, 1, CHAT_DOOR);
		List<Result> compared = rounds(COMPARE_SCENARIO, 1, COMPARE_TARGET);
		if (chat.isEmpty() || compared.isEmpty()) {
			return;
		}
		this.out.append("\n### A 4-leg comparison vs one chat completion (same model, stub and load)\n\n");
		row("conns", "rounds", "chat p50 ms", "comparison p50 ms", "added p50 ms (per round)", "chat p99 ms",
				"comparison p99 ms", "chat req/s", "comparisons/s", "errors");
		row("--:", "--:", "--:", "--:", "--:", "--:", "--:", "--:", "--:", "--:");
		row(1, compared.size(), spread(chat, Result::p50Ms, 3), spread(compared, Result::p50Ms, 3),
				spread(perRound(compared, chat, (m, c) -> added(m, c, Result::p50Ms)), 3), spread(chat, Result::p99Ms, 3),
				spread(compared, Result::p99Ms, 3), spread(chat, Result::throughput, 0),
				spread(compared, Result::throughput, 0), compared.stream().mapToLong(Result::errors).sum());
	}

	/** Median over rounds of a per-round figure of a door against the chat door; empty when it did not run. */
	private Optional<Double> doorMedian(String door, String scenario, BiFunction<Result, Result, Double> f) {
		List<Double> values = perRound(rounds(scenario, 1, door), rounds(scenario, 1, CHAT_DOOR), f).stream()
			.sorted()
			.toList();
		return values.isEmpty() ? Optional.empty() : Optional.of(median(values));
	}

	private void observability() {
		if (run("observability-json", "obs-on").isEmpty() && run("observability-stream", "obs-on").isEmpty()) {
			return;
		}
		this.out.append("\n### Observability on vs off (two identical gateways, same load)\n\n");
		row("case", "conns", "on req/s", "off req/s", "throughput cost", "on CPU ms/req", "off CPU ms/req",
				"CPU cost per request", "on p50 ms", "off p50 ms", "on p99 ms", "off p99 ms", "on peak RSS MB",
				"off peak RSS MB");
		row("---", "--:", "--:", "--:", "--:", "--:", "--:", "--:", "--:", "--:", "--:", "--:", "--:", "--:");
		for (String scenario : List.of("observability-json", "observability-stream")) {
			Optional<Result> on = run(scenario, "obs-on");
			Optional<Result> off = run(scenario, "obs-off");
			if (on.isEmpty() || off.isEmpty()) {
				continue;
			}
			row(scenario, on.get().connections(), fmt(mean(scenario, "obs-on", Result::throughput), 0),
					fmt(mean(scenario, "obs-off", Result::throughput), 0),
					percent(observabilityCost(scenario).orElse(null)),
					fmt(mean(scenario, "obs-on", Result::cpuMsPerRequest), 3),
					fmt(mean(scenario, "obs-off", Result::cpuMsPerRequest), 3),
					percent(cpuCost(scenario).orElse(null)), fmt(on.get().p50Ms(), 2), fmt(off.get().p50Ms(), 2),
					fmt(on.get().p99Ms(), 2), fmt(off.get().p99Ms(), 2), fmt(on.get().peakRssMb(), 0),
					fmt(off.get().peakRssMb(), 0));
		}
		this.out.append("\nThroughput and the gateway's CPU time per request are means of the measured rounds (run in "
				+ "on, off, off, on, off, on, on, off order, so a machine that speeds up or slows down during the "
				+ "case favours neither); latencies and RSS are the last round's. The CPU cost per request is "
				+ "the same cost seen from the gateway's side, apart from what else the shared cores are "
				+ "doing; it still moves with the JIT and the garbage collector from round to round.\n");
	}

	/** Mean of a figure over every run of a scenario and target that has it; null if none has. */
	private Double mean(String scenario, String target, Function<Result, Double> figure) {
		OptionalDouble mean = this.results.stream()
			.filter(r -> r.scenario().equals(scenario) && r.target().equals(target))
			.map(figure)
			.filter(Objects::nonNull)
			.mapToDouble(Double::doubleValue)
			.average();
		return mean.isPresent() ? mean.getAsDouble() : null;
	}

	/** The share of the off gateway's mean throughput that the on gateway loses. */
	private Optional<Double> observabilityCost(String scenario) {
		return change(mean(scenario, "obs-off", Result::throughput), mean(scenario, "obs-on", Result::throughput))
			.map(v -> -v);
	}

	/** How much more CPU time the on gateway spends per request than the off gateway. */
	private Optional<Double> cpuCost(String scenario) {
		return change(mean(scenario, "obs-off", Result::cpuMsPerRequest),
				mean(scenario, "obs-on", Result::cpuMsPerRequest));
	}

	/** {@code to / from - 1}, when both are known. */
	private static Optional<Double> change(Double from, Double to) {
		return (from == null || to == null || from == 0) ? Optional.empty() : Optional.of(to / from - 1);
	}

	/** (translated − pass-through) p50 of the whole stream, spread over its chunks, in microseconds. */
	private static Double perChunkMicros(Result passThrough, Result translated) {
		Double added = added(translated, passThrough, Result::p50Ms);
		return (added == null || translated.maxTokens() == null) ? null : added * 1000 / translated.maxTokens();
	}

	private Optional<Result> run(String scenario, String target) {
		return this.results.stream()
			.filter(r -> r.scenario().equals(scenario) && r.target().equals(target))
			.reduce((first, second) -> second);
	}

	private Optional<Double> pair(String scenario, String target, String baseline, BiFunction<Result, Result, Double> f) {
		Optional<Result> a = run(scenario, target);
		Optional<Result> b = run(scenario, baseline);
		return (a.isEmpty() || b.isEmpty()) ? Optional.empty() : Optional.ofNullable(f.apply(a.get(), b.get()));
	}

	private void targets() {
		this.out.append("\n### Targets\n\n");
		row("goal", "measured", "target", "result");
		row("---", "--:", "--:", ":-:");
		if (this.results.stream().anyMatch(r -> r.target().equals(SHIPPED))) {
			for (String scenario : List.of("shipped-json", "shipped-stream")) {
				String label = scenario.replace("shipped-", "as shipped, ") + ", most conns";
				check(label + ": req/s vs plain route (median)",
						shippedMedian(scenario, true, (a, b) -> a.throughput() / b.throughput(), SHIPPED_PLAIN)
							.map(v -> v * 100),
						1, " %", v -> v >= MIN_SHIPPED_VS_PLAIN * 100, ">= " + fmt(MIN_SHIPPED_VS_PLAIN * 100, 0) + " %");
				check(label + ": CPU per request vs plain route (median)",
						shippedMedian(scenario, true, (a, b) -> ratio(a, b, Result::cpuMsPerRequest), SHIPPED_PLAIN),
						2, "x", v -> v <= MAX_SHIPPED_CPU_VS_PLAIN, "<= " + MAX_SHIPPED_CPU_VS_PLAIN + "x");
			}
			check("as shipped, json, 1 conn: added p50 vs direct (median)",
					shippedMedian("shipped-json", false, (a, b) -> added(a, b, Result::p50Ms), DIRECT), 3, " ms",
					v -> v <= MAX_ADDED_P50_MS, "<= " + MAX_ADDED_P50_MS + " ms");
			check("as shipped: gateway peak RSS (the sample's JVM defaults)",
					this.results.stream()
						.filter(r -> r.target().startsWith(SHIPPED))
						.map(Result::peakRssMb)
						.filter(Objects::nonNull)
						.max(Double::compare),
					0, " MB", v -> v <= MAX_RSS_MB, "<= " + fmt(MAX_RSS_MB, 0) + " MB");
		}
		Optional<Map<String, Result>> single = latencyCase("json", Comparator.naturalOrder());
		Optional<Map<String, Result>> loaded = latencyCase("json", Comparator.reverseOrder());
		Optional<Map<String, Result>> stream = latencyCase("stream", Comparator.naturalOrder());
		String conns = loaded.map(c -> c.get(SWITCHBOARD).connections() + " conns").orElse("most conns");

		check("1 conn: added p50 vs direct", single.map(c -> added(c, Result::p50Ms)), 3, " ms",
				v -> v <= MAX_ADDED_P50_MS, "<= " + MAX_ADDED_P50_MS + " ms");
		check("1 conn: added p99 vs direct", single.map(c -> added(c, Result::p99Ms)), 3, " ms",
				v -> v <= MAX_ADDED_P99_MS, "<= " + fmt(MAX_ADDED_P99_MS, 0) + " ms");
		check(conns + ": req/s vs plain SCG",
				loaded.map(c -> ratio(c.get(SWITCHBOARD), c.get(PLAIN), Result::throughput)).map(v -> v * 100), 1, " %",
				v -> v >= MIN_THROUGHPUT_VS_PLAIN * 100, ">= " + fmt(MIN_THROUGHPUT_VS_PLAIN * 100, 0) + " %");
		check(conns + ": Switchboard req/s", loaded.map(c -> c.get(SWITCHBOARD).throughput()), 0, "",
				v -> v >= MIN_THROUGHPUT, ">= " + fmt(MIN_THROUGHPUT, 0));
		check("stream, 1 conn: added first chunk p50 vs direct", stream.map(c -> added(c, Result::ttfcP50Ms)), 3,
				" ms", v -> v <= MAX_ADDED_FIRST_CHUNK_MS, "<= " + fmt(MAX_ADDED_FIRST_CHUNK_MS, 0) + " ms");

		if (run("translate-json", "anthropic").isPresent() || run("translate-stream", "anthropic").isPresent()) {
			check("translation, 1 conn: added p50 of a JSON request",
					pair("translate-json", "anthropic", "openai", (t, p) -> added(t, p, Result::p50Ms)), 3, " ms",
					v -> v <= MAX_TRANSLATION_JSON_MS, "<= " + MAX_TRANSLATION_JSON_MS + " ms");
			check("translation, 1 conn: added time per streamed chunk",
					pair("translate-stream", "anthropic", "openai", (t, p) -> perChunkMicros(p, t)), 1, " us",
					v -> v <= MAX_TRANSLATION_CHUNK_US, "<= " + fmt(MAX_TRANSLATION_CHUNK_US, 0) + " us");
		}
		for (Map.Entry<String, String> door : DOORS) {
			if (!rounds("door-json", 1, door.getKey()).isEmpty()) {
				check(door.getValue() + " door, 1 conn: added p50 of a JSON request (median)",
						doorMedian(door.getKey(), "door-json", (m, c) -> added(m, c, Result::p50Ms)), 3, " ms",
						v -> v <= MAX_DOOR_REQUEST_MS, "<= " + MAX_DOOR_REQUEST_MS + " ms");
			}
			if (!rounds("door-stream", 1, door.getKey()).isEmpty()) {
				check(door.getValue() + " door, 1 conn: added time per streamed event (median)",
						doorMedian(door.getKey(), "door-stream", (m, c) -> perChunkMicros(c, m)), 2, " us",
						v -> v <= MAX_DOOR_EVENT_US, "<= " + fmt(MAX_DOOR_EVENT_US, 0) + " us");
			}
		}
		List<Double> compareAdded = perRound(rounds(COMPARE_SCENARIO, 1, COMPARE_TARGET),
				rounds(COMPARE_SCENARIO, 1, CHAT_DOOR), (m, c) -> added(m, c, Result::p50Ms)).stream().sorted().toList();
		if (!compareAdded.isEmpty()) {
			check("4-leg comparison, 1 conn: added p50 over its slowest leg (median)", Optional.of(median(compareAdded)),
					3, " ms", v -> v <= MAX_COMPARE_ADDED_MS, "<= " + fmt(MAX_COMPARE_ADDED_MS, 0) + " ms");
		}
		for (String scenario : List.of("observability-json", "observability-stream")) {
			if (run(scenario, "obs-on").isPresent()) {
				check(scenario.replace("observability-", "observability on, ") + ": throughput cost",
						observabilityCost(scenario).map(v -> v * 100), 1, " %",
						v -> v <= MAX_OBSERVABILITY_COST * 100, "<= " + fmt(MAX_OBSERVABILITY_COST * 100, 0) + " %");
			}
		}

		List<Result> memory = memoryRuns();
		Optional<Double> growth = (memory.size() < 2) ? Optional.empty()
				: Optional.of(memory.get(memory.size() - 1).peakRssMb() - memory.get(0).peakRssMb());
		check("peak RSS, longest minus shortest streams", growth, 0, " MB", v -> v <= MAX_RSS_GROWTH_MB,
				"<= " + fmt(MAX_RSS_GROWTH_MB, 0) + " MB");
		Optional<Double> peak = this.results.stream()
			.filter(r -> !r.target().startsWith(SHIPPED))
			.map(Result::peakRssMb)
			.filter(Objects::nonNull)
			.max(Double::compare);
		check("gateway peak RSS under load", peak, 0, " MB", v -> v <= MAX_RSS_MB, "<= " + fmt(MAX_RSS_MB, 0) + " MB");
		check("errors, all runs", Optional.of((double) this.results.stream().mapToLong(Result::errors).sum()), 0, "",
				v -> v == 0, "0");
		// A gateway that hangs shows no errors inside the window, only no responses.
		check("runs without a successful response",
				Optional.of((double) this.results.stream().filter(r -> r.p50Ms() == null).count()), 0, "", v -> v == 0,
				"0");
	}

	private void check(String goal, Optional<Double> measured, int decimals, String unit, Predicate<Double> passes,
			String target) {
		String verdict = measured.map(v -> passes.test(v) ? "PASS" : "FAIL").orElse("missing");
		row(goal, measured.map(v -> fmt(v, decimals) + unit).orElse("-"), target, verdict);
	}

	private List<Result> latencyRuns() {
		return this.results.stream().filter(r -> !r.scenario().equals("memory")).toList();
	}

	private List<Result> memoryRuns() {
		return this.results.stream()
			.filter(r -> r.scenario().equals("memory"))
			.sorted(Comparator.comparing(Result::maxTokens))
			.toList();
	}

	/** Latency runs by case (scenario and connections), in run order, then by target. */
	private Map<String, Map<String, Result>> cases() {
		Map<String, Map<String, Result>> cases = new LinkedHashMap<>();
		for (Result r : latencyRuns()) {
			cases.computeIfAbsent(r.scenario() + "/" + r.connections(), key -> new LinkedHashMap<>())
				.put(r.target(), r);
		}
		return cases;
	}

	/** The complete case of a scenario with the fewest (natural order) or most connections. */
	private Optional<Map<String, Result>> latencyCase(String scenario, Comparator<Integer> order) {
		return cases().values()
			.stream()
			.filter(c -> c.containsKey(SWITCHBOARD) && c.containsKey(DIRECT) && c.containsKey(PLAIN))
			.filter(c -> c.get(SWITCHBOARD).scenario().equals(scenario))
			.min(Comparator.comparing(c -> c.get(SWITCHBOARD).connections(), order));
	}

	private static Double added(Map<String, Result> byTarget, Function<Result, Double> metric) {
		return added(byTarget.get(SWITCHBOARD), byTarget.get(DIRECT), metric);
	}

	private static Double added(Result result, Result baseline, Function<Result, Double> metric) {
		if (baseline == null || metric.apply(result) == null || metric.apply(baseline) == null) {
			return null;
		}
		return metric.apply(result) - metric.apply(baseline);
	}

	private static Double ratio(Result result, Result baseline, Function<Result, Double> metric) {
		return (baseline == null || metric.apply(baseline) == 0) ? null
				: metric.apply(result) / metric.apply(baseline);
	}

	private static String percent(Double ratio) {
		return (ratio == null) ? "-" : fmt(ratio * 100, 1) + " %";
	}

	private static String fmt(Double value, int decimals) {
		return (value == null) ? "-" : String.format(Locale.ROOT, "%." + decimals + "f", value);
	}

	private void row(Object... cells) {
		this.out.append('|');
		for (Object cell : cells) {
			this.out.append(' ').append(cell).append(" |");
		}
		this.out.append('\n');
	}

}
