package dev.switchboard.translate.anthropic;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;

import dev.switchboard.catalog.ProviderSpec;
import dev.switchboard.catalog.ProviderType;
import dev.switchboard.core.Json;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.NativeAnswer;
import dev.switchboard.core.NativeRequest;
import dev.switchboard.core.RouteTarget;
import dev.switchboard.core.Usage;
import dev.switchboard.translate.spi.ProviderAdapter;
import dev.switchboard.translate.spi.ProviderHeaders;
import dev.switchboard.translate.spi.StreamTranslator;
import dev.switchboard.translate.spi.UpstreamJson;
import dev.switchboard.translate.spi.UpstreamRequest;

/**
 * Anthropic's Messages API ({@code POST /messages}) behind the OpenAI chat completions contract,
 * and behind the gateway's own Anthropic door, whose requests it sends as the client wrote them.
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
		NativeRequest client = nativeRequest(exchange);
		if (client != null) {
			return nativeRequest(client, "/messages", exchange.stream(), target);
		}
		return new UpstreamRequest(HttpMethod.POST, "/messages", headers(target.provider(), exchange.stream()),
				Json.MAPPER.writeValueAsBytes(AnthropicRequests.chat(exchange, target)));
	}

	@Override
	public byte[] chatResponse(LlmExchange exchange, RouteTarget target, byte[] body) {
		JsonNode message = parse(target, body);
		if (nativeRequest(exchange) != null && message instanceof ObjectNode whole) {
			// Handed to the client of Anthropic's API as it came: server tool results, citations, pause_turn.
			exchange.put(NativeAnswer.class, new NativeAnswer(NativeRequest.ANTHROPIC_MESSAGES, target, whole));
		}
		Usage usage = AnthropicResponses.usage(message.get("usage"));
		if (usage != null) {
			exchange.recordUsage(usage);
		}
		return Json.MAPPER.writeValueAsBytes(
				AnthropicResponses.completion(message, jsonMode(exchange), System.currentTimeMillis() / 1000));
	}

	@Override
	public StreamTranslator streamTranslator(LlmExchange exchange, RouteTarget target) {
		return new AnthropicStreamTranslator(exchange, target, jsonMode(exchange), nativeRequest(exchange) != null);
	}

	@Override
	public boolean speaksNatively(String protocol, ProviderSpec provider) {
		return NativeRequest.ANTHROPIC_MESSAGES.equals(protocol);
	}

	/** Anthropic counts tokens itself, for a request that came in by its own API. */
	@Override
	public boolean countsTokens(LlmExchange exchange) {
		return nativeRequest(exchange) != null;
	}

	@Override
	public UpstreamRequest countTokensRequest(LlmExchange exchange, RouteTarget target) {
		NativeRequest client = nativeRequest(exchange);
		if (client == null) {
			throw new IllegalStateException("count_tokens without an Anthropic request: countsTokens said no");
		}
		return nativeRequest(client, "/messages/count_tokens", false, target);
	}

	@Override
	public byte[] countTokensResponse(LlmExchange exchange, RouteTarget target, byte[] body) {
		parse(target, body);
		return body;
	}

	/**
	 * The client's own Messages request, when it came in by the Anthropic door: sent as written,
	 * model rewritten, so {@code cache_control} at any block, thinking blocks with their signatures,
	 * betas and fields newer than the gateway all reach Anthropic.
	 */
	private static @Nullable NativeRequest nativeRequest(LlmExchange exchange) {
		NativeRequest client = exchange.nativeRequest();
		return (client != null && NativeRequest.ANTHROPIC_MESSAGES.equals(client.protocol())) ? client : null;
	}

	private static UpstreamRequest nativeRequest(NativeRequest client, String path, boolean stream, RouteTarget target) {
		ObjectNode body = client.body().deepCopy();
		body.put("model", target.model().upstreamModel());
		HttpHeaders headers = headers(target.provider(), stream);
		// The client's version and betas: its body is written for them. Never its credentials.
		client.headers().forEach(headers::put);
		return new UpstreamRequest(HttpMethod.POST, path, headers, Json.MAPPER.writeValueAsBytes(body));
	}

	/**
	 * Whether the answer comes through the forced JSON tool: only for a request translated from the
	 * OpenAI shape; a native request asked for what it asked, and its tool calls are tool calls.
	 */
	private static boolean jsonMode(LlmExchange exchange) {
		return nativeRequest(exchange) == null && AnthropicRequests.jsonMode(exchange.body());
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
