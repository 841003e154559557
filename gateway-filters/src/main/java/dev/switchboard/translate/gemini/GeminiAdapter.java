package dev.switchboard.translate.gemini;

import java.time.Clock;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;

import dev.switchboard.catalog.ProviderSpec;
import dev.switchboard.catalog.ProviderType;
import dev.switchboard.core.Json;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.RouteTarget;
import dev.switchboard.translate.spi.ProviderAdapter;
import dev.switchboard.translate.spi.ProviderHeaders;
import dev.switchboard.translate.spi.StreamTranslator;
import dev.switchboard.translate.spi.UpstreamJson;
import dev.switchboard.translate.spi.UpstreamRequest;

/**
 * Google Gemini through the Generative Language API, the provider's base URL being
 * {@code https://generativelanguage.googleapis.com/v1beta}: chat on
 * {@code /models/{model}:generateContent} and {@code :streamGenerateContent?alt=sse}, embeddings on
 * {@code :batchEmbedContents}.
 *
 * <p>Nothing passes through as it does for OpenAI-compatible servers: requests are rebuilt field by
 * field ({@link GeminiChatRequests}, {@link GeminiEmbeddings}) and answers rewritten into OpenAI's
 * shapes ({@link GeminiChatResponses}, {@link GeminiStreamTranslator}), so a client parameter the
 * adapter does not translate goes through the provider's unsupported-parameter policy instead of
 * disappearing. Gemini only accepts media inline, hence {@link #inlinesImageUrls()}.
 *
 * <p>The key travels in the {@code x-goog-api-key} header, never in the {@code ?key=} query
 * parameter Google also accepts: URLs end up in access logs and error messages.
 *
 * <p>Gemini's answers carry no creation time and not always an id, so the adapter makes them; the
 * clock and the id source can be replaced so that tests compare whole responses.
 */
public class GeminiAdapter implements ProviderAdapter {

	private static final String ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

	private final Clock clock;

	private final Supplier<String> ids;

	public GeminiAdapter() {
		this(Clock.systemUTC(), GeminiAdapter::randomId);
	}

	GeminiAdapter(Clock clock, Supplier<String> ids) {
		this.clock = clock;
		this.ids = ids;
	}

	@Override
	public ProviderType type() {
		return ProviderType.GEMINI;
	}

	@Override
	public boolean inlinesImageUrls() {
		return true;
	}

	@Override
	public UpstreamRequest chatRequest(LlmExchange exchange, RouteTarget target) {
		String method = exchange.stream() ? ":streamGenerateContent?alt=sse" : ":generateContent";
		return new UpstreamRequest(HttpMethod.POST, "/" + resource(target) + method,
				headers(target.provider(), exchange.stream()),
				Json.MAPPER.writeValueAsBytes(GeminiChatRequests.build(exchange, target)));
	}

	@Override
	public byte[] chatResponse(LlmExchange exchange, RouteTarget target, byte[] body) {
		JsonNode response = parse(target, body);
		JsonNode usage = response.get("usageMetadata");
		if (usage != null && usage.isObject()) {
			exchange.recordUsage(GeminiChatResponses.usage(usage));
		}
		String blockReason = response.path("promptFeedback").path("blockReason").asString("");
		if (response.path("candidates").isEmpty() && !blockReason.isEmpty()) {
			throw GeminiErrors.blockedPrompt(target, blockReason);
		}
		GeminiChatResponses.Identity identity = GeminiChatResponses.Identity.of(response,
				target.model().upstreamModel(), this.clock.instant().getEpochSecond(), this.ids);
		return Json.MAPPER.writeValueAsBytes(GeminiChatResponses.completion(response, identity, this.ids));
	}

	@Override
	public StreamTranslator streamTranslator(LlmExchange exchange, RouteTarget target) {
		return new GeminiStreamTranslator(exchange, target, this.clock.instant().getEpochSecond(), this.ids);
	}

	@Override
	public UpstreamRequest embeddingsRequest(LlmExchange exchange, RouteTarget target) {
		return new UpstreamRequest(HttpMethod.POST, "/" + resource(target) + ":batchEmbedContents",
				headers(target.provider(), false),
				Json.MAPPER.writeValueAsBytes(GeminiEmbeddings.request(exchange, target, resource(target))));
	}

	@Override
	public byte[] embeddingsResponse(LlmExchange exchange, RouteTarget target, byte[] body) {
		return GeminiEmbeddings.response(exchange, target, parse(target, body));
	}

	@Override
	public LlmApiException error(RouteTarget target, int status, HttpHeaders headers, byte[] body) {
		return GeminiErrors.fromResponse(target, status, headers, body);
	}

	/**
	 * The model's resource name: {@code models/<upstream model>}, or the upstream model itself when
	 * it already is a resource name ({@code tunedModels/my-model}).
	 */
	private static String resource(RouteTarget target) {
		String model = target.model().upstreamModel();
		return model.contains("/") ? model : "models/" + model;
	}

	@Override
	public UpstreamRequest modelsRequest(ProviderSpec provider) {
		return new UpstreamRequest(HttpMethod.GET, "/models", headers(provider, false), new byte[0]);
	}

	private static HttpHeaders headers(ProviderSpec provider, boolean stream) {
		return ProviderHeaders.json(provider, stream, h -> h.set("x-goog-api-key", provider.apiKey().reveal()));
	}

	private static JsonNode parse(RouteTarget target, byte[] body) {
		return UpstreamJson.parse(target, body);
	}

	private static String randomId() {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		StringBuilder id = new StringBuilder(24);
		for (int i = 0; i < 24; i++) {
			id.append(ID_ALPHABET.charAt(random.nextInt(ID_ALPHABET.length())));
		}
		return id.toString();
	}

}
