package dev.switchboard.cache;

import java.nio.charset.StandardCharsets;

import tools.jackson.databind.JsonNode;

import dev.switchboard.core.Json;

/** A request and an answer the cache tests of every package share. */
public final class CacheFixtures {

	/** A deterministic chat request (temperature 0), in the form a client sends it. */
	public static final String REQUEST = """
			{"model":"fast","temperature":0,"max_tokens":50,
			 "messages":[{"role":"user","content":"What is the capital of France?"}]}""";

	/** An OpenAI chat completion with usage, as a provider answers {@link #REQUEST}. */
	public static final byte[] COMPLETION = """
			{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-mini",
			 "choices":[{"index":0,"message":{"role":"assistant","content":"Paris."},"finish_reason":"stop"}],
			 "usage":{"prompt_tokens":10,"completion_tokens":2,"total_tokens":12}}""".getBytes(StandardCharsets.UTF_8);

	private CacheFixtures() {
	}

	public static JsonNode json(String text) {
		return Json.MAPPER.readTree(text);
	}

}
