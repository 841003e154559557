package dev.switchboard.cache.semantic;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.cache.CacheKey;
import dev.switchboard.cache.SemanticIndex;
import dev.switchboard.core.Json;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Precision and recall of the semantic tier at its default threshold, with the real in-process
 * embedder, on the labelled pairs in {@code semantic/pairs.tsv} (tuned on) and
 * {@code semantic/pairs-heldout.tsv} (never tuned on): each pair's first prompt is stored, its
 * second asked, through the same index, scope and vector store the gateway uses. The models and
 * thresholds compared are in {@code SemanticQualityBench} (bench/README.md).
 */
class SemanticQualityTest {

	private static final List<Pair> PAIRS = new ArrayList<>();

	private static final List<Pair> HELD_OUT = new ArrayList<>();

	@BeforeAll
	static void load() throws IOException {
		read("/semantic/pairs.tsv", PAIRS);
		read("/semantic/pairs-heldout.tsv", HELD_OUT);
	}

	private static void read(String resource, List<Pair> pairs) throws IOException {
		try (InputStream in = SemanticQualityTest.class.getResourceAsStream(resource)) {
			for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
				if (!line.isBlank() && !line.startsWith("#")) {
					String[] columns = line.split("\t");
					// A fourth column, the pair's category, is for the benchmark's report.
					pairs.add(new Pair("hit".equals(columns[0]), columns[1], columns[2]));
				}
			}
		}
	}

	@Test
	void theLabelledSetIsLargeAndBalancedEnough() {
		for (List<Pair> half : List.of(PAIRS, HELD_OUT)) {
			assertThat(half).hasSizeGreaterThanOrEqualTo(300);
			assertThat(half.stream().filter(Pair::same).count()).isGreaterThanOrEqualTo(150);
			assertThat(half.stream().filter(pair -> !pair.same()).count()).isGreaterThanOrEqualTo(150);
		}
	}

	/**
	 * No wrong answer at the default threshold, on the pairs it was tuned on: a false hit serves one
	 * question another's answer, so precision is not traded. Recall is held at what the model and the
	 * guard reach today (0.56), below issue 18's target of 0.80: a floor against regressions, not
	 * the target.
	 */
	@Test
	void noWrongHitAtTheDefaultThreshold() {
		Counts guarded = measure(PAIRS, SemanticPolicy.defaults());
		Counts unguarded = measure(PAIRS, new SemanticPolicy(SemanticPolicy.DEFAULT_THRESHOLD, false, false,
				SemanticPolicy.DEFAULT_TIMEOUT));
		System.out.printf(Locale.ROOT, "semantic cache on %d labelled pairs at threshold %.2f: %s; without the "
				+ "lexical guard: %s%n", PAIRS.size(), SemanticPolicy.DEFAULT_THRESHOLD, guarded, unguarded);
		assertThat(guarded.falseHits()).as(guarded.toString()).isZero();
		assertThat(guarded.recall()).as("a cache that never hits is useless: " + guarded).isGreaterThanOrEqualTo(0.53);
		assertThat(unguarded.falseHits()).as("the guard is what keeps conversions, units and opposites apart")
			.isGreaterThan(10);
	}

	@Test
	void noWrongHitOnPairsThatTunedNothing() {
		Counts heldOut = measure(HELD_OUT, SemanticPolicy.defaults());
		System.out.printf(Locale.ROOT, "semantic cache on %d held-out pairs at threshold %.2f: %s%n", HELD_OUT.size(),
				SemanticPolicy.DEFAULT_THRESHOLD, heldOut);
		assertThat(heldOut.falseHits()).as(heldOut.toString()).isZero();
		assertThat(heldOut.recall()).as(heldOut.toString()).isGreaterThanOrEqualTo(0.53);
	}

	private static Counts measure(List<Pair> pairs, SemanticPolicy policy) {
		Counts counts = new Counts();
		for (Pair pair : pairs) {
			EmbeddingSemanticIndex index = new EmbeddingSemanticIndex(MiniLm.embedder(), new InMemoryVectorStore(10),
					new SemanticPolicy(policy.threshold(), false, policy.lexicalGuard(), Duration.ofSeconds(10)));
			JsonNode stored = request(pair.stored());
			CacheKey storedKey = CacheKey.of("team", stored);
			index.stored(storedKey, stored, Duration.ofMinutes(1)).block();
			JsonNode asked = request(pair.asked());
			SemanticIndex.Match match = index.lookup(CacheKey.of("team", asked), asked).block();
			boolean hit = match != null && match.key().equals(storedKey);
			if (hit && pair.same()) {
				counts.hits++;
			}
			else if (hit) {
				counts.falseHits++;
				System.out.printf(Locale.ROOT, "  false hit at %.4f: '%s' / '%s'%n", match.similarity(), pair.stored(),
						pair.asked());
			}
			else if (pair.same()) {
				counts.missedHits++;
			}
		}
		return counts;
	}

	private static JsonNode request(String question) {
		ObjectNode request = Json.object().put("model", "fast");
		request.putArray("messages").addObject().put("role", "user").put("content", question);
		return request;
	}

	private record Pair(boolean same, String stored, String asked) {
	}

	private static final class Counts {

		int hits;

		int falseHits;

		int missedHits;

		double precision() {
			return (this.hits + this.falseHits == 0) ? 0 : this.hits / (double) (this.hits + this.falseHits);
		}

		double recall() {
			return this.hits / (double) (this.hits + this.missedHits);
		}

		int falseHits() {
			return this.falseHits;
		}

		@Override
		public String toString() {
			return String.format(Locale.ROOT, "precision %.3f, recall %.3f (%d right hits, %d wrong hits, %d missed)",
					precision(), recall(), this.hits, this.falseHits, this.missedHits);
		}

	}

}
