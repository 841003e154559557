package dev.switchboard.catalog;

import java.util.Locale;

/**
 * The wire protocol a provider speaks; one {@link dev.switchboard.translate.spi.ProviderAdapter} each.
 */
public enum ProviderType {

	/** Any OpenAI-compatible server: OpenAI, Mistral, DeepSeek, Ollama, vLLM, LiteLLM... */
	OPENAI,

	/** Azure OpenAI: deployment URLs, {@code api-version} query parameter, {@code api-key} header. */
	AZURE_OPENAI,

	/** Anthropic Messages API ({@code /v1/messages}). */
	ANTHROPIC,

	/** Google Gemini (Generative Language API: {@code generateContent}, {@code streamGenerateContent}). */
	GEMINI,

	/** The built-in simulated provider (OpenAI wire format) that the gateway can start on loopback. */
	MOCK;

	public static ProviderType of(String value) {
		return valueOf(value.trim().replace('-', '_').toUpperCase(Locale.ROOT));
	}

	public String id() {
		return name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

}
