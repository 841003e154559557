package dev.switchboard.translate.spi;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;

import dev.switchboard.catalog.ProviderSpec;
import dev.switchboard.catalog.ProviderType;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.RouteTarget;

/**
 * Everything that differs between provider APIs, behind one contract: the request for a target,
 * the response and stream back into the OpenAI format, usage, and errors.
 *
 * <p>Adapters are stateless singletons and pure functions of their input (no HTTP, no Spring), so
 * each is tested with recorded payloads; the per-request state of a stream lives in the
 * {@link StreamTranslator} it creates. Request building is called once per attempt: the same
 * parsed request is translated afresh for each target a failover tries.
 */
public interface ProviderAdapter {

	ProviderType type();

	/** The provider request for a chat completion, model rewritten to the target's upstream model. */
	UpstreamRequest chatRequest(LlmExchange exchange, RouteTarget target);

	/** A whole (non-streamed) provider response as an OpenAI {@code chat.completion}; records usage. */
	byte[] chatResponse(LlmExchange exchange, RouteTarget target, byte[] body);

	/** A translator for one streamed response. */
	StreamTranslator streamTranslator(LlmExchange exchange, RouteTarget target);

	UpstreamRequest embeddingsRequest(LlmExchange exchange, RouteTarget target);

	/** A provider embeddings response as an OpenAI {@code list} of embeddings; records usage. */
	byte[] embeddingsResponse(LlmExchange exchange, RouteTarget target, byte[] body);

	/**
	 * Whether requests of this front-door protocol ({@link dev.switchboard.core.NativeRequest}) go
	 * to this provider as the client wrote them; the others get the canonical body, without the
	 * fields only that protocol has.
	 */
	default boolean speaksNatively(String protocol, ProviderSpec provider) {
		return false;
	}

	/**
	 * Whether this provider counts the exchange's prompt itself ({@link #countTokensRequest}); when
	 * not, {@code count_tokens} is answered with the gateway's own estimate, without a call.
	 */
	default boolean countsTokens(LlmExchange exchange) {
		return false;
	}

	/** The provider's token-counting request, called only where {@link #countsTokens} says it has one. */
	default UpstreamRequest countTokensRequest(LlmExchange exchange, RouteTarget target) {
		throw new UnsupportedOperationException(type().id() + " counts no tokens");
	}

	/** The provider's count, as the front door's clients read it ({@code {"input_tokens": n}}). */
	default byte[] countTokensResponse(LlmExchange exchange, RouteTarget target, byte[] body) {
		return body;
	}

	/**
	 * Whether image URLs in the request must be fetched by the gateway and sent inline. When true,
	 * the dispatcher fetches each {@code http(s)} image URL once (size-limited, private addresses
	 * refused) before building the request, and the adapter reads the bytes from
	 * {@link LlmExchange#inlined(String)}. Data URLs never need fetching.
	 */
	default boolean inlinesImageUrls() {
		return false;
	}

	/**
	 * Maps a provider error response to the OpenAI error the client sees. Credentials problems of
	 * the gateway's own provider key become 502s: the client's request was fine.
	 */
	LlmApiException error(RouteTarget target, int status, HttpHeaders headers, byte[] body);

	/**
	 * The provider's list of models: the health check's probe, which costs no tokens and proves
	 * what a call needs (the server answers, the key is accepted). {@code null} when the protocol
	 * has none, which an adapter of one's own may leave so; a health check of such a provider then
	 * fails start-up naming it.
	 */
	default @Nullable UpstreamRequest modelsRequest(ProviderSpec provider) {
		return null;
	}

}
