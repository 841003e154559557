package dev.switchboard.translate.anthropic;


import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;

import dev.switchboard.catalog.ProviderSpec;
import dev.switchboard.catalog.ProviderType;
import dev.switchboard.core.Json;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.RouteTarget;
import dev.switchboard.core.Usage;
import dev.switchboard.translate.spi.ProviderAdapter;
import dev.switchboard.translate.spi.ProviderHeaders;
import dev.switchboard.translate.spi.StreamTranslator;
import dev.switchboard.translate.spi.UpstreamJson;
import dev.switchboard.translate.spi.UpstreamRequest;

/**
 * Anthropic's Messages API ({@code POST /messages}) behind the OpenAI chat completions contract.
 *
 * <p>Unlike OpenAI-compatible servers, nothing passes through: requests are rebuilt from the
 * parsed OpenAI body (see {@link AnthropicRequests} for what is translated, refused or ignored),
 * responses and streams are rebuilt as OpenAI completions and chunks, keeping Anthropic's message
 * id so that a response can be found in Anthropic's console. Anthropic fetches image URLs itself,
 * so the gateway never inlines them. Anthropic has no embeddings API.
 */
public class AnthropicAdapter implements ProviderAdapter {

	/** The {@code anthropic-version} sent when the provider configures none. */
	public static final String DEFAULT_VERSION = "2023-06-01";

	@Override
	public ProviderType type() {
		return ProviderType.ANTHROPIC;
	}

	@Override
	public UpstreamRequest chatRequest(LlmExchange exchange, RouteTarget target) {
		return new UpstreamRequest(HttpMethod.POST, "/messages", headers(target.provider(), exchange.stream()),
				Json.MAPPER.writeValueAsBytes(AnthropicRequests.chat(exchange, target)));
	}

	@Override
	public byte[] chatResponse(LlmExchange exchange, RouteTarget target, byte[] body) {
		JsonNode message = parse(target, body);
		Usage usage = AnthropicResponses.usage(message.get("usage"));
		if (usage != null) {
			exchange.recordUsage(usage);
		}
		return Json.MAPPER.writeValueAsBytes(AnthropicResponses.completion(message,
				AnthropicRequests.jsonMode(exchange.body()), System.currentTimeMillis() / 1000));
	}

	@Override
	public StreamTranslator streamTranslator(LlmExchange exchange, RouteTarget target) {
		return new AnthropicStreamTranslator(exchange, target);
	}

	@Override
	public UpstreamRequest embeddingsRequest(LlmExchange exchange, RouteTarget target) {
		throw LlmApiException.invalidRequest("Provider '" + target.provider().name()
				+ "' (anthropic) has no embeddings API; use an embeddings model of another provider.", "model");
	}

	@Override
	public byte[] embeddingsResponse(LlmExchange exchange, RouteTarget target, byte[] body) {
		throw new IllegalStateException("Anthropic has no embeddings API: embeddingsRequest never sends one");
	}

	@Override
	public LlmApiException error(RouteTarget target, int status, HttpHeaders headers, byte[] body) {
		return AnthropicResponses.error(target, status, headers, UpstreamJson.errorObject(body));
	}

	@Override
	public UpstreamRequest modelsRequest(ProviderSpec provider) {
		return new UpstreamRequest(HttpMethod.GET, "/models", headers(provider, false), new byte[0]);
	}

	static HttpHeaders headers(ProviderSpec provider, boolean stream) {
		HttpHeaders headers = ProviderHeaders.json(provider, stream,
				h -> h.set("x-api-key", provider.apiKey().reveal()));
		headers.set("anthropic-version", (provider.apiVersion() != null) ? provider.apiVersion() : DEFAULT_VERSION);
		return headers;
	}

	private static JsonNode parse(RouteTarget target, byte[] body) {
		return UpstreamJson.parse(target, body);
	}

}
