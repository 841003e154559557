package dev.switchboard.core;

import java.net.URI;
import java.time.Duration;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import org.junit.jupiter.api.Test;

import dev.switchboard.catalog.ModelCatalog;
import dev.switchboard.testing.TestCatalogs;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Token estimates stay bounded whatever the text: the 5 MB prompt of one repeated character that
 * made jtokkit run out of memory, and ordinary text that must still count exactly.
 */
class TokenEstimatorTest {

	private static final ModelCatalog CATALOG = TestCatalogs.catalog(URI.create("http://127.0.0.1:1/v1"));

	private final TokenEstimator estimator = new TokenEstimator();

	private final Encoding cl100k = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);

	@Test
	void fiveMegabytesOfOneCharacterAreEstimatedAtTheRateOfTheCountedPart() {
		int length = 5 * 1024 * 1024;
		LlmExchange exchange = chat("A".repeat(length));
		long tokens = this.estimator.promptTokens(Operation.CHAT, exchange.body(), exchange.route().primary())
			.block(Duration.ofSeconds(60));
		// the first MiB counted exactly, the other four extrapolated at the same rate
		long firstMiB = this.cl100k.countTokensOrdinary("A".repeat(4096)) * (TokenEstimator.EXACT_CHARS / 4096);
		assertThat(tokens).isBetween(firstMiB * 5 * 99 / 100, firstMiB * 5 * 101 / 100 + 20);
	}

	@Test
	void ordinaryTextCountsAsJtokkitCountsItWhole() {
		String text = "The gateway routes each request to a healthy provider, and counts its tokens. ".repeat(3000);
		assertThat(TokenEstimator.bounded(this.cl100k, text, Long.MAX_VALUE))
			.isEqualTo(this.cl100k.countTokensOrdinary(text));
	}

	@Test
	void piecesNeverSplitASurrogatePair() {
		// one character first, so a hard cut every 4096 chars would fall between the halves of an emoji
		String text = "x" + "\uD83D\uDE00".repeat(10_000);
		assertThat(TokenEstimator.bounded(this.cl100k, text, Long.MAX_VALUE))
			.isEqualTo(this.cl100k.countTokensOrdinary(text));
	}

	private static LlmExchange chat(String content) {
		return TestCatalogs.exchange(CATALOG, Operation.CHAT,
				"{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}");
	}

}
