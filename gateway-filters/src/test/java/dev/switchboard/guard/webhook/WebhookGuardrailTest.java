package dev.switchboard.guard.webhook;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.netty.http.client.HttpClient;

import dev.switchboard.catalog.Secret;
import dev.switchboard.core.Json;
import dev.switchboard.guard.GuardRequest;
import dev.switchboard.guard.GuardVerdict;
import dev.switchboard.guard.Stage;
import dev.switchboard.testing.StubUpstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** The webhook's contract: what it sends and signs, and every answer that is not one of the three. */
class WebhookGuardrailTest {

	private final StubUpstream hook = new StubUpstream();

	@AfterEach
	void stop() {
		this.hook.close();
	}

	@Test
	void theSignatureIsHmacSha256OfTimestampDotBody() {
		// Computed apart: python3 -c "import hmac,hashlib; print(hmac.new(b'whsec-test',
		// b'1765000000.{\"texts\":[\"hi\"]}', hashlib.sha256).hexdigest())"
		assertThat(WebhookGuardrail.sign(Secret.of("whsec-test"), "1765000000",
				"{\"texts\":[\"hi\"]}".getBytes(StandardCharsets.UTF_8)))
			.isEqualTo("b2df3f17f67f94d9cbc9a24e39f921e502de793a52ee90fcbe421a089b240a4f");
	}

	@Test
	void aCallCarriesTheTextsTheStageAndAVerifiableSignature() {
		this.hook.json("/check", 200, "{\"action\":\"deny\",\"reason\":\"off topic\"}");
		WebhookGuardrail guardrail = new WebhookGuardrail("policy", URI.create("http://127.0.0.1:" + this.hook.port() + "/check"),
				Secret.of("whsec-test"), Set.of(Stage.PRE), HttpClient.create(),
				Clock.fixed(Instant.ofEpochSecond(1765000000), ZoneOffset.UTC));

		GuardVerdict verdict = guardrail.checkRequest(new GuardRequest(List.of("a", "b"), "search", "fast"))
			.block(Duration.ofSeconds(5));

		assertThat(verdict.outcome()).isEqualTo(GuardVerdict.Outcome.DENY);
		assertThat(verdict.reason()).isEqualTo("off topic");
		StubUpstream.Received call = this.hook.lastRequest();
		assertThat(Json.MAPPER.readTree(call.body()).toString())
			.isEqualTo("{\"guardrail\":\"policy\",\"stage\":\"pre\",\"team\":\"search\",\"model\":\"fast\",\"complete\":true,"
					+ "\"texts\":[\"a\",\"b\"]}");
		assertThat(call.headers().get(WebhookGuardrail.TIMESTAMP_HEADER)).isEqualTo("1765000000");
		assertThat(call.headers().get(WebhookGuardrail.SIGNATURE_HEADER)).isEqualTo("sha256="
				+ WebhookGuardrail.sign(Secret.of("whsec-test"), "1765000000", call.body().getBytes(StandardCharsets.UTF_8)));
		assertThat(call.headers().toString()).doesNotContain("whsec-test");
	}

	@Test
	void anythingButAnAllowDenyOrRewriteIsAFailedCheck() {
		assertThatIllegalStateException().isThrownBy(() -> WebhookGuardrail.verdict("<html>".getBytes(), 1))
			.withMessageContaining("not JSON");
		assertThatIllegalStateException().isThrownBy(() -> WebhookGuardrail.verdict("{\"action\":\"maybe\"}".getBytes(), 1))
			.withMessageContaining("no action");
		assertThatIllegalStateException()
			.isThrownBy(() -> WebhookGuardrail.verdict("{\"action\":\"rewrite\",\"texts\":[\"x\"]}".getBytes(), 2))
			.withMessageContaining("2 texts");
		assertThatIllegalStateException()
			.isThrownBy(() -> WebhookGuardrail.verdict("{\"action\":\"rewrite\",\"texts\":[1]}".getBytes(), 1))
			.withMessageContaining("not a string");
		assertThat(WebhookGuardrail.verdict("{\"action\":\"rewrite\",\"texts\":[\"y\"]}".getBytes(), 1).texts())
			.containsExactly("y");
	}

	@Test
	void aNon2xxAnswerIsAFailedCheck() {
		this.hook.json("/check", 500, "{\"action\":\"allow\"}");
		WebhookGuardrail guardrail = new WebhookGuardrail("policy", URI.create("http://127.0.0.1:" + this.hook.port() + "/check"),
				Secret.of("k"), Set.of(Stage.POST), HttpClient.create(), Clock.systemUTC());

		assertThatIllegalStateException()
			.isThrownBy(() -> guardrail.checkRequest(new GuardRequest(List.of("a"), "t", "m")).block(Duration.ofSeconds(5)))
			.withMessageContaining("HTTP 500");
	}

	@Test
	void aSecretAndAnHttpUrlAreRequired() {
		assertThatIllegalArgumentException().isThrownBy(() -> new WebhookGuardrail("p", URI.create("http://127.0.0.1:1/"),
				Secret.of(" "), Set.of(Stage.PRE), HttpClient.create(), Clock.systemUTC()))
			.withMessageStartingWith("secret:");
		assertThatIllegalArgumentException().isThrownBy(() -> new WebhookGuardrail("p", URI.create("file:///etc/passwd"),
				Secret.of("k"), Set.of(Stage.PRE), HttpClient.create(), Clock.systemUTC()))
			.withMessageStartingWith("url:");
	}

}
