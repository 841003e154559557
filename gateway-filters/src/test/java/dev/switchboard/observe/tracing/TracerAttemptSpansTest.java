package dev.switchboard.observe.tracing;

import java.net.URI;

import org.junit.jupiter.api.Test;

import dev.switchboard.core.Attempt;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.Operation;
import dev.switchboard.testing.TestCatalogs;

import static org.assertj.core.api.Assertions.assertThat;

/** The decision lines an attempt span carries: no attempt lines, and a bounded length. */
class TracerAttemptSpansTest {

	private final LlmExchange exchange = TestCatalogs.exchange(TestCatalogs.catalog(URI.create("http://127.0.0.1:1/v1")),
			Operation.CHAT, "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

	@Test
	void attemptLinesStayOffTheSpan() {
		this.exchange.decide("route", "alias 'fast' -> openai/gpt-test-2026-01");
		Attempt attempt = this.exchange.attempts().start(this.exchange.route().primary());
		this.exchange.attempts().end(attempt, Attempt.Outcome.UPSTREAM_ERROR, "HTTP 400: invalid value 'my secret text'");
		this.exchange.decide("failover", "server_error from openai/gpt-test-2026-01: next target");
		assertThat(this.exchange.decisions()).anyMatch(line -> line.contains("my secret text"));

		assertThat(TracerAttemptSpans.decisions(this.exchange))
			.isEqualTo("route: alias 'fast' -> openai/gpt-test-2026-01\n"
					+ "failover: server_error from openai/gpt-test-2026-01: next target");
	}

	@Test
	void manyLinesAreCutAndMarked() {
		for (int i = 0; i < 200; i++) {
			this.exchange.decide("failover", "retry " + i + " of a long chain of retries and fallbacks");
		}
		String lines = TracerAttemptSpans.decisions(this.exchange);
		assertThat(lines.length()).isLessThanOrEqualTo(TracerAttemptSpans.MAX_DECISIONS_CHARS + 4);
		assertThat(lines).startsWith("failover: retry 0 ").endsWith("\n...");
	}

}
