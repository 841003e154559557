package dev.switchboard.translate.openai;

import dev.switchboard.catalog.ProviderType;

/**
 * OpenAI and every OpenAI-compatible server (Mistral, DeepSeek, Ollama, vLLM, the built-in mock):
 * the request body is the client's with {@code model} rewritten, the key a bearer token.
 */
public class OpenAiAdapter extends OpenAiProtocolAdapter {

	@Override
	public ProviderType type() {
		return ProviderType.OPENAI;
	}

}
