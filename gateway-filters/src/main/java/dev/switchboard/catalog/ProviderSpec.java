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
 */
public record ProviderSpec(String name, ProviderType type, URI baseUrl, @Nullable Secret apiKey,
		Map<String, String> headers, Duration connectTimeout, Duration responseTimeout, boolean streamUsage) {

	public ProviderSpec {
		headers = Map.copyOf(headers);
	}

	@Override
	public String toString() {
		return "ProviderSpec{" + this.name + ", " + this.type.id() + ", " + this.baseUrl + "}";
	}

}
