package dev.switchboard.cache;

import java.time.Duration;
import java.util.Locale;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.core.Json;
import dev.switchboard.core.NativeRequest;
import dev.switchboard.core.RouteTarget;

/**
 * The response cache behind the {@code LlmCache} filter: decides whether a request may use the
 * cache, looks its {@link CacheKey} up in a {@link CacheStore} (then, for chat, in the
 * {@link SemanticIndex}), and stores complete, successful answers: chat completions, and embeddings
 * (deterministic for a model and input, so the exact tier serves them well; they have no semantic
 * tier). Plain Java returning {@link Mono}; it never fails a request (a store failure is a miss).
 *
 * <p>Bypassed (neither read nor written) when the request carries {@code Cache-Control: no-store} or
 * {@code no-cache}, asks for several choices ({@code n > 1}), or sets a {@code temperature} above
 * {@link CachePolicy#maxTemperature()}. Stored only when every choice finished with {@code stop} or
 * {@code length}, and, unless {@link CachePolicy#cacheToolCalls()}, called no tool.
 */
public final class CacheService {

	private static final Set<String> COMPLETE = Set.of("stop", "length");

	private final CacheStore store;

	private final CachePolicy policy;

	private final SemanticIndex semantic;

	public CacheService(CacheStore store, CachePolicy policy) {
		this(store, policy, SemanticIndex.NONE);
	}

	/** With a semantic tier, asked after an exact miss and told of every stored answer. */
	public CacheService(CacheStore store, CachePolicy policy, SemanticIndex semantic) {
		this.store = store;
		this.policy = policy;
		this.semantic = semantic;
	}

	public CacheStore store() {
		return this.store;
	}

	public CachePolicy policy() {
		return this.policy;
	}

	/**
	 * Looks a chat request up, in the namespace the {@link CachePolicy#isolation() isolation} gives it.
	 * @param team the caller's team
	 * @param request the client's OpenAI chat request body
	 * @param cacheControl the request's {@code Cache-Control} header, if any
	 * @return a hit, a miss (with the key to store the answer under) or a bypass; never empty, never an error
	 */
	public Mono<CacheLookup> lookup(String team, JsonNode request, @Nullable String cacheControl) {
		return lookup(this.policy, team, request, cacheControl);
	}

	/**
	 * As {@link #lookup(String, JsonNode, String)}, under the given policy: the one of the request's
	 * configuration version.
	 */
	public Mono<CacheLookup> lookup(CachePolicy policy, String team, JsonNode request, @Nullable String cacheControl) {
		String bypass = bypassReason(policy, request, cacheControl);
		if (bypass != null) {
			return Mono.just(CacheLookup.bypass(bypass));
		}
		String namespace = policy.namespace(team, request);
		if (namespace == null) {
			return Mono.just(CacheLookup.bypass("isolation by user and the request names no user"));
		}
		CacheKey key = CacheKey.of(namespace, request);
		return this.store.read(key)
			.onErrorResume(error -> Mono.empty())
			.flatMap(stored -> stored.fresh()
					? Mono.just(new CacheLookup(CacheLookup.Outcome.HIT, key, stored.completion(), "exact hit " + key))
					: afterExactMiss(key, request, policy.staleIfError().isZero() ? null : stored.completion()))
			.switchIfEmpty(Mono.defer(() -> afterExactMiss(key, request, null)));
	}

	/**
	 * The semantic tier, then a miss that keeps the exact key's stale answer, if any, for errors
	 * (only while stale-if-error is on: Redis may still hold stale entries from before it was off).
	 */
	private Mono<CacheLookup> afterExactMiss(CacheKey key, JsonNode request, byte @Nullable [] stale) {
		return semanticLookup(key, request)
			.defaultIfEmpty(new CacheLookup(CacheLookup.Outcome.MISS, key, null, "miss " + key))
			.map(lookup -> (stale != null && lookup.outcome() == CacheLookup.Outcome.MISS) ? lookup.withStale(stale)
					: lookup);
	}

	/**
	 * The semantic tier after an exact miss; the answer is read under the key of the request it matched.
	 * A shadow match is a miss whose reason names the answer that would have been served.
	 */
	private Mono<CacheLookup> semanticLookup(CacheKey key, JsonNode request) {
		if (this.semantic == SemanticIndex.NONE) {
			return Mono.empty();
		}
		return this.semantic.lookup(key, request)
			.filter(match -> match.key().team().equals(key.team()))
			.flatMap(match -> this.store.get(match.key()).map(completion -> {
				String similarity = String.format(Locale.ROOT, "%.4f", match.similarity());
				if (match.shadow()) {
					return new CacheLookup(CacheLookup.Outcome.MISS, key, null,
							"miss " + key + "; shadow: would serve " + match.key() + " at similarity " + similarity,
							match.similarity());
				}
				return new CacheLookup(CacheLookup.Outcome.SEMANTIC_HIT, key, completion,
						"semantic hit " + match.key() + " at similarity " + similarity, match.similarity());
			}))
			.onErrorResume(error -> Mono.empty());
	}

	/**
	 * The request as the cache keys it: its {@code model} replaced by the target it resolved to
	 * ({@code provider/model}). Two names of one model share answers, and a name whose model changes
	 * (an alias moved live, a canary rollout's new side) never serves the other model's answers.
	 */
	public static JsonNode resolvedAs(JsonNode request, RouteTarget target) {
		return resolvedAs(request, target, null);
	}

	/**
	 * As {@link #resolvedAs(JsonNode, RouteTarget)}, with what a request at another door asked for
	 * that the canonical body cannot say ({@link NativeRequest#unexpressed()}, under
	 * {@value #NATIVE_FIELDS}, a name no API uses): Anthropic's thinking budget or {@code top_k}
	 * changes the answer, so two requests that differ there never share one. A request without
	 * such fields keys as at the OpenAI door, and shares its answers.
	 */
	public static JsonNode resolvedAs(JsonNode request, RouteTarget target, @Nullable NativeRequest nativeRequest) {
		ObjectNode keyed = Json.object();
		request.properties().forEach(field -> keyed.set(field.getKey(), field.getValue()));
		keyed.put("model", target.label());
		if (nativeRequest != null && !nativeRequest.unexpressed().isEmpty()) {
			keyed.set(NATIVE_FIELDS, nativeRequest.unexpressed());
		}
		return keyed;
	}

	/** Where the cache key holds a request's fields the canonical body cannot express. */
	static final String NATIVE_FIELDS = "$native";

	/** Why the request may not use the cache, or {@code null} when it may. */
	@Nullable String bypassReason(CachePolicy policy, JsonNode request, @Nullable String cacheControl) {
		if (cacheControl != null) {
			String directives = cacheControl.toLowerCase(Locale.ROOT);
			if (directives.contains("no-store") || directives.contains("no-cache")) {
				return "Cache-Control: " + cacheControl;
			}
		}
		if (request.path("n").asInt(1) > 1) {
			return "n > 1";
		}
		JsonNode temperature = request.path("temperature");
		if (temperature.isNumber() && temperature.asDouble() > policy.maxTemperature()) {
			return "temperature " + temperature.asDouble() + " above " + policy.maxTemperature();
		}
		return null;
	}

	/**
	 * Stores an answer if it is complete and cacheable.
	 * @param completion an OpenAI {@code chat.completion} JSON
	 * @param ttl how long to keep it ({@code null}: the policy's)
	 * @return what was done, for the decision log; never an error
	 */
	public Mono<String> offer(CacheKey key, JsonNode request, byte[] completion, @Nullable Duration ttl) {
		return offer(this.policy, key, request, completion, ttl);
	}

	/** As {@link #offer(CacheKey, JsonNode, byte[], Duration)}, under the policy the answer was looked up with. */
	public Mono<String> offer(CachePolicy policy, CacheKey key, JsonNode request, byte[] completion,
			@Nullable Duration ttl) {
		String reason;
		try {
			reason = unstorable(policy, Json.MAPPER.readTree(completion));
		}
		catch (RuntimeException ex) {
			reason = "unreadable answer";
		}
		if (reason != null) {
			return Mono.just("not stored: " + reason);
		}
		Duration lifetime = (ttl != null) ? ttl : policy.ttl();
		return this.store.put(key, completion, lifetime, policy.staleIfError())
			.then(Mono.defer(() -> this.semantic.stored(key, request, lifetime)))
			.onErrorResume(error -> Mono.empty())
			.thenReturn("stored " + key + " for " + lifetime);
	}

	/** Why an answer must not be stored, or {@code null} when it may. */
	@Nullable String unstorable(CachePolicy policy, JsonNode completion) {
		if ("list".equals(completion.path("object").asString(""))) {
			// An embeddings answer: complete when it has a vector per input.
			JsonNode data = completion.path("data");
			return (data.isArray() && !data.isEmpty() && data.get(0).has("embedding")) ? null : "no embedding";
		}
		JsonNode choices = completion.path("choices");
		if (!choices.isArray() || choices.isEmpty()) {
			return "no choices";
		}
		for (JsonNode choice : choices) {
			String finish = choice.path("finish_reason").asString("");
			JsonNode message = choice.path("message");
			boolean toolCall = "tool_calls".equals(finish) || "function_call".equals(finish)
					|| !message.path("tool_calls").isEmpty() || message.has("function_call")
							&& !message.get("function_call").isNull();
			if (toolCall) {
				if (!policy.cacheToolCalls()) {
					return "tool calls";
				}
			}
			else if (!COMPLETE.contains(finish)) {
				return "finish_reason '" + finish + "'";
			}
		}
		return null;
	}

}
