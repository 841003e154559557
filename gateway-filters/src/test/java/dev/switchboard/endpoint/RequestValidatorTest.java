package dev.switchboard.endpoint;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

}
