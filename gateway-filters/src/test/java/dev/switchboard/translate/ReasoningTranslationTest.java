package dev.switchboard.translate;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpHeaders;

import dev.switchboard.catalog.Capability;
import dev.switchboard.catalog.ModelCatalog;
import dev.switchboard.catalog.ModelSpec;
import dev.switchboard.catalog.ProviderSpec;
import dev.switchboard.catalog.ProviderType;
import dev.switchboard.catalog.ReasoningTable;
import dev.switchboard.catalog.Secret;
import dev.switchboard.catalog.UnsupportedParameters;
import dev.switchboard.core.Json;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.NativeRequest;
import dev.switchboard.core.Operation;
import dev.switchboard.testing.TestCatalogs;
import dev.switchboard.translate.anthropic.AnthropicAdapter;
import dev.switchboard.translate.gemini.GeminiAdapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * {@code reasoning_effort} as Anthropic's {@code thinking} and Gemini's {@code thinkingConfig}:
 * the default tables, budgets kept below the client's ceiling, what thinking cannot be combined
 * with, per-model levels, models that do not reason, and thinking handed back across tool turns.
 */
class ReasoningTranslationTest {

	private static final Set<Capability> REASONING = Set.of(Capability.CHAT, Capability.TOOLS, Capability.JSON,
			Capability.REASONING);

	private static final ModelCatalog CATALOG = new ModelCatalog(
			List.of(provider("anthropic", ProviderType.ANTHROPIC, UnsupportedParameters.REJECT),
					provider("anthropic-lenient", ProviderType.ANTHROPIC, UnsupportedParameters.DROP),
					provider("gemini", ProviderType.GEMINI, UnsupportedParameters.REJECT)),
			List.of(model("claude", "anthropic", null), model("claude-lenient", "anthropic-lenient", null),
					model("claude-adaptive", "anthropic",
							ReasoningTable.defaults(ProviderType.ANTHROPIC)
								.with(Map.of("high", "high", "xhigh", "max", "medium", "dynamic"), ProviderType.ANTHROPIC)),
					TestCatalogs.chatModel("claude-plain", "anthropic", "claude-plain"),
					model("gemini-25", "gemini", null), TestCatalogs.chatModel("gemini-plain", "gemini", "gemini-plain"),
					model("gemini-3", "gemini",
							ReasoningTable.defaults(ProviderType.GEMINI)
								.with(Map.of("none", "minimal", "minimal", "minimal", "low", "low", "medium", "medium",
										"high", "high", "xhigh", "high"), ProviderType.GEMINI))));

	/** The provider's {@code default-max-tokens}, sent when the client sets none. */
	private static final int DEFAULT_MAX_TOKENS = 2048;

	@Nested
	class Anthropic {

		@ParameterizedTest(name = "{0}")
		@CsvSource(delimiter = '|', textBlock = """
				minimal | 1024  | 2048
				low     | 1024  | 2048
				medium  | 8192  | 10240
				high    | 24576 | 26624
				xhigh   | 32768 | 34816
				""")
		void effortBecomesTheDefaultBudgetAndMaxTokensMakesRoomForIt(String effort, int budget, int maxTokens) {
			JsonNode sent = anthropic("claude", "\"reasoning_effort\":\"" + effort + "\"");

			assertThat(sent.path("thinking")).isEqualTo(Json.object().put("type", "enabled").put("budget_tokens", budget));
			assertThat(sent.path("max_tokens").asInt()).isEqualTo(maxTokens);
		}

		@Test
		void noneSendsNoThinking() {
			JsonNode sent = anthropic("claude", "\"reasoning_effort\":\"none\"");

			assertThat(sent.has("thinking")).isFalse();
			assertThat(sent.path("max_tokens").asInt()).isEqualTo(DEFAULT_MAX_TOKENS);
		}

		@Test
		void aBudgetStaysBelowTheClientsCeilingWhichIsKept() {
			LlmExchange exchange = exchange("claude", "\"reasoning_effort\":\"high\",\"max_completion_tokens\":4000");
			JsonNode sent = body(new AnthropicAdapter(), exchange);

			assertThat(sent.path("thinking").path("budget_tokens").asInt()).isEqualTo(3999);
			assertThat(sent.path("max_tokens").asInt()).isEqualTo(4000);
			assertThat(exchange.decisions().toString()).contains("lowered from 24576");
		}

		@Test
		void aCeilingBelowAnthropicsMinimumBudgetIsTheClientsToRaise() {
			assertThatExceptionOfType(LlmApiException.class)
				.isThrownBy(() -> anthropic("claude", "\"reasoning_effort\":\"low\",\"max_tokens\":800"))
				.satisfies(ex -> {
					assertThat(ex.status()).isEqualTo(400);
					assertThat(ex.param()).isEqualTo("reasoning_effort");
					assertThat(ex.getMessage()).contains("max_completion_tokens 800", "1024");
				});

			JsonNode lenient = anthropic("claude-lenient", "\"reasoning_effort\":\"low\",\"max_tokens\":800");
			assertThat(lenient.has("thinking")).isFalse();
			assertThat(lenient.path("max_tokens").asInt()).as("the client's ceiling").isEqualTo(800);
		}

		@Test
		void thinkingTakesOnlyTheDefaultTemperatureAndAHighTopP() {
			assertThatExceptionOfType(LlmApiException.class)
				.isThrownBy(() -> anthropic("claude", "\"reasoning_effort\":\"low\",\"temperature\":0.2"))
				.satisfies(ex -> assertThat(ex.param()).isEqualTo("temperature"));

			JsonNode lenient = anthropic("claude-lenient", "\"reasoning_effort\":\"low\",\"top_p\":0.5");
			assertThat(lenient.path("thinking").path("type").asString()).isEqualTo("enabled");
			assertThat(lenient.has("top_p")).isFalse();

			JsonNode one = anthropic("claude", "\"reasoning_effort\":\"low\",\"temperature\":1");
			assertThat(one.path("temperature").asDouble()).isEqualTo(1.0);
			assertThat(one.has("thinking")).isTrue();
		}

		@Test
		void aForcedToolOrJsonModeWinsOverThinking() {
			String tools = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{\"type\":\"object\"}}}]";
			assertThatExceptionOfType(LlmApiException.class)
				.isThrownBy(() -> anthropic("claude", "\"reasoning_effort\":\"low\",\"tool_choice\":\"required\"," + tools))
				.satisfies(ex -> assertThat(ex.getMessage()).contains("forces a tool call"));

			JsonNode forced = anthropic("claude-lenient", "\"reasoning_effort\":\"low\",\"tool_choice\":\"required\"," + tools);
			assertThat(forced.has("thinking")).isFalse();
			assertThat(forced.path("tool_choice").path("type").asString()).isEqualTo("any");

			JsonNode json = anthropic("claude-lenient", "\"reasoning_effort\":\"high\",\"response_format\":{\"type\":\"json_object\"}");
			assertThat(json.has("thinking")).isFalse();
			assertThat(json.path("tool_choice").path("name").asString()).isEqualTo("json_response");

			JsonNode auto = anthropic("claude", "\"reasoning_effort\":\"low\",\"tool_choice\":\"auto\"," + tools);
			assertThat(auto.path("thinking").path("budget_tokens").asInt()).isEqualTo(1024);
		}

		@Test
		void aLevelIsAdaptiveThinkingWithAnEffort() {
			JsonNode high = anthropic("claude-adaptive", "\"reasoning_effort\":\"high\"");
			assertThat(high.path("thinking")).isEqualTo(Json.object().put("type", "adaptive"));
			assertThat(high.path("output_config")).isEqualTo(Json.object().put("effort", "high"));
			assertThat(high.path("max_tokens").asInt()).isEqualTo(DEFAULT_MAX_TOKENS);

			assertThat(anthropic("claude-adaptive", "\"reasoning_effort\":\"xhigh\"").path("output_config").path("effort")
				.asString()).isEqualTo("max");
			JsonNode dynamic = anthropic("claude-adaptive", "\"reasoning_effort\":\"medium\"");
			assertThat(dynamic.path("thinking").path("type").asString()).isEqualTo("adaptive");
			assertThat(dynamic.has("output_config")).isFalse();
			assertThat(anthropic("claude-adaptive", "\"reasoning_effort\":\"low\"").path("thinking").path("budget_tokens")
				.asInt()).as("efforts the model does not set keep the defaults").isEqualTo(1024);
		}

		@Test
		void aModelNotDeclaredToReasonIsNeverSentThinking() {
			assertThatExceptionOfType(LlmApiException.class)
				.isThrownBy(() -> anthropic("claude-plain", "\"reasoning_effort\":\"low\""))
				.satisfies(ex -> assertThat(ex.getMessage()).contains("capability 'reasoning'",
						"unsupported-parameters=drop"));
		}

		@Test
		void anEffortOpenAiDoesNotKnowIsRefused() {
			assertThatExceptionOfType(LlmApiException.class)
				.isThrownBy(() -> anthropic("claude", "\"reasoning_effort\":\"ultra\""))
				.satisfies(ex -> {
					assertThat(ex.param()).isEqualTo("reasoning_effort");
					assertThat(ex.getMessage()).contains("'xhigh'");
				});
		}

		/**
		 * Thinking handed back in the OpenAI shape reaches Anthropic as the model wrote it, first in
		 * its turn: signed blocks (an empty one too: thinking not displayed), redacted blocks, and
		 * never thinking without a signature, which Anthropic refuses.
		 */
		@Test
		void thinkingHandedBackLeadsItsTurnAsTheModelWroteIt() {
			String history = """
					"reasoning_effort":"low","messages":[{"role":"user","content":"Weather in Paris?"},
					 {"role":"assistant","content":null,"reasoning_content":"Check it.",
					  "thinking_blocks":[{"type":"thinking","thinking":"Check it.","signature":"Eq+/==x"},
					   {"type":"redacted_thinking","data":"RRR="},{"type":"thinking","thinking":"","signature":"E2"},
					   {"type":"thinking","thinking":"unsigned"}],
					  "tool_calls":[{"id":"toolu_1","type":"function","function":{"name":"w","arguments":"{}"}}]},
					 {"role":"tool","tool_call_id":"toolu_1","content":"sunny"},
					 {"role":"assistant","content":"From elsewhere.","reasoning_content":"not Anthropic's"},
					 {"role":"user","content":"And Lyon?"}],
					"tools":[{"type":"function","function":{"name":"w","parameters":{"type":"object"}}}]""";
			JsonNode sent = anthropic("claude", history);

			JsonNode assistant = sent.path("messages").get(1).path("content");
			assertThat(assistant).hasSize(4);
			assertThat(assistant.get(0)).isEqualTo(Json.MAPPER.readTree(
					"{\"type\":\"thinking\",\"thinking\":\"Check it.\",\"signature\":\"Eq+/==x\"}"));
			assertThat(assistant.get(1)).isEqualTo(Json.MAPPER.readTree("{\"type\":\"redacted_thinking\",\"data\":\"RRR=\"}"));
			assertThat(assistant.get(2)).isEqualTo(Json.MAPPER.readTree(
					"{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"E2\"}"));
			assertThat(assistant.get(3).path("type").asString()).isEqualTo("tool_use");
			assertThat(sent.path("messages").get(3).path("content").toString()).doesNotContain("thinking");
			assertThat(sent.toString()).doesNotContain("unsigned", "reasoning_content");
		}

	}

	@Nested
	class Gemini {

		@ParameterizedTest(name = "{0}")
		@CsvSource(delimiter = '|', textBlock = """
				none    | 0
				minimal | 512
				low     | 1024
				medium  | 8192
				high    | 24576
				xhigh   | 24576
				""")
		void effortBecomesTheDefaultThinkingBudgetWithItsSummaries(String effort, int budget) {
			JsonNode sent = gemini("gemini-25", "\"reasoning_effort\":\"" + effort + "\"");

			JsonNode expected = (budget == 0) ? Json.object().put("thinkingBudget", 0)
					: Json.object().put("includeThoughts", true).put("thinkingBudget", budget);
			assertThat(sent.path("generationConfig").path("thinkingConfig")).isEqualTo(expected);
		}

		@Test
		void aBudgetStaysBelowTheClientsCeiling() {
			JsonNode config = gemini("gemini-25", "\"reasoning_effort\":\"medium\",\"max_tokens\":3000")
				.path("generationConfig");

			assertThat(config.path("thinkingConfig").path("thinkingBudget").asInt()).isEqualTo(2999);
			assertThat(config.path("maxOutputTokens").asInt()).isEqualTo(3000);
		}

		@Test
		void gemini3TakesLevelsWhereItsCatalogEntrySaysSo() {
			assertThat(gemini("gemini-3", "\"reasoning_effort\":\"xhigh\"").path("generationConfig").path("thinkingConfig"))
				.isEqualTo(Json.object().put("includeThoughts", true).put("thinkingLevel", "high"));
			assertThat(gemini("gemini-3", "\"reasoning_effort\":\"none\"").path("generationConfig").path("thinkingConfig"))
				.isEqualTo(Json.object().put("includeThoughts", true).put("thinkingLevel", "minimal"));
		}

		/**
		 * An effort the Anthropic door derived from the client's {@code thinking} is left out for a
		 * model that does not reason, with a decision: the client never wrote it, and the
		 * dropped-parameters header already names its thinking. The same effort written by a client
		 * of the OpenAI door goes through the policy.
		 */
		@Test
		void anEffortTheAnthropicDoorDerivedIsLeftOutQuietlyForAModelThatDoesNotReason() {
			LlmExchange exchange = exchange("gemini-plain", "\"reasoning_effort\":\"medium\"");
			exchange.put(NativeRequest.class, new NativeRequest(NativeRequest.ANTHROPIC_MESSAGES, Json.object(),
					new HttpHeaders(), Json.object().put("thinking.budget_tokens", 10000)));
			JsonNode sent = body(new GeminiAdapter(), exchange);

			assertThat(sent.path("generationConfig").has("thinkingConfig")).isFalse();
			assertThat(exchange.translation().dropped()).isEmpty();
			assertThat(exchange.decisions().toString()).contains("reasoning_effort medium left out",
					"capability 'reasoning'");
			assertThatExceptionOfType(LlmApiException.class)
				.isThrownBy(() -> gemini("gemini-plain", "\"reasoning_effort\":\"medium\""));
		}

		@Test
		void noEffortNoThinkingConfig() {
			assertThat(gemini("gemini-25", "\"temperature\":0.5").path("generationConfig").has("thinkingConfig")).isFalse();
		}

	}

	@Nested
	class Tables {

		@Test
		void wrongSettingsSayWhatToWrite() {
			ReasoningTable anthropic = ReasoningTable.defaults(ProviderType.ANTHROPIC);
			assertThatIllegalArgumentException().isThrownBy(() -> anthropic.with(Map.of("high", "500"), ProviderType.ANTHROPIC))
				.withMessage("high: '500' is below Anthropic's minimum thinking budget of 1024 tokens; use at least 1024 or off");
			assertThatIllegalArgumentException().isThrownBy(() -> anthropic.with(Map.of("max", "high"), ProviderType.ANTHROPIC))
				.withMessageStartingWith("max: not a reasoning effort; use one of 'none', 'minimal'");
			assertThatIllegalArgumentException().isThrownBy(() -> anthropic.with(Map.of("low", "minimal"), ProviderType.ANTHROPIC))
				.withMessage("low: 'minimal' is not a thinking setting; use off, dynamic, a number of tokens or a level "
						+ "[high, low, max, medium]");
			assertThat(ReasoningTable.defaults(ProviderType.GEMINI).with(Map.of("LOW", " Dynamic "), ProviderType.GEMINI)
				.setting(ReasoningTable.Effort.LOW).budget()).isEqualTo(ReasoningTable.Setting.DYNAMIC);
		}

	}

	// ---- helpers

	private static ProviderSpec provider(String name, ProviderType type, UnsupportedParameters policy) {
		return new ProviderSpec(name, type, URI.create("http://127.0.0.1:1/v1"), Secret.of(TestCatalogs.PROVIDER_KEY),
				Map.of(), Duration.ofSeconds(2), Duration.ofSeconds(5), true, null, DEFAULT_MAX_TOKENS, policy);
	}

	private static ModelSpec model(String id, String provider, ReasoningTable reasoning) {
		return new ModelSpec(id, provider, id + "-upstream", List.of(), new BigDecimal("1"), new BigDecimal("2"), null,
				null, null, 200_000, REASONING, List.of(), reasoning);
	}

	private static LlmExchange exchange(String model, String fields) {
		String messages = fields.contains("\"messages\"") ? "" : "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],";
		return TestCatalogs.exchange(CATALOG, Operation.CHAT, "{\"model\":\"" + model + "\"," + messages + fields + "}");
	}

	private static JsonNode anthropic(String model, String fields) {
		return body(new AnthropicAdapter(), exchange(model, fields));
	}

	private static JsonNode gemini(String model, String fields) {
		return body(new GeminiAdapter(), exchange(model, fields));
	}

	private static JsonNode body(dev.switchboard.translate.spi.ProviderAdapter adapter, LlmExchange exchange) {
		return Json.MAPPER.readTree(adapter.chatRequest(exchange, exchange.route().primary()).body());
	}

}
