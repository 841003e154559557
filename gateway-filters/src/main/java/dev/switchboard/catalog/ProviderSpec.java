package dev.switchboard.catalog;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * One upstream provider account as the gateway calls it.
 *
 * @param name the name models refer to ({@code openai}, {@code mock}, ...)
 * @param type the wire protocol
 * @param baseUrl the API root including the version segment, e.g. {@code https://api.openai.com/v1}
 * @param apiKey the credential the gateway injects; {@code null} for servers without auth (Ollama)
 * @param headers extra headers sent on every call (organisation, project, custom routing)
 * @param connectTimeout TCP connect timeout
 * @param responseTimeout longest wait for response headers and between two body chunks
 * @param streamUsage whether to ask the provider for usage at the end of streams
 * ({@code stream_options.include_usage}); turn off for servers that reject the option
 * @param apiVersion protocol version where the provider versions its API: Azure's
 * {@code api-version} query parameter, Anthropic's {@code anthropic-version} header; {@code null}
 * for the adapter's default
 * @param defaultMaxTokens {@code max_tokens} sent when the client set none and the provider
 * requires one (Anthropic)
 * @param unsupportedParameters what to do with OpenAI parameters this provider cannot honour
 * @param responsesApi whether the provider serves OpenAI's Responses API ({@code /responses}), so
 * that requests of the gateway's Responses door go to it natively (an {@code openai} provider)
 */
public record ProviderSpec(String name, ProviderType type, URI baseUrl, @Nullable Secret apiKey,
		Map<String, String> headers, Duration connectTimeout, Duration responseTimeout, boolean streamUsage,
		@Nullable String apiVersion, int defaultMaxTokens, UnsupportedParameters unsupportedParameters,
		boolean responsesApi) {

	/** Default of {@link #defaultMaxTokens()}. */
	public static final int DEFAULT_MAX_TOKENS = 4096;

	public ProviderSpec {
		headers = Map.copyOf(headers);
	}

	/** A provider without the Responses API. */
	public ProviderSpec(String name, ProviderType type, URI baseUrl, @Nullable Secret apiKey,
			Map<String, String> headers, Duration connectTimeout, Duration responseTimeout, boolean streamUsage,
			@Nullable String apiVersion, int defaultMaxTokens, UnsupportedParameters unsupportedParameters) {
		this(name, type, baseUrl, apiKey, headers, connectTimeout, responseTimeout, streamUsage, apiVersion,
				defaultMaxTokens, unsupportedParameters, false);
	}

	/** A provider with the defaults for version, {@code max_tokens} and unsupported parameters (reject). */
	public ProviderSpec(String name, ProviderType type, URI baseUrl, @Nullable Secret apiKey,
			Map<String, String> headers, Duration connectTimeout, Duration responseTimeout, boolean streamUsage) {
		this(name, type, baseUrl, apiKey, headers, connectTimeout, responseTimeout, streamUsage, null,
				DEFAULT_MAX_TOKENS, UnsupportedParameters.REJECT);
	}

	@Override
	public String toString() {
		return "ProviderSpec{" + this.name + ", " + this.type.id() + ", " + this.baseUrl + "}";
	}

}
