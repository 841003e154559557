package dev.switchboard.translate.openai;

import dev.switchboard.catalog.ProviderSpec;
import dev.switchboard.catalog.ProviderType;

/**
 * OpenAI and every OpenAI-compatible server (Mistral, DeepSeek, Ollama, vLLM, the built-in mock):
 * the request body is the client's with {@code model} rewritten, the key a bearer token. Requests of
 * the Responses door go to {@code /responses} on the providers that have it ({@link ResponsesApi}).
 */
public class OpenAiAdapter extends OpenAiProtocolAdapter {

	@Override
	public ProviderType type() {
		return ProviderType.OPENAI;
	}

	/** OpenAI itself, and the OpenAI-compatible servers configured as having it ({@code responses-api}). */
	@Override
	protected boolean hasResponsesApi(ProviderSpec provider) {
		return provider.responsesApi();
	}

}
