package dev.switchboard.translate.openai;

import java.util.List;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;

import dev.switchboard.catalog.Capability;
import dev.switchboard.catalog.ProviderSpec;
import dev.switchboard.core.Json;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.NativeRequest;
import dev.switchboard.core.RouteTarget;
import dev.switchboard.core.Thinking;
import dev.switchboard.core.Usage;
import dev.switchboard.sse.SseEvent;
import dev.switchboard.translate.spi.ProviderAdapter;
import dev.switchboard.translate.spi.ProviderHeaders;
import dev.switchboard.translate.spi.StreamTranslator;
import dev.switchboard.translate.spi.UpstreamErrors;
import dev.switchboard.translate.spi.UpstreamJson;
import dev.switchboard.translate.spi.UpstreamRequest;

/**
 * The OpenAI wire protocol, shared by {@link OpenAiAdapter} and Azure OpenAI, which differ only in
 * URLs and credentials.
 *
 * <p>The request is the client's body with {@code model} rewritten, plus
 * {@code stream_options.include_usage} on streams so that streamed tokens can always be billed.
 * Response bytes pass through unchanged: they are parsed only to read usage and the first token,
 * which keeps unknown and future fields intact. The usage-only chunk a client did not ask for is
 * dropped.
 */
public abstract class OpenAiProtocolAdapter implements ProviderAdapter {

	private static final String CACHE_CONTROL = "cache_control";

	/** Whether a provider of this protocol serves OpenAI's Responses API; none does unless a subclass says so. */
	protected boolean hasResponsesApi(ProviderSpec provider) {
		return false;
	}

	@Override
	public boolean speaksNatively(String protocol, ProviderSpec provider) {
		return NativeRequest.OPENAI_RESPONSES.equals(protocol) && hasResponsesApi(provider);
	}

	/** The client's Responses request, when this target takes it as written. */
	private @Nullable NativeRequest responsesRequest(LlmExchange exchange, RouteTarget target) {
		NativeRequest client = exchange.nativeRequest();
		return (client != null && speaksNatively(client.protocol(), target.provider())) ? client : null;
	}

	@Override
	public UpstreamRequest chatRequest(LlmExchange exchange, RouteTarget target) {
		NativeRequest responses = responsesRequest(exchange, target);
		if (responses != null) {
			return new UpstreamRequest(HttpMethod.POST, path(target, "/responses"),
					headers(target.provider(), exchange.stream()), ResponsesApi.request(responses, target));
		}
		NativeRequest client = exchange.nativeRequest();
		// From the OpenAI door only top-level members change (stream_options is replaced, not edited);
		// another door's turns are edited, so they are copied.
		ObjectNode body = (client == null) ? exchange.bodyMembersCopy() : exchange.bodyCopy();
		body.put("model", target.model().upstreamModel());
		if (client != null) {
			withoutExtensions(body);
			if (NativeRequest.ANTHROPIC_MESSAGES.equals(client.protocol()) && body.has("reasoning_effort")
					&& !target.model().supports(Capability.REASONING)) {
				// Derived from the client's thinking, which the dropped-parameters header names.
				body.remove("reasoning_effort");
				exchange.decide("translate", "reasoning_effort left out: model '" + target.model().id()
						+ "' is not declared with the capability 'reasoning' in switchboard.models");
			}
		}
		if (exchange.stream() && target.provider().streamUsage()) {
			JsonNode options = body.get("stream_options");
			ObjectNode streamOptions = (options instanceof ObjectNode object) ? object.deepCopy() : Json.object();
			body.set("stream_options", streamOptions.put("include_usage", true));
		}
		return new UpstreamRequest(HttpMethod.POST, path(target, "/chat/completions"),
				headers(target.provider(), exchange.stream()), Json.MAPPER.writeValueAsBytes(body));
	}

	/**
	 * Removes what the canonical shape carries beyond OpenAI's API from a request that came in by
	 * another front door: thinking handed back ({@link Thinking}) and {@code cache_control} on
	 * messages and parts. OpenAI refuses unknown fields in messages ("Unknown parameter"), and
	 * OpenAI-compatible reasoning servers refuse their own {@code reasoning_content} sent back. A
	 * client of the OpenAI door sends what it means to send, and gets it passed through.
	 */
	static void withoutExtensions(ObjectNode body) {
		for (JsonNode message : body.path("messages")) {
			if (message instanceof ObjectNode turn) {
				turn.remove(List.of(Thinking.REASONING_CONTENT, Thinking.THINKING_BLOCKS, CACHE_CONTROL));
				for (JsonNode part : turn.path("content")) {
					if (part instanceof ObjectNode object) {
						object.remove(CACHE_CONTROL);
					}
				}
			}
		}
	}

	@Override
	public byte[] chatResponse(LlmExchange exchange, RouteTarget target, byte[] body) {
		if (responsesRequest(exchange, target) != null) {
			return ResponsesApi.response(exchange, target, body);
		}
		Usage usage = Usage.fromOpenAi(UpstreamJson.member(target, body, "usage"));
		if (usage != null) {
			exchange.recordUsage(usage);
		}
		return body;
	}

	@Override
	public StreamTranslator streamTranslator(LlmExchange exchange, RouteTarget target) {
		if (responsesRequest(exchange, target) != null) {
			return new ResponsesApi.Stream(exchange, target);
		}
		return new OpenAiStreamTranslator(exchange, target, this);
	}

	@Override
	public UpstreamRequest embeddingsRequest(LlmExchange exchange, RouteTarget target) {
		ObjectNode body = exchange.bodyMembersCopy();
		body.put("model", target.model().upstreamModel());
		return new UpstreamRequest(HttpMethod.POST, path(target, "/embeddings"), headers(target.provider(), false),
				Json.MAPPER.writeValueAsBytes(body));
	}

	@Override
	public byte[] embeddingsResponse(LlmExchange exchange, RouteTarget target, byte[] body) {
		JsonNode usage = UpstreamJson.member(target, body, "usage");
		if (usage != null && usage.isObject()) {
			exchange.recordUsage(new Usage(usage.path("prompt_tokens").asLong(0), 0, 0, true));
		}
		return body;
	}

	@Override
	public LlmApiException error(RouteTarget target, int status, HttpHeaders headers, byte[] body) {
		JsonNode error = UpstreamJson.errorObject(body);
		return UpstreamErrors.map(target, status, headers, text(error, "type"), text(error, "code"),
				text(error, "param"), error.isString() ? error.stringValue() : text(error, "message"));
	}

	@Override
	public UpstreamRequest modelsRequest(ProviderSpec provider) {
		return new UpstreamRequest(HttpMethod.GET, modelsPath(provider), headers(provider, false), new byte[0]);
	}

	/** Where the provider lists its models, under its base URL. */
	protected String modelsPath(ProviderSpec provider) {
		return "/models";
	}

	/** The path under the provider's base URL for an OpenAI operation path such as {@code /chat/completions}. */
	protected String path(RouteTarget target, String operation) {
		return operation;
	}

	/** Puts the provider credential on the request; OpenAI-compatible servers take a bearer token. */
	protected void authenticate(HttpHeaders headers, ProviderSpec provider) {
		if (provider.apiKey() != null && !provider.apiKey().isEmpty()) {
			headers.setBearerAuth(provider.apiKey().reveal());
		}
	}

	private HttpHeaders headers(ProviderSpec provider, boolean stream) {
		return ProviderHeaders.json(provider, stream, h -> authenticate(h, provider));
	}

	static JsonNode parse(RouteTarget target, byte[] body) {
		return UpstreamJson.parse(target, body);
	}

	private static String text(JsonNode node, String field) {
		JsonNode value = node.get(field);
		return (value != null && !value.isNull()) ? value.asString() : null;
	}

	/**
	 * Passes chunks through as bytes, watching for the first token, the usage chunk, an error sent
	 * inside the stream, and whether the stream really finished.
	 */
	static final class OpenAiStreamTranslator implements StreamTranslator {

		private final LlmExchange exchange;

		private final RouteTarget target;

		private final OpenAiProtocolAdapter adapter;

		private boolean finished;

		OpenAiStreamTranslator(LlmExchange exchange, RouteTarget target, OpenAiProtocolAdapter adapter) {
			this.exchange = exchange;
			this.target = target;
			this.adapter = adapter;
		}

		@Override
		public List<SseEvent> onEvent(SseEvent event) {
			if (event.isDone()) {
				// [DONE] is written by onEnd, exactly once, even when a server forgets it.
				this.finished = true;
				return List.of();
			}
			JsonNode chunk;
			try {
				chunk = Json.tree(event);
			}
			catch (JacksonException ex) {
				throw UpstreamErrors.invalidResponse(this.target, "a stream chunk that is not JSON");
			}
			JsonNode error = chunk.get("error");
			if (error != null && error.isObject() && !chunk.has("choices")) {
				// An error sent inside a 200 stream: a failure like any other, so it can fail over or be reported.
				throw this.adapter.error(this.target, inferStatus(error), new HttpHeaders(), event.data());
			}
			JsonNode choices = chunk.path("choices");
			for (JsonNode choice : choices) {
				if (hasToken(choice.path("delta"))) {
					this.exchange.timing().firstToken();
				}
				if (choice.path("finish_reason").isString()) {
					this.finished = true;
				}
			}
			Usage usage = Usage.fromOpenAi(chunk.get("usage"));
			if (usage != null) {
				this.exchange.recordUsage(usage);
				if (choices.isEmpty() && !this.exchange.clientWantsStreamUsage()) {
					return List.of();
				}
			}
			return List.of(event);
		}

		@Override
		public List<SseEvent> onEnd() {
			if (!this.finished) {
				throw UpstreamErrors.streamTruncated(this.target, "no finish_reason");
			}
			return List.of(SseEvent.DONE_EVENT);
		}

		private static int inferStatus(JsonNode error) {
			String type = error.path("type").asString("") + " " + error.path("code").asString("");
			if (type.contains("rate_limit")) {
				return 429;
			}
			if (type.contains("invalid_request") || type.contains("context_length")) {
				return 400;
			}
			return 500;
		}

		/** A delta carries generated output only when one of its fields has content, not merely a null. */
		private static boolean hasToken(JsonNode delta) {
			return nonEmptyString(delta.get("content")) || nonEmptyString(delta.get("refusal"))
					|| nonEmptyString(delta.get("reasoning_content"))
					|| (delta.get("tool_calls") != null && delta.get("tool_calls").size() > 0);
		}

		private static boolean nonEmptyString(JsonNode node) {
			return node != null && node.isString() && !node.stringValue().isEmpty();
		}

	}

}
