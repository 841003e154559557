package dev.switchboard.endpoint;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.switchboard.core.Json;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.Operation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class RequestValidatorTest {

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			no model            | {"messages":[{"role":"user","content":"hi"}]}                            | model
			blank model         | {"model":" ","messages":[{"role":"user","content":"hi"}]}                | model
			numeric model       | {"model":4,"messages":[{"role":"user","content":"hi"}]}                  | model
			no messages         | {"model":"m"}                                                            | messages
			empty messages      | {"model":"m","messages":[]}                                              | messages
			message not object  | {"model":"m","messages":["hi"]}                                          | messages[0]
			unknown role        | {"model":"m","messages":[{"role":"robot","content":"hi"}]}               | messages[0].role
			stream not boolean  | {"model":"m","stream":"yes","messages":[{"role":"user","content":"x"}]}  | stream
			zero max_tokens     | {"model":"m","max_tokens":0,"messages":[{"role":"user","content":"x"}]}  | max_tokens
			temperature too hot | {"model":"m","temperature":3,"messages":[{"role":"user","content":"x"}]} | temperature
			""")
	void badChatRequestsNameTheParameter(String name, String body, String param) {
		assertThatExceptionOfType(LlmApiException.class)
			.isThrownBy(() -> RequestValidator.validate(Operation.CHAT, Json.MAPPER.readTree(body)))
			.satisfies(ex -> {
				assertThat(ex.status()).isEqualTo(400);
				assertThat(ex.type()).isEqualTo("invalid_request_error");
				assertThat(ex.param()).isEqualTo(param);
			});
	}

	@Test
	void unknownParametersPassSoNewOpenAiFeaturesKeepWorking() {
		String body = """
				{"model":"m","messages":[{"role":"developer","content":"be brief"},{"role":"user","content":"x"}],
				 "reasoning_effort":"low","modalities":["text"],"stream":true,"stream_options":{"include_usage":true}}""";
		assertThat(RequestValidator.validate(Operation.CHAT, Json.MAPPER.readTree(body))).isEqualTo("m");
	}

	@Test
	void embeddingsNeedInput() {
		assertThatExceptionOfType(LlmApiException.class)
			.isThrownBy(() -> RequestValidator.validate(Operation.EMBEDDINGS, Json.MAPPER.readTree("{\"model\":\"e\"}")))
			.satisfies(ex -> assertThat(ex.param()).isEqualTo("input"));
		assertThat(RequestValidator.validate(Operation.EMBEDDINGS,
				Json.MAPPER.readTree("{\"model\":\"e\",\"input\":[\"a\",\"b\"]}")))
			.isEqualTo("e");
	}

	private static final String CHAT = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]";

	private static final String EMBED = "{\"model\":\"e\",\"input\":\"x\"";

	/**
	 * Every numeric parameter the gateway reads, with values no Java {@code long} or {@code int}
	 * holds, out of range, fractional or of another type: each is the client's 400 naming it,
	 * never a 500 from a narrowing read nor a default taken in its place.
	 */
	static Stream<Arguments> hostileNumbers() {
		List<String> integers = List.of("max_tokens", "max_completion_tokens", "n", "top_logprobs");
		List<String> numbers = List.of("temperature", "top_p", "presence_penalty", "frequency_penalty");
		List<String> hostile = List.of("9223372036854775808", "-9223372036854775809", "1e400", "-1e400",
				"1000000000000000000000000000000", "1" + "0".repeat(400), "-1", "2147483648", "\"5\"", "true", "[1]",
				"{}");
		List<Arguments> cases = new ArrayList<>();
		for (String field : integers) {
			for (String value : hostile) {
				cases.add(Arguments.of(CHAT + ",\"" + field + "\":" + value + "}", Operation.CHAT, field));
			}
			cases.add(Arguments.of(CHAT + ",\"" + field + "\":1.5}", Operation.CHAT, field));
		}
		for (String field : numbers) {
			for (String value : hostile) {
				if (!value.equals("-1")) {
					cases.add(Arguments.of(CHAT + ",\"" + field + "\":" + value + "}", Operation.CHAT, field));
				}
			}
		}
		for (String value : hostile) {
			cases.add(Arguments.of(EMBED + ",\"dimensions\":" + value + "}", Operation.EMBEDDINGS, "dimensions"));
		}
		cases.add(Arguments.of(EMBED + ",\"dimensions\":0}", Operation.EMBEDDINGS, "dimensions"));
		cases.add(Arguments.of(CHAT + ",\"n\":129}", Operation.CHAT, "n"));
		cases.add(Arguments.of(CHAT + ",\"n\":0}", Operation.CHAT, "n"));
		cases.add(Arguments.of(CHAT + ",\"top_logprobs\":21}", Operation.CHAT, "top_logprobs"));
		cases.add(Arguments.of(CHAT + ",\"logprobs\":\"yes\"}", Operation.CHAT, "logprobs"));
		cases.add(Arguments.of(CHAT + ",\"stream_options\":{\"include_usage\":1}}", Operation.CHAT,
				"stream_options.include_usage"));
		cases.add(Arguments.of(EMBED + ",\"encoding_format\":\"binary\"}", Operation.EMBEDDINGS, "encoding_format"));
		cases.add(Arguments.of(EMBED + ",\"encoding_format\":1}", Operation.EMBEDDINGS, "encoding_format"));
		return cases.stream();
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("hostileNumbers")
	void hostileValuesAreTheClientsErrorNamingTheParameter(String body, Operation operation, String param) {
		assertThatExceptionOfType(LlmApiException.class)
			.isThrownBy(() -> RequestValidator.validate(operation, Json.MAPPER.readTree(body)))
			.satisfies(ex -> {
				assertThat(ex.status()).isEqualTo(400);
				assertThat(ex.type()).isEqualTo("invalid_request_error");
				assertThat(ex.param()).isEqualTo(param);
				assertThat(ex.getMessage()).startsWith("'" + param + "'");
			});
	}

	@Test
	void boundsAndNullsPassAsOpenAiTakesThem() {
		String body = CHAT + ",\"max_tokens\":2147483647,\"max_completion_tokens\":null,\"n\":128,"
				+ "\"top_logprobs\":0,\"temperature\":2,\"top_p\":0,\"presence_penalty\":-2,"
				+ "\"frequency_penalty\":2.0,\"logprobs\":null,\"seed\":9223372036854775807}";
		assertThat(RequestValidator.validate(Operation.CHAT, Json.MAPPER.readTree(body))).isEqualTo("m");
		assertThat(RequestValidator.validate(Operation.EMBEDDINGS,
				Json.MAPPER.readTree(EMBED + ",\"dimensions\":2147483647,\"encoding_format\":\"base64\"}")))
			.isEqualTo("e");
	}

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "file:///etc/passwd", "ftp://example.com/a.png", "gopher://127.0.0.1:6379/_x",
			"data:image/png;base64,not base64!", "data:image/png,raw", " ", "javascript:alert(1)" })
	void imageUrlsThatNoProviderCouldTakeAreRefusedBeforeAnyTarget(String url) {
		String body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\","
				+ "\"text\":\"x\"},{\"type\":\"image_url\",\"image_url\":{\"url\":\"" + url + "\"}}]}]}";
		assertThatExceptionOfType(LlmApiException.class)
			.isThrownBy(() -> RequestValidator.validate(Operation.CHAT, Json.MAPPER.readTree(body)))
			.satisfies(ex -> {
				assertThat(ex.status()).isEqualTo(400);
				assertThat(ex.param()).isEqualTo("messages[0].content[1].image_url.url");
			});
	}

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "https://example.com/cat.png", "HTTP://example.com/cat.png",
			"data:image/png;base64,iVBORw0KGgo=" })
	void imageUrlsProvidersTakePass(String url) {
		String body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
				+ "\"image_url\":{\"url\":\"" + url + "\"}}]}]}";
		assertThat(RequestValidator.validate(Operation.CHAT, Json.MAPPER.readTree(body))).isEqualTo("m");
	}

}
