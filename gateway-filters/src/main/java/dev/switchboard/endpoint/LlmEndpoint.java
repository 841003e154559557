package dev.switchboard.endpoint;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;

import dev.switchboard.auth.TeamResolver;
import dev.switchboard.core.BoundedBodies;
import dev.switchboard.core.ClientCredentials;
import dev.switchboard.core.CompareLeg;
import dev.switchboard.core.ConfigSnapshot;
import dev.switchboard.core.ConfigSnapshots;
import dev.switchboard.core.ErrorResponses;
import dev.switchboard.core.FrontDoor;
import dev.switchboard.core.Headers;
import dev.switchboard.core.Json;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.LlmExchangeListener;
import dev.switchboard.core.ModelRoute;
import dev.switchboard.core.NativeRequest;
import dev.switchboard.core.Operation;
import dev.switchboard.core.Team;
import dev.switchboard.endpoint.anthropic.AnthropicDoor;
import dev.switchboard.endpoint.compare.ComparePolicy;
import dev.switchboard.endpoint.compare.Comparison;
import dev.switchboard.endpoint.compare.Legs;
import dev.switchboard.endpoint.door.InboundDoor;
import dev.switchboard.endpoint.responses.ResponsesDoor;
import dev.switchboard.endpoint.responses.store.ResponseStore;
import dev.switchboard.route.ModelResolver;

/**
 * The entrance of an LLM route: recognises the door (OpenAI's API, Anthropic's Messages API
 * ({@link AnthropicDoor}) or OpenAI's Responses API ({@link ResponsesDoor})) and its operation, authenticates the team, reads and validates the body
 * once into the canonical request, resolves the model, and leaves an {@link LlmExchange} for
 * every later filter. {@code /v1/models} is answered here; calls that need a provider continue down the
 * chain to the routing filter ({@code dispatch.LlmRoutingFilter}).
 *
 * <p>Any failure below this filter that happens before the response is committed is answered as
 * an OpenAI error, so clients never see a Spring error page. Authentication comes before body
 * parsing: an anonymous client cannot make the gateway read a large body.
 */
public class LlmEndpoint {

	private static final Logger log = LoggerFactory.getLogger(LlmEndpoint.class);

	private static final byte[] EMPTY = new byte[0];

	private static final Pattern CLIENT_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

	private final ConfigSnapshots snapshots;

	private final List<LlmExchangeListener> listeners;

	private final AnthropicDoor anthropic = new AnthropicDoor();

	private final ResponsesDoor responses;

	/** The doors besides OpenAI's, which answers every path none of them claims. */
	private final List<InboundDoor> doors;

	/** {@code /v1/compare}; {@code null} when comparisons are switched off. */
	private final @Nullable Comparison comparison;

	/**
	 * @param snapshots the configuration each request binds to when it arrives: its
	 * {@link ModelResolver} and {@link ModelsEndpoint} parts serve the request
	 * @param listeners observers registered on every LLM exchange (metrics, the request log)
	 * @param responseStore where the Responses door keeps responses, or {@code null} for a
	 * stateless door
	 */
	public LlmEndpoint(ConfigSnapshots snapshots, List<LlmExchangeListener> listeners,
			@Nullable ResponseStore responseStore) {
		this(snapshots, listeners, responseStore, ComparePolicy.defaults());
	}

	/**
	 * @param compare what {@code /v1/compare} allows, or {@code null} to answer it 404 like any
	 * path the gateway does not serve
	 */
	public LlmEndpoint(ConfigSnapshots snapshots, List<LlmExchangeListener> listeners,
			@Nullable ResponseStore responseStore, @Nullable ComparePolicy compare) {
		this.snapshots = snapshots;
		this.listeners = List.copyOf(listeners);
		this.responses = new ResponsesDoor(responseStore);
		this.doors = List.of(this.anthropic, this.responses);
		this.comparison = (compare != null) ? new Comparison(compare) : null;
	}

	public LlmEndpoint(ConfigSnapshots snapshots, List<LlmExchangeListener> listeners) {
		this(snapshots, listeners, null);
	}

	/** A fixed configuration: this resolver and models list for every request. */
	public LlmEndpoint(ModelResolver resolver, ModelsEndpoint models, List<LlmExchangeListener> listeners) {
		this(ConfigSnapshots.fixed(new ConfigSnapshot.Builder().part(ModelResolver.class, resolver)
			.part(ModelsEndpoint.class, models)
			.build("fixed", Instant.now(), "start-up")), listeners);
	}

	public LlmEndpoint(ModelResolver resolver, ModelsEndpoint models) {
		this(resolver, models, List.of());
	}

	/**
	 * Serves one request on the configuration current now: bound to the exchange before anything
	 * else (the team resolver reads it too), and named in the {@value Headers#CONFIG_VERSION} header.
	 */
	public Mono<Void> handle(ServerWebExchange exchange, GatewayFilterChain chain, TeamResolver teams,
			long maxBodyBytes) {
		String requestId = requestId(exchange.getRequest());
		InboundDoor door = door(exchange.getRequest());
		// First of all: whatever fails from here is answered in the shape of the client's door.
		exchange.getAttributes().put(FrontDoor.ATTRIBUTE, door);
		ConfigSnapshot snapshot = this.snapshots.current();
		exchange.getAttributes().put(ConfigSnapshot.ATTRIBUTE, snapshot);
		exchange.getResponse().getHeaders().set(Headers.REQUEST_ID, requestId);
		exchange.getResponse().getHeaders().set(Headers.CONFIG_VERSION, snapshot.version());
		return Mono.defer(() -> route(exchange, chain, door, teams, maxBodyBytes, requestId, snapshot))
			.onErrorResume(error -> exchange.getResponse().isCommitted() ? Mono.error(error)
					: ErrorResponses.write(exchange, error));
	}

	/**
	 * The door of a request: the one whose path it is (Anthropic's Messages, OpenAI's Responses),
	 * Anthropic's also for the model list of a client that
	 * announces itself with {@value AnthropicDoor#VERSION_HEADER} or sends its key as
	 * {@code x-api-key} without a bearer token, as Anthropic's SDKs and Claude Code's model discovery
	 * do; OpenAI's for everything else.
	 */
	private InboundDoor door(ServerHttpRequest request) {
		String path = request.getPath().pathWithinApplication().value();
		for (InboundDoor door : this.doors) {
			if (door.operation(path) != null) {
				return door;
			}
		}
		Operation operation = OpenAiDoor.INSTANCE.operation(path);
		boolean models = operation == Operation.LIST_MODELS || operation == Operation.GET_MODEL;
		HttpHeaders headers = request.getHeaders();
		boolean anthropicClient = headers.containsHeader(AnthropicDoor.VERSION_HEADER)
				|| headers.containsHeader(ClientCredentials.X_API_KEY) && !headers.containsHeader(HttpHeaders.AUTHORIZATION);
		return (models && anthropicClient) ? this.anthropic : OpenAiDoor.INSTANCE;
	}

	private Mono<Void> route(ServerWebExchange exchange, GatewayFilterChain chain, InboundDoor door,
			TeamResolver teams, long maxBodyBytes, String requestId, ConfigSnapshot snapshot) {
		ServerHttpRequest request = exchange.getRequest();
		String path = request.getPath().pathWithinApplication().value();
		HttpMethod method = request.getMethod();
		Operation operation = operation(path);
		Mono<Team> team = teams.resolve(exchange).switchIfEmpty(Mono.error(LlmApiException::missingKey));
		if (this.comparison != null && Comparison.isCompare(path)) {
			if (HttpMethod.GET.equals(method) && this.comparison.servesPage(request)) {
				return this.comparison.page(exchange);
			}
			if (!HttpMethod.POST.equals(method)) {
				exchange.getResponse().getHeaders().setAllow(Set.of(HttpMethod.POST));
				return Mono.error(LlmApiException.methodNotAllowed(method.name(), path));
			}
			return team.flatMap(t -> readBody(request, maxBodyBytes).flatMap(bytes -> this.comparison.handle(exchange,
					parse(bytes), requestId, legs(exchange, chain, t, snapshot))));
		}
		if (operation == null) {
			if (ResponsesDoor.isStoredResponse(path)) {
				return team.flatMap(t -> this.responses.stored(method, path, request.getQueryParams(), t))
					.flatMap(body -> json(exchange, body));
			}
			return Mono.error(LlmApiException.notFound(method.name(), path));
		}
		HttpMethod expected = operation.callsProvider() ? HttpMethod.POST : HttpMethod.GET;
		if (!expected.equals(method)) {
			exchange.getResponse().getHeaders().setAllow(Set.of(expected));
			return Mono.error(LlmApiException.methodNotAllowed(method.name(), path));
		}
		ModelsEndpoint models = snapshot.require(ModelsEndpoint.class);
		boolean anthropicShape = door == this.anthropic;
		return switch (operation) {
			case LIST_MODELS -> team.flatMap(t -> json(exchange, anthropicShape ? models.anthropicList(t) : models.list(t)));
			case GET_MODEL -> team.flatMap(t -> json(exchange,
					anthropicShape ? models.anthropicGet(modelId(path), t) : models.get(modelId(path), t)));
			case CHAT, EMBEDDINGS, COUNT_TOKENS -> team.flatMap(t -> readBody(request, maxBodyBytes)
				.flatMap(bytes -> door.read(operation, parse(bytes), request.getHeaders(), t))
				.flatMap(inbound -> forward(exchange, chain, door, operation, t, inbound, requestId, snapshot)));
		};
	}

	private Mono<Void> forward(ServerWebExchange exchange, GatewayFilterChain chain, InboundDoor door,
			Operation operation, Team team, InboundDoor.Inbound inbound, String requestId, ConfigSnapshot snapshot) {
		ModelRoute route = snapshot.require(ModelResolver.class)
			.resolve(inbound.model(), team, operation, inbound.canonical());
		return run(exchange, chain, open(door, operation, team, inbound, route, requestId, snapshot));
	}

	/**
	 * The legs of a comparison: each a chat completion of the team at the OpenAI door, resolved,
	 * observed and sent down the rest of the chain as {@link #forward} does with any request.
	 */
	private Legs legs(ServerWebExchange client, GatewayFilterChain chain, Team team, ConfigSnapshot snapshot) {
		HttpHeaders headers = client.getRequest().getHeaders();
		return new Legs() {

			@Override
			public void validate(ObjectNode chat) {
				OpenAiDoor.INSTANCE.read(Operation.CHAT, chat, headers);
			}

			@Override
			public Mono<Void> run(ServerWebExchange leg, ObjectNode chat, String requestId, CompareLeg marker,
					boolean failover, Consumer<LlmExchange> opened) {
				leg.getAttributes().put(FrontDoor.ATTRIBUTE, OpenAiDoor.INSTANCE);
				return Mono.defer(() -> {
					InboundDoor.Inbound inbound = OpenAiDoor.INSTANCE.read(Operation.CHAT, chat, headers);
					ModelRoute route = snapshot.require(ModelResolver.class)
						.resolve(inbound.model(), team, Operation.CHAT, inbound.canonical());
					if (!failover && route.targets().size() > 1) {
						route = new ModelRoute(route.requestedModel(), List.of(route.primary()),
								route.reason() + " (the named model only: failover is off in a comparison)");
					}
					LlmExchange llm = open(OpenAiDoor.INSTANCE, Operation.CHAT, team, inbound, route, requestId, snapshot);
					llm.put(CompareLeg.class, marker);
					opened.accept(llm);
					return LlmEndpoint.this.run(leg, chain, llm);
				})
					.onErrorResume(error -> leg.getResponse().isCommitted() ? Mono.empty()
							: ErrorResponses.write(leg, error))
					.onErrorResume(error -> Mono.empty());
			}

		};
	}

	/** The exchange of a request about to go down the chain, observed by the endpoint's listeners. */
	private LlmExchange open(InboundDoor door, Operation operation, Team team, InboundDoor.Inbound inbound,
			ModelRoute route, String requestId, ConfigSnapshot snapshot) {
		LlmExchange llm = new LlmExchange(requestId, operation, team, inbound.canonical(), route);
		llm.put(ConfigSnapshot.class, snapshot);
		llm.put(FrontDoor.class, door);
		if (inbound.nativeRequest() != null) {
			llm.put(NativeRequest.class, inbound.nativeRequest());
		}
		llm.decide("route", route.reason() + " for team '" + team.name() + "' -> " + route.primary().label());
		this.listeners.forEach(llm::addStartListener);
		return llm;
	}

	/** Runs an opened exchange down the rest of the chain and completes it however the chain ends. */
	private Mono<Void> run(ServerWebExchange exchange, GatewayFilterChain chain, LlmExchange llm) {
		Team team = llm.team();
		llm.attachTo(exchange);
		return chain.filter(exchange)
			.doOnError(llm::recordFailure)
			.doFinally(signal -> {
				LlmExchange.Completion completion = completion(signal, llm);
				llm.complete(completion, llm.failure());
				if (log.isDebugEnabled()) {
					log.debug("{} team={} model={} {} in {} ms; {}", llm.requestId(), team.name(), llm.requestedModel(),
							completion, (System.nanoTime() - llm.timing().startNanos()) / 1_000_000, llm.decisions());
				}
			});
	}

	private static LlmExchange.Completion completion(SignalType signal, LlmExchange llm) {
		if (signal == SignalType.CANCEL) {
			return LlmExchange.Completion.CANCELLED;
		}
		return (llm.failure() != null) ? LlmExchange.Completion.ERROR : LlmExchange.Completion.SUCCESS;
	}

	private static Mono<byte[]> readBody(ServerHttpRequest request, long maxBodyBytes) {
		MediaType contentType = request.getHeaders().getContentType();
		if (contentType == null || !MediaType.APPLICATION_JSON.isCompatibleWith(contentType)) {
			return Mono.error(LlmApiException.unsupportedMediaType(
					(contentType != null) ? contentType.toString() : null));
		}
		if (request.getHeaders().getContentLength() > maxBodyBytes) {
			return Mono.error(LlmApiException.tooLarge(maxBodyBytes));
		}
		return DataBufferUtils.join(request.getBody(), (int) Math.min(Integer.MAX_VALUE, maxBodyBytes))
			.map(BoundedBodies::bytes)
			.defaultIfEmpty(EMPTY)
			.onErrorMap(DataBufferLimitException.class, error -> LlmApiException.tooLarge(maxBodyBytes));
	}

	private static ObjectNode parse(byte[] bytes) {
		if (bytes.length == 0) {
			throw LlmApiException.invalidJson("the body is empty");
		}
		JsonNode node;
		try {
			node = Json.MAPPER.readTree(bytes);
		}
		catch (JacksonException ex) {
			throw LlmApiException.invalidJson(ex.getOriginalMessage());
		}
		if (!(node instanceof ObjectNode object)) {
			throw LlmApiException.invalidRequest("The request body must be a JSON object.", null);
		}
		return object;
	}

	private static Mono<Void> json(ServerWebExchange exchange, byte[] body) {
		ServerHttpResponse response = exchange.getResponse();
		response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
		response.getHeaders().setContentLength(body.length);
		return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
	}

	/** The operation of a path at any door, whatever prefix the route adds before {@code /v1}. */
	@Nullable Operation operation(String path) {
		for (InboundDoor door : this.doors) {
			Operation operation = door.operation(path);
			if (operation != null) {
				return operation;
			}
		}
		return OpenAiDoor.INSTANCE.operation(path);
	}

	/** The id after {@code /models/}; ids may contain a slash ({@code openai/gpt-4o}), encoded or not. */
	static String modelId(String path) {
		return URLDecoder.decode(path.substring(path.indexOf("/models/") + 8), StandardCharsets.UTF_8);
	}

	private static String requestId(ServerHttpRequest request) {
		String given = request.getHeaders().getFirst(Headers.REQUEST_ID);
		if (given != null && CLIENT_REQUEST_ID.matcher(given).matches()) {
			return given;
		}
		ThreadLocalRandom random = ThreadLocalRandom.current();
		return "req_" + Long.toHexString(random.nextLong() | Long.MIN_VALUE)
				+ Long.toHexString(random.nextLong() | Long.MIN_VALUE);
	}

}
