package dev.switchboard.autoconfigure;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import org.awaitility.Awaitility;
import org.htmlunit.BrowserVersion;
import org.htmlunit.WebClient;
import org.htmlunit.html.HtmlButton;
import org.htmlunit.html.HtmlCheckBoxInput;
import org.htmlunit.html.HtmlPage;
import org.htmlunit.html.HtmlPasswordInput;
import org.htmlunit.html.HtmlTextArea;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.switchboard.core.Json;
import dev.switchboard.observe.GenAiAttributes;
import dev.switchboard.observe.metrics.GenAiMetrics;
import dev.switchboard.quota.admission.TokenQuotaService;
import dev.switchboard.sse.SseDecoder;
import dev.switchboard.sse.SseEvent;
import dev.switchboard.testing.StubUpstream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code POST /v1/compare} through real HTTP, over loopback providers of different speeds and
 * prices (one answering in Anthropic's format, one failing, one that never answers), on a route
 * with quotas and the cache: every leg is a full request of the team.
 */
@SpringBootTest(classes = GatewayTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("compare-it")
class CompareIntegrationTest {

	private static final String KEY = "compare-key";

	private static final StubUpstream quick = new StubUpstream();

	private static final StubUpstream slow = new StubUpstream();

	private static final StubUpstream claude = new StubUpstream();

	private static final StubUpstream broken = new StubUpstream();

	private static final StubUpstream stuck = new StubUpstream();

	private static final StubUpstream referee = new StubUpstream();

	@LocalServerPort
	int port;

	/** Each test's own question, so no test is answered from another's cache entries. */
	private String question;

	@Autowired
	TokenQuotaService quotas;

	@Autowired
	MeterRegistry meters;

	@DynamicPropertySource
	static void providers(DynamicPropertyRegistry registry) {
		Map<String, StubUpstream> stubs = Map.of("quick", quick, "slow", slow, "claude", claude, "broken", broken,
				"stuck", stuck, "referee", referee);
		stubs.forEach((name, stub) -> registry.add("switchboard.providers." + name + ".base-url",
				() -> stub.baseUrl().toString()));
	}

	@AfterAll
	static void stop() {
		List.of(quick, slow, claude, broken, stuck, referee).forEach(StubUpstream::close);
	}

	@BeforeEach
	void answers(TestInfo test) {
		this.question = "Which is best for " + test.getDisplayName() + "?";
		List.of(quick, slow, claude, broken, stuck, referee).forEach(StubUpstream::reset);
		openAi(quick, "Quick answer.", 10, 5, Duration.ZERO);
		openAi(slow, "A slower, longer answer.", 10, 20, Duration.ofMillis(300));
		claude.on("/v1/messages", (request, response) -> {
			boolean stream = Json.MAPPER.readTree(request.body()).path("stream").asBoolean(false);
			if (stream) {
				return response.status(200).header("content-type", "text/event-stream").sendString(Flux.just(
						"event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-test\",\"content\":[],\"stop_reason\":null,\"usage\":{\"input_tokens\":12,\"output_tokens\":1}}}\n\n",
						"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
						"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Claude \"}}\n\n",
						"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"answers.\"}}\n\n",
						"event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
						"event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":3}}\n\n",
						"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")).then();
			}
			return response.status(200).header("content-type", "application/json").sendString(Mono.just("""
					{"id":"msg_1","type":"message","role":"assistant","model":"claude-test",
					 "content":[{"type":"text","text":"Claude answers."}],"stop_reason":"end_turn","stop_sequence":null,
					 "usage":{"input_tokens":12,"output_tokens":3}}""")).then();
		});
		broken.json("/v1/chat/completions", 500,
				"{\"error\":{\"message\":\"upstream exploded\",\"type\":\"server_error\",\"param\":null,\"code\":null}}");
		stuck.on("/v1/chat/completions", (request, response) -> Mono.delay(Duration.ofSeconds(20)).then());
	}

	@Test
	void everyLegIsListedSideBySideAndOneFailingNeverFailsTheOthers() {
		long reservedBefore = ledgerRequests();
		Answer answer = post(compare("[\"quick\",\"slow\",\"claude\",\"broken\",\"secret\"]", ""));

		assertThat(answer.status()).as(answer.body()).isEqualTo(200);
		JsonNode json = Json.MAPPER.readTree(answer.body());
		assertThat(json.path("object").asString()).isEqualTo("comparison");
		JsonNode legs = json.path("legs");
		assertThat(legs).hasSize(5);
		JsonNode first = legs.get(0);
		assertThat(first.path("model").asString()).isEqualTo("quick");
		assertThat(first.path("served_by").asString()).isEqualTo("quick");
		assertThat(first.path("provider").asString()).isEqualTo("quick");
		assertThat(first.path("status").asInt()).isEqualTo(200);
		assertThat(first.path("message").path("content").asString()).isEqualTo("Quick answer.");
		assertThat(first.path("finish_reason").asString()).isEqualTo("stop");
		assertThat(first.path("usage").path("prompt_tokens").asInt()).isEqualTo(10);
		assertThat(first.path("usage").path("completion_tokens").asInt()).isEqualTo(5);
		assertThat(first.path("cost_usd").decimalValue()).as("10 x $1 + 5 x $2 per million")
			.isEqualByComparingTo("0.00002");
		assertThat(first.path("cache").asString()).isEqualTo("miss");
		assertThat(first.path("error").isNull()).isTrue();
		assertThat(legs.get(1).path("latency_ms").asLong()).as("the slow provider's 300 ms").isGreaterThanOrEqualTo(300);
		assertThat(legs.get(1).path("cost_usd").decimalValue()).isEqualByComparingTo("0.0007");
		assertThat(legs.get(2).path("message").path("content").asString()).as("translated from Anthropic's format")
			.isEqualTo("Claude answers.");
		assertThat(legs.get(2).path("provider").asString()).isEqualTo("claude");
		JsonNode failed = legs.get(3);
		assertThat(failed.path("status").asInt()).isGreaterThanOrEqualTo(500);
		assertThat(failed.path("message").isNull()).isTrue();
		assertThat(failed.path("error").path("message").asString()).isNotBlank();
		assertThat(quick.received()).as("no failover to 'broken's fallback: the point is the model named").hasSize(1);
		JsonNode forbidden = legs.get(4);
		assertThat(forbidden.path("status").asInt()).isEqualTo(403);
		assertThat(forbidden.path("error").path("message").asString()).contains("secret");
		assertThat(forbidden.path("served_by").isNull()).isTrue();

		JsonNode summary = json.path("summary");
		assertThat(summary.path("legs").asInt()).isEqualTo(5);
		assertThat(summary.path("succeeded").asInt()).isEqualTo(3);
		assertThat(summary.path("all_succeeded").asBoolean()).isFalse();
		assertThat(summary.path("fastest").asString()).isIn("quick", "claude");
		assertThat(summary.path("cheapest").asString()).isEqualTo("quick");
		assertThat(summary.path("shortest").asString()).isEqualTo("claude");
		assertThat(summary.path("total_cost_usd").decimalValue()).isEqualByComparingTo(
				first.path("cost_usd").decimalValue()
					.add(legs.get(1).path("cost_usd").decimalValue())
					.add(legs.get(2).path("cost_usd").decimalValue())
					.add(failed.path("cost_usd").decimalValue()));
		// The ledger is written as each leg settles, which may finish just after the answer is sent.
		Awaitility.await()
			.atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(ledgerRequests() - reservedBefore)
				.as("each leg that reached the quota reserved on its own")
				.isEqualTo(4));
		assertThat(this.meters.find(GenAiMetrics.COMPARE_LEGS).tag(GenAiAttributes.TEAM, "comparers").counters())
			.as("legs are marked in the metrics").isNotEmpty();
		assertThat(this.meters.find(GenAiMetrics.COMPARE_COST).tag(GenAiAttributes.TEAM, "comparers").counter().count()).isPositive();
	}

	@Test
	void eachLegHasItsOwnCacheEntryUnlessTheCacheIsTurnedOff() {
		String body = compare("[\"quick\",\"claude\"]", "");
		assertThat(post(body).status()).isEqualTo(200);

		JsonNode again = Json.MAPPER.readTree(post(body).body()).path("legs");
		assertThat(again.get(0).path("cache").asString()).isEqualTo("hit");
		assertThat(again.get(1).path("cache").asString()).isEqualTo("hit");
		assertThat(again.get(1).path("message").path("content").asString()).isEqualTo("Claude answers.");
		assertThat(quick.received()).hasSize(1);
		assertThat(claude.received()).hasSize(1);

		JsonNode bypassed = Json.MAPPER.readTree(post(compare("[\"quick\",\"claude\"]", ",\"compare\":{\"cache\":false}"))
			.body()).path("legs");
		assertThat(bypassed.get(0).path("cache").asString()).isEqualTo("bypass");
		assertThat(quick.received()).hasSize(2);
	}

	@Test
	void theDeadlineEndsALegThatDoesNotAnswerAndTheOthersStand() {
		long start = System.nanoTime();
		Answer answer = post(compare("[\"quick\",\"stuck\"]", ",\"compare\":{\"deadline_ms\":700}"));
		long millis = (System.nanoTime() - start) / 1_000_000;

		assertThat(answer.status()).isEqualTo(200);
		assertThat(millis).as("bounded by the deadline, not the provider's 20 s").isLessThan(5_000);
		JsonNode legs = Json.MAPPER.readTree(answer.body()).path("legs");
		assertThat(legs.get(0).path("status").asInt()).isEqualTo(200);
		assertThat(legs.get(1).path("status").asInt()).isEqualTo(504);
		assertThat(legs.get(1).path("error").path("code").asString()).isEqualTo("deadline_exceeded");
		assertThat(legs.get(1).path("latency_ms").asLong()).isBetween(600L, 5_000L);
	}

	@Test
	void failoverCanBeAskedForPerComparison() {
		JsonNode legs = Json.MAPPER.readTree(post(compare("[\"broken\"]", ",\"compare\":{\"failover\":true}")).body())
			.path("legs");

		assertThat(legs.get(0).path("status").asInt()).isEqualTo(200);
		assertThat(legs.get(0).path("model").asString()).isEqualTo("broken");
		assertThat(legs.get(0).path("served_by").asString()).isEqualTo("quick");
	}

	@Test
	void aStreamedComparisonTagsEveryEventWithItsLegAndEndsWithTheSummary() {
		Answer answer = post(compare("[\"quick\",\"claude\",\"secret\"]", ",\"stream\":true"));

		assertThat(answer.status()).isEqualTo(200);
		List<SseEvent> events = new SseDecoder().decode(answer.body().getBytes(StandardCharsets.UTF_8));
		Map<Integer, StringBuilder> text = new HashMap<>();
		List<JsonNode> results = new ArrayList<>();
		JsonNode summary = null;
		for (SseEvent event : events) {
			if ("compare.chunk".equals(event.event())) {
				JsonNode data = Json.MAPPER.readTree(event.data());
				assertThat(data.path("model").asString()).isEqualTo((data.path("leg").asInt() == 0) ? "quick" : "claude");
				text.computeIfAbsent(data.path("leg").asInt(), leg -> new StringBuilder())
					.append(data.path("chunk").path("choices").path(0).path("delta").path("content").asString(""));
			}
			else if ("compare.leg".equals(event.event())) {
				results.add(Json.MAPPER.readTree(event.data()));
			}
			else if ("compare.summary".equals(event.event())) {
				summary = Json.MAPPER.readTree(event.data());
			}
		}
		assertThat(events.get(events.size() - 1).isDone()).isTrue();
		assertThat(text.get(0)).hasToString("Quick answer.");
		assertThat(text.get(1)).hasToString("Claude answers.");
		assertThat(results).as(answer.body()).hasSize(3);
		assertThat(summary).isNotNull();
		assertThat(summary.path("legs").get(1).path("message").path("content").asString()).isEqualTo("Claude answers.");
		assertThat(summary.path("legs").get(1).path("usage").path("completion_tokens").asInt()).isEqualTo(3);
		assertThat(summary.path("legs").get(0).path("time_to_first_token_ms").isNumber()).isTrue();
		assertThat(summary.path("legs").get(2).path("status").asInt()).isEqualTo(403);
		assertThat(summary.path("summary").path("succeeded").asInt()).isEqualTo(2);
	}

	/**
	 * Either every leg fits the team's budget or none is sent: the leg the quota refuses makes the
	 * comparison a 429, the legs already admitted are held back from their providers and not
	 * charged, so the team's budget is whole for the next comparison.
	 */
	@Test
	void aComparisonThatDoesNotFitTheBudgetIsA429BeforeAnyLegIsSent() {
		Map<String, String> tight = Map.of("authorization", "Bearer tight-key");
		String three = compare("[\"quick\",\"slow\",\"claude\"]", ",\"max_tokens\":40");

		Answer refused = post(three, tight);

		assertThat(refused.status()).as(refused.body()).isEqualTo(429);
		JsonNode error = Json.MAPPER.readTree(refused.body()).path("error");
		assertThat(error.path("message").asString()).contains("no leg was sent");
		assertThat(quick.received()).isEmpty();
		assertThat(slow.received()).isEmpty();
		assertThat(claude.received()).isEmpty();
		assertThat(post(three.replace(",\"stream\":true", "").replace("]", "]").replace("\"max_tokens\":40",
				"\"max_tokens\":40,\"stream\":true"), tight).status()).as("streamed alike").isEqualTo(429);

		// Refunds are settled as the held-back legs complete, which may finish just after the 429.
		Awaitility.await()
			.atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(this.quotas.snapshot("tight").block(Duration.ofSeconds(5)).limits())
				.allSatisfy(limit -> assertThat(limit.remaining()).as(limit.limit().toString()).isEqualTo(limit.capacity())));
		Answer two = post(compare("[\"quick\",\"claude\"]", ",\"max_tokens\":40"), tight);
		assertThat(two.status()).as("nothing of the refused comparisons was charged: " + two.body()).isEqualTo(200);
		assertThat(Json.MAPPER.readTree(two.body()).path("summary").path("all_succeeded").asBoolean()).isTrue();
	}

	/**
	 * The judge scores the answers that came, numbered, without the names of the models that wrote
	 * them; its scores are mapped back to the legs, its prompt and cost are in the answer.
	 */
	@Test
	void aJudgeScoresTheAnswersItSeesWithoutTheModelsNames() {
		openAi(referee, "{\\\"scores\\\":[{\\\"answer\\\":1,\\\"score\\\":6,\\\"reason\\\":\\\"terse\\\"},"
				+ "{\\\"answer\\\":2,\\\"score\\\":9,\\\"reason\\\":\\\"complete\\\"}],\\\"best\\\":2}", 100, 30,
				Duration.ZERO);
		JsonNode answer = Json.MAPPER.readTree(post(compare("[\"quick\",\"broken\",\"slow\"]",
				",\"judge\":{\"model\":\"referee\",\"criteria\":\"brevity\"}")).body());

		JsonNode judge = answer.path("judge");
		assertThat(judge.path("error").isNull()).as(judge.toString()).isTrue();
		assertThat(judge.path("scores")).hasSize(2);
		assertThat(judge.path("scores").get(0).path("leg").asInt()).isZero();
		assertThat(judge.path("scores").get(0).path("score").asDouble()).isEqualTo(6.0);
		assertThat(judge.path("scores").get(1).path("leg").asInt()).as("answer 2 is the third leg: 'broken' failed")
			.isEqualTo(2);
		assertThat(judge.path("scores").get(1).path("model").asString()).isEqualTo("slow");
		assertThat(judge.path("best").asString()).isEqualTo("slow");
		assertThat(answer.path("summary").path("best").asString()).isEqualTo("slow");
		assertThat(judge.path("cost_usd").decimalValue()).as("130 tokens at $5 per million").isEqualByComparingTo("0.00065");
		assertThat(answer.path("summary").path("total_cost_with_judge_usd").decimalValue()).isEqualByComparingTo(
				answer.path("summary").path("total_cost_usd").decimalValue().add(judge.path("cost_usd").decimalValue()));
		String prompt = judge.path("prompt").get(1).path("content").asString();
		assertThat(prompt).contains("Criteria: brevity", "Answer 1:\nQuick answer.", "Answer 2:\nA slower, longer answer.",
				this.question);
		JsonNode sent = Json.MAPPER.readTree(referee.lastRequest().body());
		assertThat(sent.path("response_format").path("type").asString()).isEqualTo("json_object");
		assertThat(sent.toString()).doesNotContain("\"quick\"", "\"slow\"", "broken", "quick-1", "slow-1");
	}

	@Test
	void aJudgeThatDoesNotAnswerInJsonIsReportedAndTheLegsStand() {
		openAi(referee, "I liked the second one.", 20, 5, Duration.ZERO);
		JsonNode answer = Json.MAPPER.readTree(post(compare("[\"quick\",\"slow\"]",
				",\"judge\":{\"model\":\"referee\"}")).body());

		assertThat(answer.path("judge").path("error").path("code").asString()).isEqualTo("judge_unparseable");
		assertThat(answer.path("judge").path("reply").asString()).isEqualTo("I liked the second one.");
		assertThat(answer.path("judge").path("criteria").asString()).isEqualTo("correctness, completeness and clarity");
		assertThat(answer.path("summary").path("all_succeeded").asBoolean()).isTrue();
	}

	/**
	 * The page in a browser engine: a person enters the key, loads the team's models, picks two,
	 * asks, and sees both answers side by side with their latency, tokens and cost, streamed.
	 */
	@Test
	void thePageRunsAComparisonAndShowsEveryLeg() throws Exception {
		try (WebClient browser = new WebClient(BrowserVersion.FIREFOX)) {
			browser.getOptions().setThrowExceptionOnScriptError(true);
			browser.getOptions().setCssEnabled(false);
			HtmlPage page = browser.getPage("http://127.0.0.1:" + this.port + "/v1/compare");
			assertThat(page.getWebResponse().getResponseHeaderValue("Content-Security-Policy"))
				.contains("frame-ancestors 'none'");

			page.<HtmlPasswordInput>getHtmlElementById("key").type(KEY);
			page.<HtmlButton>getHtmlElementById("load").click();
			browser.waitForBackgroundJavaScript(5_000);
			assertThat(page.getElementById("models").getTextContent()).contains("quick", "claude", "referee")
				.doesNotContain("secret");
			page.<HtmlCheckBoxInput>getHtmlElementById("model-quick").setChecked(true);
			page.<HtmlCheckBoxInput>getHtmlElementById("model-claude").setChecked(true);
			page.<HtmlTextArea>getHtmlElementById("prompt").type(this.question);
			page.<HtmlButton>getHtmlElementById("compare").click();
			browser.waitForBackgroundJavaScript(10_000);

			String first = page.getElementById("leg-0").getTextContent();
			String second = page.getElementById("leg-1").getTextContent();
			assertThat(first).contains("quick", "Quick answer.", "answered by quick", "latency", "10 in, 5 out", "$0.000020");
			assertThat(second).contains("claude", "Claude answers.", "answered by claude", "12 in, 3 out");
			assertThat(page.getElementById("summary").getTextContent()).contains("2 of 2 answered", "cheapest quick");
			assertThat(page.getElementById("status").getTextContent()).isEqualTo("Done.");
		}
		assertThat(get("/v1/compare").status()).as("an API client's GET is still not a comparison").isEqualTo(405);
	}

	@Test
	void badComparisonsAreTheClientsOwn400BeforeAnyLegRuns() {
		Map<String, String> cases = Map.of(
				"{\"models\":[],\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "models",
				"{\"models\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\"],\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "models",
				"{\"model\":\"quick\",\"models\":[\"quick\"],\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "model",
				"{\"models\":[\"quick\",\"quick\"],\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "models[1]",
				"{\"models\":[\"quick\"],\"messages\":\"hi\"}", "messages",
				"{\"models\":[\"quick\"],\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"compare\":{\"deadline_ms\":-1}}",
				"compare.deadline_ms");
		cases.forEach((body, param) -> {
			Answer answer = post(body);
			assertThat(answer.status()).as(body + " -> " + answer.body()).isEqualTo(400);
			assertThat(Json.MAPPER.readTree(answer.body()).path("error").path("param").asString()).as(body).isEqualTo(param);
		});
		assertThat(quick.received()).isEmpty();

		JsonNode embedding = Json.MAPPER.readTree(post(compare("[\"quick\",\"embed\"]", "")).body()).path("legs").get(1);
		assertThat(embedding.path("status").asInt()).as("an embedding model is that leg's 400").isEqualTo(400);
		assertThat(get("/v1/compare").status()).isEqualTo(405);
		assertThat(post(compare("[\"quick\"]", ""), Map.of()).status()).isEqualTo(401);
	}

	// ---- helpers

	private static void openAi(StubUpstream stub, String text, int prompt, int completion, Duration delay) {
		stub.on("/v1/chat/completions", (request, response) -> {
			boolean stream = Json.MAPPER.readTree(request.body()).path("stream").asBoolean(false);
			if (stream) {
				String head = "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",";
				return Mono.delay(delay).then(response.status(200).header("content-type", "text/event-stream")
					.sendString(Flux.just(
							"data: " + head + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\""
									+ text.substring(0, 6) + "\"},\"finish_reason\":null}]}\n\n",
							"data: " + head + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + text.substring(6)
									+ "\"},\"finish_reason\":\"stop\"}]}\n\n",
							"data: " + head + "\"choices\":[],\"usage\":{\"prompt_tokens\":" + prompt
									+ ",\"completion_tokens\":" + completion + ",\"total_tokens\":" + (prompt + completion)
									+ "}}\n\n",
							"data: [DONE]\n\n"))
					.then());
			}
			String body = "{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
					+ "\"message\":{\"role\":\"assistant\",\"content\":\"" + text + "\"},\"finish_reason\":\"stop\"}],"
					+ "\"usage\":{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":" + completion
					+ ",\"total_tokens\":" + (prompt + completion) + "}}";
			return Mono.delay(delay)
				.then(response.status(200).header("content-type", "application/json").sendString(Mono.just(body)).then());
		});
	}

	private String compare(String models, String extra) {
		return "{\"models\":" + models + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + this.question + "\"}]"
				+ extra + "}";
	}

	private long ledgerRequests() {
		return this.quotas.backend()
			.ledger("comparers", LocalDate.now(ZoneOffset.UTC))
			.block(Duration.ofSeconds(5))
			.day()
			.requests();
	}

	record Answer(int status, String body) {
	}

	private Answer post(String body) {
		return post(body, Map.of("authorization", "Bearer " + KEY));
	}

	private Answer post(String body, Map<String, String> headers) {
		return HttpClient.create()
			.headers(h -> {
				h.set("content-type", "application/json");
				headers.forEach(h::set);
			})
			.post()
			.uri("http://127.0.0.1:" + this.port + "/v1/compare")
			.send((request, out) -> out.sendString(Mono.just(body)))
			.responseSingle((response, content) -> content.asString()
				.defaultIfEmpty("")
				.map(text -> new Answer(response.status().code(), text)))
			.block(Duration.ofSeconds(15));
	}

	private Answer get(String path) {
		return HttpClient.create()
			.headers(h -> h.set("authorization", "Bearer " + KEY))
			.get()
			.uri("http://127.0.0.1:" + this.port + path)
			.responseSingle((response, content) -> content.asString()
				.defaultIfEmpty("")
				.map(text -> new Answer(response.status().code(), text)))
			.block(Duration.ofSeconds(15));
	}

}
