package dev.switchboard.catalog;

import java.math.BigDecimal;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * One model of the catalog, as clients see it and as the gateway calls it.
 *
 * @param id the public id clients send in {@code model}
 * @param provider the provider name that serves it
 * @param upstreamModel the model name the provider expects
 * @param aliases other public names for this model ({@code fast}, {@code default})
 * @param inputPrice USD per million input tokens; {@code null} when unpriced
 * @param outputPrice USD per million output tokens; {@code null} when unpriced
 * @param cachedInputPrice USD per million prompt tokens read from the provider's prompt cache; the
 * input price when {@code null}
 * @param cacheWritePrice USD per million prompt tokens written to the provider's prompt cache (for
 * Anthropic, a five-minute write: 1.25 times the input price); the input price when {@code null}
 * @param cacheWriteHourPrice USD per million prompt tokens written to the prompt cache for an hour
 * (Anthropic: twice the input price); the five-minute write price when {@code null}
 * @param contextWindow maximum prompt plus completion tokens; {@code null} when unknown
 * @param capabilities what requests it can serve
 * @param fallbacks other models (ids, aliases or {@code provider/model} ids) tried in order when this
 * one fails, each translated for its own provider
 * @param reasoning what {@code reasoning_effort} becomes at its provider, with the provider's and
 * the model's own settings merged in; {@code null} for the provider type's defaults
 */
public record ModelSpec(String id, String provider, String upstreamModel, List<String> aliases,
		@Nullable BigDecimal inputPrice, @Nullable BigDecimal outputPrice, @Nullable BigDecimal cachedInputPrice,
		@Nullable BigDecimal cacheWritePrice, @Nullable BigDecimal cacheWriteHourPrice, @Nullable Integer contextWindow,
		Set<Capability> capabilities, List<String> fallbacks, @Nullable ReasoningTable reasoning) {

	public ModelSpec {
		aliases = List.copyOf(aliases);
		capabilities = Set.copyOf(capabilities);
		fallbacks = List.copyOf(fallbacks);
	}

	/** A model with its provider type's reasoning defaults. */
	public ModelSpec(String id, String provider, String upstreamModel, List<String> aliases,
			@Nullable BigDecimal inputPrice, @Nullable BigDecimal outputPrice, @Nullable BigDecimal cachedInputPrice,
			@Nullable BigDecimal cacheWritePrice, @Nullable BigDecimal cacheWriteHourPrice, @Nullable Integer contextWindow,
			Set<Capability> capabilities, List<String> fallbacks) {
		this(id, provider, upstreamModel, aliases, inputPrice, outputPrice, cachedInputPrice, cacheWritePrice,
				cacheWriteHourPrice, contextWindow, capabilities, fallbacks, null);
	}

	/** A model without prices of its own for prompt-cache writes. */
	public ModelSpec(String id, String provider, String upstreamModel, List<String> aliases,
			@Nullable BigDecimal inputPrice, @Nullable BigDecimal outputPrice, @Nullable BigDecimal cachedInputPrice,
			@Nullable Integer contextWindow, Set<Capability> capabilities, List<String> fallbacks) {
		this(id, provider, upstreamModel, aliases, inputPrice, outputPrice, cachedInputPrice, null, null, contextWindow,
				capabilities, fallbacks);
	}

	/** A model without fallbacks nor prices of its own for prompt-cache writes. */
	public ModelSpec(String id, String provider, String upstreamModel, List<String> aliases,
			@Nullable BigDecimal inputPrice, @Nullable BigDecimal outputPrice, @Nullable BigDecimal cachedInputPrice,
			@Nullable Integer contextWindow, Set<Capability> capabilities) {
		this(id, provider, upstreamModel, aliases, inputPrice, outputPrice, cachedInputPrice, contextWindow,
				capabilities, List.of());
	}

	/** The unambiguous {@code provider/model} id that always reaches this entry. */
	public String qualifiedId() {
		return this.provider + "/" + this.upstreamModel;
	}

	public boolean supports(Capability capability) {
		return this.capabilities.contains(capability);
	}

	/** What {@code reasoning_effort} becomes for this model at a provider of the given type. */
	public ReasoningTable reasoning(ProviderType type) {
		return (this.reasoning != null) ? this.reasoning : ReasoningTable.defaults(type);
	}

}
