package dev.switchboard.autoconfigure;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

import dev.switchboard.catalog.UnsupportedParameters;

/**
 * Switchboard configuration: providers, the model catalog and teams. Each capability's own
 * settings ({@code switchboard.failover}, {@code switchboard.observability}, {@code switchboard.quota},
 * ...) are bound by its own properties, in its auto-configuration's package.
 *
 * @param enabled Whether to enable Switchboard's filters and LLM routing
 * @param maxBodySize Largest request body an LLM route accepts; larger ones get a 413 (a route can
 * set its own with {@code LlmEndpoint=2MB})
 * @param jsonDecodingErrors Whether requests Netty cannot decode (headers past
 * {@code server.max-http-request-header-size}, a request line past
 * {@code server.netty.max-initial-line-length}, a header that is not valid HTTP) get an
 * OpenAI-shaped JSON error instead of an empty body
 * @param providers Upstream providers by name; models refer to them by that name
 * @param models The model catalog: public ids, aliases, the provider and upstream model behind each
 * @param teams Tenants by name: their client key hashes and the models they may use
 * @param auth How requests are matched to teams
 * @param imageFetch How the gateway fetches image URLs for providers that only take inline images
 * @param pools Public model names served by several models: balanced deployments, A/B splits,
 * cost-aware picks
 * @param balancing How observed failures and provider rate limits steer pool traffic
 * @param rollouts Canary rollouts: a model name moving to another model gradually, guarded
 */
@ConfigurationProperties("switchboard")
@Validated
public record SwitchboardProperties(@DefaultValue("true") boolean enabled, @DefaultValue("10MB") DataSize maxBodySize,
		@DefaultValue("true") boolean jsonDecodingErrors, Map<String, @Valid Provider> providers, List<@Valid Model> models, Map<String, @Valid Team> teams,
		@Valid @DefaultValue Auth auth, @Valid @DefaultValue ImageFetch imageFetch,
		List<@Valid Pool> pools, @Valid @DefaultValue Balancing balancing, List<@Valid Rollout> rollouts) {

	public SwitchboardProperties {
		rollouts = (rollouts != null) ? rollouts : List.of();
		providers = (providers != null) ? providers : Map.of();
		models = (models != null) ? models : List.of();
		teams = (teams != null) ? teams : Map.of();
		pools = (pools != null) ? pools : List.of();
	}

	/**
	 * An upstream provider account.
	 *
	 * @param type Wire protocol: openai (any OpenAI-compatible server) or mock (the built-in simulator)
	 * @param baseUrl API root including the version, e.g. https://api.openai.com/v1; a mock without
	 * one is started on a free loopback port
	 * @param apiKey Credential sent to the provider; use a placeholder such as ${OPENAI_API_KEY},
	 * never a literal in a committed file; it is never logged or shown
	 * @param headers Extra headers sent on every call to this provider
	 * @param connectTimeout TCP connect timeout
	 * @param responseTimeout Longest wait for the response headers and between two chunks of the body
	 * @param streamUsage Whether to ask the provider for usage at the end of streams
	 * (stream_options.include_usage); turn off only for servers that reject the option
	 * @param apiVersion API version where the provider versions its protocol: Azure's api-version
	 * query parameter, Anthropic's anthropic-version header; empty for the built-in default
	 * @param defaultMaxTokens Max_tokens sent when the client set none and the provider requires one
	 * (Anthropic)
	 * @param unsupportedParameters What to do with OpenAI parameters this provider cannot honour: reject
	 * (400 naming the parameter) or drop (listed in the x-switchboard-dropped-params response header)
	 * @param responsesApi Whether this openai provider serves OpenAI's Responses API (/responses):
	 * requests at the gateway's /v1/responses door then go to it as the client wrote them (built-in
	 * tools, encrypted reasoning, include); unset, true for api.openai.com and false for other
	 * OpenAI-compatible servers, which are asked through chat completions
	 * @param mock Behaviour of a mock provider (ignored for other types)
	 * @param healthCheck Active health checks of this provider: its models list, asked periodically
	 * @param limits What this provider allows (per gateway instance): calls in flight and its own
	 * requests and tokens per minute; a target at a limit is skipped for the next one, or waits
	 * @param reasoning What reasoning_effort (none, minimal, low, medium, high, xhigh) becomes at
	 * an anthropic or gemini provider, per effort: a thinking budget in tokens, off, dynamic
	 * (Gemini) or a level (Anthropic adaptive thinking: low, medium, high, max; Gemini 3:
	 * minimal, low, medium, high); unset efforts keep the documented defaults
	 */
	public record Provider(@NotBlank String type, @Nullable URI baseUrl, @Nullable String apiKey,
			Map<String, String> headers, @DefaultValue("5s") Duration connectTimeout,
			@DefaultValue("60s") Duration responseTimeout, @DefaultValue("true") boolean streamUsage,
			@Nullable String apiVersion, @DefaultValue("4096") @Min(1) int defaultMaxTokens,
			@DefaultValue("reject") UnsupportedParameters unsupportedParameters, @Nullable Boolean responsesApi,
			@Valid @DefaultValue Mock mock,
			@Valid @DefaultValue HealthCheck healthCheck, @Valid @DefaultValue ProviderLimits limits,
			Map<String, String> reasoning) {

		public Provider {
			headers = (headers != null) ? headers : Map.of();
			reasoning = (reasoning != null) ? reasoning : Map.of();
		}

		@Override
		public String toString() {
			return "Provider{type=" + this.type + ", baseUrl=" + this.baseUrl + ", apiKey="
					+ (this.apiKey == null ? "none" : "******") + "}";
		}

	}

	/**
	 * What a provider allows, kept per gateway instance (a fleet of n gateways sets an nth of the
	 * provider's tier on each). 0 leaves a limit out.
	 *
	 * @param maxInFlight Most calls to this provider at once
	 * @param requestsPerMinute The provider's requests per minute (its rate-limit tier)
	 * @param tokensPerMinute The provider's tokens per minute, counted as it counts them: prompt
	 * estimate plus max_tokens
	 * @param maxWait Longest a call waits for room when no other target of the request is left; 0
	 * answers a 429 provider_rate_limit at once
	 * @param maxLength Most calls waiting for room at once
	 */
	public record ProviderLimits(@DefaultValue("0") @Min(0) int maxInFlight, @DefaultValue("0") @Min(0) long requestsPerMinute,
			@DefaultValue("0") @Min(0) long tokensPerMinute, @DefaultValue("0s") Duration maxWait,
			@DefaultValue("100") @Min(1) int maxLength) {
	}

	/**
	 * Active health checks of one provider: its list of models (GET /models, which costs no
	 * tokens), asked with the credentials a call uses.
	 *
	 * @param enabled Whether to probe this provider
	 * @param interval Time between the end of one probe and the start of the next
	 * @param timeout Longest a probe may take before it counts as failed
	 * @param jitter Fraction of the interval by which each wait moves at random (0 to 1), so a fleet
	 * does not probe in step
	 * @param healthyThreshold Good probes in a row that bring an unhealthy provider back
	 * @param unhealthyThreshold Failed probes in a row (no answer, 5xx, 401, 403; not 429 or 408) that
	 * mark the provider unhealthy: its targets are skipped while others remain
	 */
	public record HealthCheck(@DefaultValue("false") boolean enabled, @DefaultValue("30s") Duration interval,
			@DefaultValue("5s") Duration timeout, @DefaultValue("0.1") double jitter,
			@DefaultValue("2") int healthyThreshold, @DefaultValue("3") int unhealthyThreshold) {
	}

	/**
	 * Behaviour of the built-in simulated provider.
	 *
	 * @param latency Wait before a non-streamed response
	 * @param timeToFirstToken Wait before the first streamed token
	 * @param tokensPerSecond Stream speed after the first token; 0 streams as fast as possible
	 * @param responseTokens Length of generated answers; models named *echo* repeat the last user message
	 * @param failureRates HTTP status to the probability of answering with it, e.g. {429: 0.05, 500: 0.01}
	 * @param hangRate Probability of never answering, to exercise timeouts
	 * @param retryAfter Retry-After sent with simulated 429 and 503 answers
	 * @param embeddingDimensions Size of simulated embedding vectors
	 */
	public record Mock(@DefaultValue("0ms") Duration latency, @DefaultValue("0ms") Duration timeToFirstToken,
			@DefaultValue("0") @Min(0) double tokensPerSecond, @DefaultValue("16") @Min(1) int responseTokens,
			Map<Integer, Double> failureRates, @DefaultValue("0") @DecimalMin("0") @DecimalMax("1") double hangRate,
			@DefaultValue("1s") Duration retryAfter, @DefaultValue("16") @Min(1) int embeddingDimensions) {

		public Mock {
			failureRates = (failureRates != null) ? failureRates : Map.of();
		}

	}

	/**
	 * One model of the catalog.
	 *
	 * @param id Public id clients send as "model"
	 * @param provider Name of the provider under switchboard.providers that serves it
	 * @param upstreamModel Model name the provider expects; defaults to the id
	 * @param aliases Other public names for this model, e.g. fast or default
	 * @param inputPrice USD per million input tokens
	 * @param outputPrice USD per million output tokens
	 * @param cachedInputPrice USD per million prompt tokens read from the provider's prompt cache;
	 * defaults to the input price
	 * @param cacheWritePrice USD per million prompt tokens written to the provider's prompt cache
	 * (Anthropic: a five-minute write, 1.25 times the input price); defaults to the input price
	 * @param cacheWriteHourPrice USD per million prompt tokens written to the prompt cache for one
	 * hour (Anthropic's ttl 1h, twice the input price); defaults to the cache-write price
	 * @param contextWindow Maximum prompt plus completion tokens
	 * @param capabilities What the model can serve: chat, tools, vision, json, embeddings, reasoning
	 * (it thinks and takes reasoning_effort, which anthropic and gemini providers are sent as
	 * thinking settings)
	 * @param fallbacks Other models (ids, aliases or provider/model ids) tried in order when this one
	 * fails, each translated for its own provider
	 * @param reasoning This model's own settings per reasoning effort, over its provider's
	 * reasoning (e.g. high: 16000, or levels for Gemini 3)
	 */
	public record Model(@NotBlank String id, @NotBlank String provider, @Nullable String upstreamModel,
			List<String> aliases, @Nullable @DecimalMin("0") BigDecimal inputPrice,
			@Nullable @DecimalMin("0") BigDecimal outputPrice, @Nullable @DecimalMin("0") BigDecimal cachedInputPrice,
			@Nullable @DecimalMin("0") BigDecimal cacheWritePrice, @Nullable @DecimalMin("0") BigDecimal cacheWriteHourPrice,
			@Nullable @Min(1) Integer contextWindow, @DefaultValue("chat") List<String> capabilities,
			List<String> fallbacks, Map<String, String> reasoning) {

		public Model {
			aliases = (aliases != null) ? aliases : List.of();
			fallbacks = (fallbacks != null) ? fallbacks : List.of();
			reasoning = (reasoning != null) ? reasoning : Map.of();
		}

	}

	/**
	 * A tenant.
	 *
	 * @param keyHashes SHA-256 hex digests of the team's client keys (echo -n "$KEY" | sha256sum)
	 * @param models Model ids, aliases or provider/model ids the team may use, * as wildcard; empty
	 * allows every model
	 */
	public record Team(List<String> keyHashes, List<String> models) {

		public Team {
			keyHashes = (keyHashes != null) ? keyHashes : List.of();
			models = (models != null) ? models : List.of();
		}

	}

	/**
	 * How requests are matched to teams when no TeamResolver bean is defined.
	 *
	 * @param teamHeader Take the team name from this request header instead of the bearer key; only
	 * safe behind an authentication filter that always sets it
	 */
	public record Auth(@Nullable String teamHeader) {
	}

	/**
	 * A canary rollout: the share of a name's requests sent to another model grows step by step,
	 * and goes back to none at once when a guard finds the new model worse.
	 *
	 * @param name The model id, alias or pool name clients send, whose requests move
	 * @param to The id of the model they move to
	 * @param percent Share of requests on the new model when the rollout starts (0 to 100)
	 * @param step Added to the share every interval; 0 holds it
	 * @param every How long each share lasts before the next step
	 * @param sticky What keeps a client on one side while the share grows: none, team or user (the
	 * request's safety_identifier or user field; without one, at random)
	 * @param guards When the rollout is aborted
	 */
	public record Rollout(@NotBlank String name, @NotBlank String to, @DefaultValue("10") @Min(0) @Max(100) int percent,
			@DefaultValue("10") @Min(0) @Max(100) int step, @DefaultValue("5m") Duration every,
			@DefaultValue("user") String sticky, @Valid @DefaultValue Guards guards) {
	}

	/**
	 * The comparison of a rollout's new model with the one it replaces, over a moving window.
	 *
	 * @param window How far back outcomes count
	 * @param minRequests Requests of the new model (and, for latency, of the old one) in the window
	 * before they are compared
	 * @param maxErrorRateIncrease How much higher the new model's rate of provider faults (5xx, 429,
	 * timeouts, unreachable) may be than the old one's: 0.05 is five points
	 * @param maxLatencyRatio How many times the old model's p95 latency to the first byte the new one's may be
	 * @param maxTtftRatio How many times the old model's p95 time to first token (streams) the new one's may be
	 */
	public record Guards(@DefaultValue("5m") Duration window, @DefaultValue("20") @Min(1) int minRequests,
			@DefaultValue("0.05") @DecimalMin("0") @DecimalMax("1") double maxErrorRateIncrease,
			@DefaultValue("2.0") @DecimalMin("1") double maxLatencyRatio,
			@DefaultValue("2.0") @DecimalMin("1") double maxTtftRatio) {
	}

	/**
	 * A public model name served by several catalog models.
	 *
	 * @param name Public name clients send as "model"; must not be a model id or alias
	 * @param strategy How the serving member is chosen: weighted, least-latency, least-in-flight or
	 * cheapest; the other members follow as fallbacks
	 * @param sticky What keeps a client on one member of a weighted split: none, team or user (the
	 * request's safety_identifier or user field)
	 * @param members The catalog models behind the name and their weights
	 */
	public record Pool(@NotBlank String name, @DefaultValue("weighted") String strategy,
			@DefaultValue("none") String sticky, List<@Valid PoolMember> members) {

		public Pool {
			members = (members != null) ? members : List.of();
		}

	}

	/**
	 * A member of a pool.
	 *
	 * @param model Catalog model id, alias or provider/model id
	 * @param weight Share of the traffic under the weighted strategy
	 */
	public record PoolMember(@NotBlank String model, @DefaultValue("1") @Min(0) int weight) {
	}

	/**
	 * Passive outlier detection for pools.
	 *
	 * @param ejectAfterFailures Consecutive provider failures after which a member goes to the back
	 * @param ejectFor How long it stays there
	 */
	public record Balancing(@DefaultValue("3") @Min(1) int ejectAfterFailures,
			@DefaultValue("30s") Duration ejectFor) {
	}

	/**
	 * Fetching of image URLs on a client's behalf (Gemini takes only inline image bytes).
	 *
	 * @param enabled Whether to fetch image URLs; when off, such providers need data: URLs
	 * @param maxSize Largest image fetched
	 * @param timeout Longest a single image fetch may take
	 * @param allowPrivateNetworks Whether image URLs may point at loopback, private or link-local
	 * addresses; leave off unless clients are trusted, or the gateway can be used to reach internal
	 * services
	 */
	public record ImageFetch(@DefaultValue("true") boolean enabled, @DefaultValue("5MB") DataSize maxSize,
			@DefaultValue("10s") Duration timeout, @DefaultValue("false") boolean allowPrivateNetworks) {
	}

}
