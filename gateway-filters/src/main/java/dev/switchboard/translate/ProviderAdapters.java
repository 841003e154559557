package dev.switchboard.translate;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import dev.switchboard.catalog.ProviderType;
import dev.switchboard.translate.anthropic.AnthropicAdapter;
import dev.switchboard.translate.azure.AzureOpenAiAdapter;
import dev.switchboard.translate.gemini.GeminiAdapter;
import dev.switchboard.translate.openai.OpenAiAdapter;
import dev.switchboard.translate.spi.ProviderAdapter;

/** The adapter for each provider type. */
public final class ProviderAdapters {

	private final Map<ProviderType, ProviderAdapter> adapters = new EnumMap<>(ProviderType.class);

	public ProviderAdapters(List<ProviderAdapter> adapters) {
		for (ProviderAdapter adapter : adapters) {
			this.adapters.put(adapter.type(), adapter);
		}
		// The mock speaks the OpenAI protocol: it exercises exactly the code real OpenAI traffic takes.
		ProviderAdapter openAi = this.adapters.get(ProviderType.OPENAI);
		if (openAi != null) {
			this.adapters.putIfAbsent(ProviderType.MOCK, openAi);
		}
	}

	public static ProviderAdapters defaults() {
		return new ProviderAdapters(List.of(new OpenAiAdapter(), new AzureOpenAiAdapter(), new AnthropicAdapter(),
				new GeminiAdapter()));
	}

	public boolean supports(ProviderType type) {
		return this.adapters.containsKey(type);
	}

	public ProviderAdapter forType(ProviderType type) {
		ProviderAdapter adapter = this.adapters.get(type);
		if (adapter == null) {
			throw new IllegalStateException("No adapter for provider type " + type.id());
		}
		return adapter;
	}

}
