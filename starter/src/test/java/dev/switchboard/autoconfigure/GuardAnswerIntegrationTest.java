package dev.switchboard.autoconfigure;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerResponse;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.switchboard.autoconfigure.guard.GuardAutoConfiguration;
import dev.switchboard.core.Json;
import dev.switchboard.quota.admission.TokenQuotaService;
import dev.switchboard.testing.StubUpstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Guardrails on answers, beside the call and with remote services, through real HTTP: an echoing
 * provider stub (its answer repeats the prompt, so a prompt says what the answer holds), a
 * stand-in Presidio analyzer and anonymizer answering in Presidio's documented JSON (code-point
 * offsets), and a policy webhook that checks the gateway's signature. Streams are read event by
 * event as a client reads them: nothing the checks refused may ever arrive.
 */
@SpringBootTest(classes = GatewayTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("guard-answer-it")
class GuardAnswerIntegrationTest {

	private static final String KEY = "guard-key";

	private static final String SECRET = "webhook-signing-secret";

	@RegisterExtension
	static final StubProvider openaiStub = new StubProvider();

	private static final StubUpstream openai = openaiStub.upstream();

	@RegisterExtension
	static final StubProvider backupStub = new StubProvider();

	private static final StubUpstream backup = backupStub.upstream();

	@RegisterExtension
	static final StubProvider anthropicStub = new StubProvider();

	private static final StubUpstream anthropic = anthropicStub.upstream();

	@RegisterExtension
	static final StubProvider presidioStub = new StubProvider();

	private static final StubUpstream presidio = presidioStub.upstream();

	@RegisterExtension
	static final StubProvider webhookStub = new StubProvider();

	private static final StubUpstream webhook = webhookStub.upstream();

	private static final Pattern EMAIL = Pattern.compile("[\\w.+-]+@[\\w-]+\\.[\\w.]+");

	private static final Pattern SSN = Pattern.compile("\\b\\d{3}-\\d{2}-\\d{4}\\b");

	/** Signatures the webhook found wrong; none may be. */
	private static final List<String> badSignatures = new ArrayList<>();

	@LocalServerPort
	int port;

	@Autowired
	MeterRegistry meters;

	@Autowired
	TokenQuotaService quotas;

	@DynamicPropertySource
	static void services(DynamicPropertyRegistry registry) {
		openaiStub.serve(registry, "openai");
		backupStub.serve(registry, "backup");
		anthropicStub.serve(registry, "anthropic");
		for (String rail : List.of("presidio", "presidio-back", "anonymized")) {
			registry.add("switchboard.guard.guardrails." + rail + ".analyzer-url", () -> "http://127.0.0.1:" + presidio.port());
		}
		registry.add("switchboard.guard.guardrails.anonymized.anonymizer-url", () -> "http://127.0.0.1:" + presidio.port());
		for (String rail : List.of("hook", "beside")) {
			registry.add("switchboard.guard.guardrails." + rail + ".url", () -> "http://127.0.0.1:" + webhook.port() + "/check");
		}
		// A port nothing listens on: the policy service is down.
		for (String rail : List.of("hook-down-open", "hook-down-closed")) {
			registry.add("switchboard.guard.guardrails." + rail + ".url", () -> "http://127.0.0.1:" + closedPort() + "/check");
		}
	}

	@BeforeEach
	void answers() {
		badSignatures.clear();
		openai.on("/v1/chat/completions", GuardAnswerIntegrationTest::echo);
		backup.on("/v1/chat/completions", GuardAnswerIntegrationTest::echo);
		anthropic.on("/v1/messages", GuardAnswerIntegrationTest::echoMessages);
		presidio.on("/analyze", (request, response) -> response.status(200).header("content-type", "application/json")
			.sendString(Mono.just(analyze(Json.MAPPER.readTree(request.body())).toString())).then());
		presidio.on("/anonymize", (request, response) -> response.status(200).header("content-type", "application/json")
			.sendString(Mono.just(anonymize(Json.MAPPER.readTree(request.body())).toString())).then());
		webhook.on("/check", GuardAnswerIntegrationTest::policy);
	}

	// ---- answers checked after the call

	@Test
	void aDeniedAnswerIsAClean400ThatIsNeitherCachedNorFailedOver() {
		long tokensBefore = ledgerTokens();
		double deniedBefore = checks("answers", "post", "denied");
		for (int i = 0; i < 6; i++) {
			GatewayHttp.Answer answer = post("/v1/chat/completions", chat("checked", "Tell them about Project Atlas", false));
			assertThat(answer.status()).as(answer.body()).isEqualTo(400);
			JsonNode error = Json.MAPPER.readTree(answer.body()).path("error");
			assertThat(error.path("code").asString()).isEqualTo("content_policy_violation");
			assertThat(error.path("message").asString()).startsWith("The answer was blocked").contains("'answers'");
			assertThat(answer.headers().get("x-switchboard-guardrail")).isEqualTo("answers");
		}
		assertThat(openai.received()).as("never cached: each asked the provider again").hasSize(6);
		assertThat(backup.received()).as("a denied answer is not the provider's failure: no failover, no breaker")
			.isEmpty();
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(ledgerTokens() - tokensBefore)
				.as("the provider wrote the answers: their tokens are charged, 9 + 7 each").isEqualTo(6 * 16));
		assertThat(post("/v1/chat/completions", chat("checked", "Fine question", false)).status())
			.as("the primary's breaker is still closed").isEqualTo(200);
		assertThat(backup.received()).isEmpty();
		assertThat(checks("answers", "post", "denied") - deniedBefore).isEqualTo(6);
	}

	@Test
	void anAnswerIsMaskedBeforeTheClientAndTheCacheSeeIt() {
		GatewayHttp.Answer answer = post("/v1/chat/completions", chat("checked", "Write to ann@example.com", false));

		assertThat(answer.status()).isEqualTo(200);
		assertThat(content(answer.body())).isEqualTo("You said: Write to [EMAIL]");
		GatewayHttp.Answer again = post("/v1/chat/completions", chat("checked", "Write to ann@example.com", false));
		assertThat(again.headers().get("x-switchboard-cache")).isEqualTo("hit");
		assertThat(content(again.body())).as("the cache kept the checked answer").isEqualTo("You said: Write to [EMAIL]");
	}

	@Test
	void aStreamHeldToTheEndIsDeniedBeforeAnyChunkLeaves() {
		GatewayHttp.Answer answer = post("/v1/chat/completions",
				chat("checked", "A long and winding answer that ends with project atlas", true));

		assertThat(answer.status()).isEqualTo(400);
		assertThat(answer.body()).doesNotContain("data:").doesNotContain("winding");
		assertThat(Json.MAPPER.readTree(answer.body()).path("error").path("code").asString())
			.isEqualTo("content_policy_violation");
		assertThat(post("/v1/chat/completions", chat("checked", "A long and winding answer that ends with project atlas",
				true)).status()).as("not cached either").isEqualTo(400);
		assertThat(openai.received()).hasSize(2);
	}

	@Test
	void aStreamHeldToTheEndOutlivesTheFailoverDeadline() {
		// 600 ms to start answering; the provider starts at once, then takes over a second to finish.
		String prompt = "Take it slowly and write to ann@example.com, there is all the time in the world";
		long start = System.nanoTime();
		GatewayHttp.Answer answer = post("/tight/v1/chat/completions", chat("checked", prompt, true));
		long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

		assertThat(answer.status()).as(answer.body()).isEqualTo(200);
		assertThat(elapsedMillis).as("held past the deadline").isGreaterThan(600);
		assertThat(streamed(answer.body())).isEqualTo("You said: " + prompt.replace("ann@example.com", "[EMAIL]"));
		assertThat(answer.body()).contains("data: [DONE]").doesNotContain("deadline_exceeded");
		assertThat(backup.received()).as("not failed over either").isEmpty();
	}

	@Test
	void aStreamIsMaskedAcrossChunks() {
		GatewayHttp.Answer answer = post("/v1/chat/completions", chat("checked", "Mail ann.lee@example.com today", true));

		assertThat(answer.status()).isEqualTo(200);
		assertThat(streamed(answer.body())).isEqualTo("You said: Mail [EMAIL] today");
		assertThat(answer.body()).doesNotContain("ann.lee", "example.com").contains("data: [DONE]");
	}

	@Test
	void aWindowedStreamReleasesCheckedWindowsAndEndsWithAnErrorEvent() {
		String prompt = "Here is a fairly long answer that goes on and on before it names project atlas at last";
		GatewayHttp.Answer answer = post("/windowed/v1/chat/completions", chat("checked", prompt, true));

		assertThat(answer.status()).as("the first windows were clean and went out").isEqualTo(200);
		String text = streamed(answer.body());
		assertThat(text).isNotEmpty().startsWith("You said: Here is").doesNotContainIgnoringCase("atlas");
		assertThat(answer.body()).contains("content_policy_violation").doesNotContain("data: [DONE]");
		assertThat(answer.body().toLowerCase()).as("not even in part of a chunk").doesNotContain("project atlas", "names pro");
	}

	@Test
	void theAnthropicDoorsAnswersAreCheckedStreamsIncluded() {
		GatewayHttp.Answer native_ = post("/v1/messages", messages("claude-checked", "Write to ann@example.com", true));
		assertThat(native_.status()).isEqualTo(200);
		assertThat(native_.body()).as("the provider's own events never pass unchecked beside the checked ones")
			.doesNotContain("ann@example.com")
			.contains("[EMAIL]", "event: message_stop");

		GatewayHttp.Answer whole = post("/v1/messages", messages("claude-checked", "Write to ann@example.com", false));
		assertThat(Json.MAPPER.readTree(whole.body()).path("content").path(0).path("text").asString())
			.isEqualTo("You said: Write to [EMAIL]");

		GatewayHttp.Answer denied = post("/v1/messages", messages("claude-checked", "Tell them about Project Atlas", true));
		assertThat(denied.status()).isEqualTo(400);
		assertThat(Json.MAPPER.readTree(denied.body()).path("error").path("type").asString())
			.as("in Anthropic's error shape").isEqualTo("invalid_request_error");
		assertThat(denied.body()).doesNotContain("event:");

		GatewayHttp.Answer translated = post("/v1/messages", messages("checked", "Write to ann@example.com", true));
		assertThat(translated.body()).as("an OpenAI provider behind the Anthropic door").doesNotContain("ann@example.com")
			.contains("[EMAIL]");

		GatewayHttp.Answer responses = post("/v1/responses",
				"{\"model\":\"checked\",\"input\":\"Write to ann@example.com\",\"stream\":true}");
		assertThat(responses.status()).isEqualTo(200);
		assertThat(responses.body()).as("and the Responses door").doesNotContain("ann@example.com")
			.contains("[EMAIL]", "response.completed");
	}

	@Test
	void thinkingIsCheckedLikeTheAnswerAtEveryDoorAndAChangedBlockGoesOutUnsigned() {
		String prompt = "Please think aloud about ann@example.com";
		GatewayHttp.Answer whole = post("/v1/messages", messages("claude-checked", prompt, false));
		assertThat(whole.status()).as(whole.body()).isEqualTo(200);
		assertThat(whole.body()).doesNotContain("ann@example.com");
		JsonNode thinking = Json.MAPPER.readTree(whole.body()).path("content").path(0);
		assertThat(thinking.path("type").asString()).isEqualTo("thinking");
		assertThat(thinking.path("thinking").asString()).isEqualTo("Thinking about You said: " + prompt.replace(
				"ann@example.com", "[EMAIL]"));
		assertThat(thinking.path("signature").asString()).as("changed after Claude signed it").isEmpty();

		GatewayHttp.Answer streamed = post("/v1/messages", messages("claude-checked", prompt, true));
		assertThat(streamed.status()).isEqualTo(200);
		assertThat(streamed.body()).doesNotContain("ann@example.com", "sig-of-claude")
			.contains("thinking_delta", "[EMAIL]", "event: message_stop");

		GatewayHttp.Answer chat = post("/v1/chat/completions", chat("claude-checked", prompt, false));
		JsonNode message = Json.MAPPER.readTree(chat.body()).path("choices").path(0).path("message");
		assertThat(chat.body()).doesNotContain("ann@example.com");
		assertThat(message.path("reasoning_content").asString()).contains("[EMAIL]");
		assertThat(message.path("thinking_blocks").path(0).path("signature").asString()).isEmpty();

		GatewayHttp.Answer clean = post("/v1/messages", messages("claude-checked", "Please think aloud about tea", false));
		assertThat(Json.MAPPER.readTree(clean.body()).path("content").path(0).path("signature").asString())
			.as("thinking no check changed stays signed").isEqualTo("sig-of-claude");
	}

	@Test
	void presidioChecksAStreamedAnswerBeforeAnyOfItLeaves() {
		GatewayHttp.Answer answer = post("/v1/chat/completions", chat("analysed", "Please sign it", true));

		assertThat(answer.status()).isEqualTo(200);
		assertThat(streamed(answer.body())).isEqualTo("You said: Please sign it, from <EMAIL_ADDRESS>");
		assertThat(answer.body()).doesNotContain("help@", "vendor.example");
	}

	@Test
	void aComparisonChecksEachLegOnItsOwn() {
		GatewayHttp.Answer compared = post("/v1/compare", """
				{"models":["checked","masked-back"],"messages":[{"role":"user",
				 "content":"Tell ann@example.com about Project Atlas"}]}""");

		assertThat(compared.status()).as(compared.body()).isEqualTo(200);
		JsonNode legs = Json.MAPPER.readTree(compared.body()).path("legs");
		JsonNode checked = legs.get(0).path("model").asString().equals("checked") ? legs.get(0) : legs.get(1);
		JsonNode restored = (checked == legs.get(0)) ? legs.get(1) : legs.get(0);
		assertThat(checked.path("error").path("code").asString()).as("its answer named the codename")
			.isEqualTo("content_policy_violation");
		assertThat(restored.path("message").path("content").asString())
			.as("the other leg masked its request and got the address back")
			.isEqualTo("You said: Tell ann@example.com about Project Atlas");
		assertThat(openai.received()).extracting(StubUpstream.Received::body)
			.anySatisfy(body -> assertThat(body).contains("Tell [EMAIL_1] about"));
	}

	// ---- reversible masks

	@Test
	void aReversibleMaskGivesTheClientItsOwnDataBackAndTheProviderNone() {
		GatewayHttp.Answer answer = post("/v1/chat/completions",
				chat("masked-back", "Write to ann@example.com and ann@example.com, cc bob@example.org", false));

		assertThat(openai.lastRequest().body()).contains("Write to [EMAIL_1] and [EMAIL_1], cc [EMAIL_2]")
			.doesNotContain("ann@", "bob@");
		assertThat(content(answer.body()))
			.isEqualTo("You said: Write to ann@example.com and ann@example.com, cc bob@example.org");

		GatewayHttp.Answer streamed = post("/v1/chat/completions", chat("masked-back", "Reply to bob@example.org please", true));
		assertThat(streamed(streamed.body())).as("placeholders split across chunks are put back")
			.isEqualTo("You said: Reply to bob@example.org please");
	}

	@Test
	void aCachedMaskedAnswerIsRestoredWithTheValuesOfTheRequestItAnswers() {
		post("/v1/chat/completions", chat("masked-back", "Greet carol@example.com", false));
		GatewayHttp.Answer second = post("/v1/chat/completions", chat("masked-back", "Greet dave@example.net", false));

		assertThat(second.headers().get("x-switchboard-cache")).isEqualTo("hit");
		assertThat(content(second.body())).as("never the first client's address").isEqualTo("You said: Greet dave@example.net");
		assertThat(openai.received()).hasSize(1);
	}

	// ---- Presidio

	@Test
	void presidioMasksBeforeTheProviderAndBlocksWhatItMustNotCarry() {
		GatewayHttp.Answer masked = post("/v1/chat/completions", chat("analysed", "😀 mail zoe@example.com now", false));
		assertThat(masked.status()).isEqualTo(200);
		assertThat(openai.lastRequest().body()).as("code-point offsets: the emoji does not shift the mask")
			.contains("😀 mail <EMAIL_ADDRESS> now")
			.doesNotContain("zoe@");

		GatewayHttp.Answer blocked = post("/v1/chat/completions", chat("analysed", "My SSN is 078-05-1120", false));
		assertThat(blocked.status()).isEqualTo(400);
		assertThat(Json.MAPPER.readTree(blocked.body()).path("error").path("message").asString()).contains("US_SSN")
			.doesNotContain("078-05");
		assertThat(openai.received()).hasSize(1);
	}

	@Test
	void presidioReversibleAndAnonymizerOperators() {
		GatewayHttp.Answer back = post("/v1/chat/completions", chat("analysed-back", "Invite zoe@example.com", false));
		assertThat(openai.lastRequest().body()).contains("Invite <EMAIL_ADDRESS_1>");
		assertThat(content(back.body())).isEqualTo("You said: Invite zoe@example.com");

		post("/v1/chat/completions", chat("anonymized", "Invite zoe@example.com", false));
		assertThat(openai.lastRequest().body()).as("the anonymizer's operator wrote the mask")
			.contains("Invite <a mail address>");
	}

	// ---- webhook

	@Test
	void aSignedWebhookChecksRequestAndAnswer() {
		GatewayHttp.Answer rewritten = post("/v1/chat/completions", chat("hooked", "please rewrite-me", false));
		assertThat(rewritten.status()).isEqualTo(200);
		assertThat(openai.lastRequest().body()).contains("please rewritten");
		assertThat(webhook.received()).hasSize(2);
		JsonNode pre = Json.MAPPER.readTree(webhook.received().get(0).body());
		JsonNode post = Json.MAPPER.readTree(webhook.received().get(1).body());
		assertThat(pre.path("stage").asString()).isEqualTo("pre");
		assertThat(post.path("stage").asString()).isEqualTo("post");
		assertThat(post.path("texts").toString()).contains("You said: please rewritten");
		assertThat(badSignatures).isEmpty();

		GatewayHttp.Answer denied = post("/v1/chat/completions", chat("hooked", "something forbidden", false));
		assertThat(denied.status()).isEqualTo(400);
		assertThat(Json.MAPPER.readTree(denied.body()).path("error").path("message").asString())
			.contains("'hook'", "against the policy");
	}

	@Test
	void aWebhookThatIsSlowOrAnswersGarbageFailsClosedWithinItsTimeout() {
		long start = System.nanoTime();
		GatewayHttp.Answer slow = post("/v1/chat/completions", chat("hooked", "be slow", false));
		assertThat(slow.status()).isEqualTo(503);
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
		assertThat(Json.MAPPER.readTree(slow.body()).path("error").path("code").asString())
			.isEqualTo("guardrail_unavailable");

		assertThat(post("/v1/chat/completions", chat("hooked", "send garbage", false)).status()).isEqualTo(503);
		assertThat(openai.received()).as("fail-closed before the call: nothing sent").isEmpty();
		assertThat(checks("hook", "pre", "timeout")).isEqualTo(1);
		assertThat(checks("hook", "pre", "error")).isEqualTo(1);
	}

	@Test
	void aDownPolicyServiceHoldsTheConfiguredFailMode() {
		assertThat(post("/v1/chat/completions", chat("open-when-down", "hello", false)).status())
			.as("fail-open: served, unchecked by it").isEqualTo(200);
		GatewayHttp.Answer closed = post("/v1/chat/completions", chat("closed-when-down", "hello", false));
		assertThat(closed.status()).isEqualTo(503);
		assertThat(closed.headers().get("x-switchboard-guardrail")).isEqualTo("hook-down-closed");
		assertThat(openai.received()).hasSize(1);
	}

	// ---- beside the call

	@Test
	void aDuringCheckRunsBesideTheCallAndHoldsTheAnswer() {
		GatewayHttp.Answer allowed = post("/v1/chat/completions", chat("beside", "allow this only once the provider has it", false));
		assertThat(allowed.status()).as("the check answered after the call went out: they ran side by side")
			.isEqualTo(200);

		GatewayHttp.Answer denied = post("/v1/chat/completions", chat("beside", "something forbidden", true));
		assertThat(denied.status()).isEqualTo(400);
		assertThat(denied.body()).doesNotContain("data:");
		assertThat(openai.received()).as("the call went out beside the check").hasSize(2);
	}

	// ---- the stand-ins

	/**
	 * The provider: repeats the last message, as JSON or in four-character chunks (60 ms apart when
	 * the prompt says to take it slowly).
	 */
	private static Publisher<Void> echo(StubUpstream.Received request, HttpServerResponse response) {
		JsonNode body = Json.MAPPER.readTree(request.body());
		ArrayNode messages = (ArrayNode) body.path("messages");
		String text = said(messages);
		if (!body.path("stream").asBoolean(false)) {
			ObjectNode completion = Json.object().put("id", "c").put("object", "chat.completion").put("created", 1)
				.put("model", "gpt-4o-mini");
			completion.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop")
				.putObject("message").put("role", "assistant").put("content", text);
			completion.putObject("usage").put("prompt_tokens", 9).put("completion_tokens", 7).put("total_tokens", 16);
			return response.status(200).header("content-type", "application/json")
				.sendString(Mono.just(completion.toString())).then();
		}
		List<String> events = new ArrayList<>();
		for (int i = 0; i < text.length(); i += 4) {
			events.add(chunk("{\"content\":" + Json.NODES.stringNode(text.substring(i, Math.min(text.length(), i + 4)))
					+ "}", "null"));
		}
		events.add(chunk("{}", "\"stop\""));
		events.add("data: [DONE]\n\n");
		Duration pace = Duration.ofMillis(text.contains("Take it slowly") ? 60 : 1);
		return response.status(200).header("content-type", "text/event-stream")
			.sendString(Flux.fromIterable(events).delayElements(pace)).then();
	}

	/** The echo: the last message, signed with an address of the provider's own when asked to sign. */
	private static String said(JsonNode messages) {
		JsonNode last = messages.get(messages.size() - 1).path("content");
		String prompt = last.isString() ? last.asString() : last.path(0).path("text").asString();
		return "You said: " + prompt + (prompt.contains("sign it") ? ", from help@vendor.example" : "");
	}

	/**
	 * The Anthropic provider: the same echo, as a Messages answer or its stream, after a signed
	 * thinking block that repeats it when the prompt says to think aloud.
	 */
	private static Publisher<Void> echoMessages(StubUpstream.Received request, HttpServerResponse response) {
		JsonNode body = Json.MAPPER.readTree(request.body());
		String text = said(body.path("messages"));
		boolean thinks = text.contains("think aloud");
		if (!body.path("stream").asBoolean(false)) {
			ObjectNode message = Json.object().put("id", "msg_1").put("type", "message").put("role", "assistant")
				.put("model", "claude-test").put("stop_reason", "end_turn").putNull("stop_sequence");
			ArrayNode content = message.putArray("content");
			if (thinks) {
				content.addObject().put("type", "thinking").put("thinking", "Thinking about " + text)
					.put("signature", "sig-of-claude");
			}
			content.addObject().put("type", "text").put("text", text);
			message.putObject("usage").put("input_tokens", 9).put("output_tokens", 7);
			return response.status(200).header("content-type", "application/json")
				.sendString(Mono.just(message.toString())).then();
		}
		List<String> events = new ArrayList<>();
		events.add("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":"
				+ "\"message\",\"role\":\"assistant\",\"model\":\"claude-test\",\"content\":[],\"stop_reason\":null,"
				+ "\"usage\":{\"input_tokens\":9,\"output_tokens\":1}}}\n\n");
		int block = 0;
		if (thinks) {
			events.add("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
					+ "\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}}\n\n");
			String thought = "Thinking about " + text;
			for (int i = 0; i < thought.length(); i += 4) {
				ObjectNode delta = Json.object().put("type", "content_block_delta").put("index", 0);
				delta.putObject("delta").put("type", "thinking_delta")
					.put("thinking", thought.substring(i, Math.min(thought.length(), i + 4)));
				events.add("event: content_block_delta\ndata: " + delta + "\n\n");
			}
			events.add("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
					+ "\"delta\":{\"type\":\"signature_delta\",\"signature\":\"sig-of-claude\"}}\n\n");
			events.add("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n");
			block = 1;
		}
		events.add("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":" + block + ","
				+ "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n");
		for (int i = 0; i < text.length(); i += 4) {
			ObjectNode delta = Json.object().put("type", "content_block_delta").put("index", block);
			delta.putObject("delta").put("type", "text_delta").put("text", text.substring(i, Math.min(text.length(), i + 4)));
			events.add("event: content_block_delta\ndata: " + delta + "\n\n");
		}
		events.add("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":" + block + "}\n\n");
		events.add("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
				+ "\"usage\":{\"output_tokens\":7}}\n\n");
		events.add("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
		return response.status(200).header("content-type", "text/event-stream").sendString(Flux.fromIterable(events)).then();
	}

	private static String chunk(String delta, String finish) {
		return "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini\","
				+ "\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":" + finish + "}]}\n\n";
	}

	/** Presidio's analyzer: e-mail addresses and US social security numbers, offsets in code points. */
	private static ArrayNode analyze(JsonNode request) {
		String text = request.path("text").asString();
		ArrayNode results = Json.NODES.arrayNode();
		for (Object[] kind : new Object[][] { { EMAIL, "EMAIL_ADDRESS" }, { SSN, "US_SSN" } }) {
			Matcher matcher = ((Pattern) kind[0]).matcher(text);
			while (matcher.find()) {
				results.addObject()
					.put("entity_type", (String) kind[1])
					.put("start", text.codePointCount(0, matcher.start()))
					.put("end", text.codePointCount(0, matcher.end()))
					.put("score", 0.95)
					.put("analysis_explanation", (String) null)
					.putObject("recognition_metadata").put("recognizer_name", "PatternRecognizer");
			}
		}
		return results;
	}

	/** Presidio's anonymizer: the replace operator of each result's type, or {@code <TYPE>}. */
	private static ObjectNode anonymize(JsonNode request) {
		String text = request.path("text").asString();
		List<JsonNode> results = new ArrayList<>();
		request.path("analyzer_results").forEach(results::add);
		results.sort((a, b) -> Integer.compare(b.path("start").asInt(), a.path("start").asInt()));
		StringBuilder out = new StringBuilder(text);
		for (JsonNode result : results) {
			JsonNode operator = request.path("anonymizers").path(result.path("entity_type").asString());
			String value = operator.path("new_value").asString("<" + result.path("entity_type").asString() + ">");
			out.replace(text.offsetByCodePoints(0, result.path("start").asInt()),
					text.offsetByCodePoints(0, result.path("end").asInt()), value);
		}
		ObjectNode answer = Json.object().put("text", out.toString());
		answer.putArray("items");
		return answer;
	}

	/** The policy service: checks the signature, then denies, rewrites, stalls or babbles as the text says. */
	private static Publisher<Void> policy(StubUpstream.Received request, HttpServerResponse response) {
		String timestamp = request.headers().get("X-Switchboard-Timestamp");
		String expected = "sha256=" + hmac(timestamp + "." + request.body());
		if (!expected.equals(request.headers().get("X-Switchboard-Signature"))) {
			badSignatures.add(String.valueOf(request.headers().get("X-Switchboard-Signature")));
			return response.status(401).send().then();
		}
		JsonNode texts = Json.MAPPER.readTree(request.body()).path("texts");
		String all = texts.toString();
		String answer;
		if (all.contains("forbidden")) {
			answer = "{\"action\":\"deny\",\"reason\":\"it is against the policy\"}";
		}
		else if (all.contains("rewrite-me")) {
			ArrayNode rewritten = Json.NODES.arrayNode();
			texts.forEach(text -> rewritten.add(text.asString().replace("rewrite-me", "rewritten")));
			answer = Json.object().put("action", "rewrite").set("texts", rewritten).toString();
		}
		else if (all.contains("garbage")) {
			answer = "<html>not json</html>";
		}
		else {
			answer = "{\"action\":\"allow\"}";
		}
		if (all.contains("only once the provider has it")) {
			// Answers only after the provider got the call: a check run before the call would time out.
			return response.status(200).header("content-type", "application/json")
				.sendString(Flux.interval(Duration.ofMillis(5))
					.filter(tick -> !openai.received().isEmpty())
					.next()
					.map(tick -> answer))
				.then();
		}
		Duration delay = all.contains("be slow") ? Duration.ofSeconds(2) : Duration.ZERO;
		return response.status(200).header("content-type", "application/json")
			.sendString(Mono.just(answer).delayElement(delay)).then();
	}

	private static String hmac(String payload) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
			return HexFormat.of().formatHex(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static int closedPort() {
		try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (java.io.IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	// ---- the client

	private static String chat(String model, String text, boolean stream) {
		return Json.object()
			.put("model", model)
			.put("stream", stream)
			.set("messages", Json.NODES.arrayNode().add(Json.object().put("role", "user").put("content", text)))
			.toString();
	}

	private static String messages(String model, String text, boolean stream) {
		return Json.object()
			.put("model", model)
			.put("max_tokens", 100)
			.put("stream", stream)
			.set("messages", Json.NODES.arrayNode().add(Json.object().put("role", "user").put("content", text)))
			.toString();
	}

	private double checks(String guardrail, String stage, String outcome) {
		var counter = this.meters.find(GuardAutoConfiguration.CHECKS)
			.tag("guardrail", guardrail)
			.tag("stage", stage)
			.tag("outcome", outcome)
			.counter();
		return (counter != null) ? counter.count() : 0;
	}

	private long ledgerTokens() {
		return this.quotas.backend().ledger("guarded", LocalDate.now(ZoneOffset.UTC)).block(Duration.ofSeconds(5))
			.day()
			.tokens();
	}

	private static String content(String completion) {
		return Json.MAPPER.readTree(completion).path("choices").path(0).path("message").path("content").asString();
	}

	/** The text a streaming client put together from the content deltas it received. */
	private static String streamed(String events) {
		StringBuilder text = new StringBuilder();
		for (String line : events.split("\n")) {
			if (line.startsWith("data: {")) {
				JsonNode chunk = Json.MAPPER.readTree(line.substring(6));
				chunk.path("choices").forEach(choice -> text.append(choice.path("delta").path("content").asString("")));
			}
		}
		return text.toString();
	}

	private static final Map<String, String> ANTHROPIC = Map.of("anthropic-version", "2023-06-01");

	private GatewayHttp.Answer post(String path, String body) {
		return GatewayHttp.post(this.port, path, KEY, body, ANTHROPIC);
	}

}
