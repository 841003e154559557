package dev.switchboard.cache;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import dev.switchboard.core.Hashes;

/**
 * What the cache may serve and store.
 *
 * @param ttl how long an answer is served after it was stored
 * @param maxTemperature requests with a {@code temperature} above this bypass the cache: the caller
 * asked for variety. A request without {@code temperature} is cached (it did not ask for any)
 * @param cacheToolCalls whether answers that call tools are stored; off by default, as a tool call
 * usually depends on state outside the conversation
 * @param isolation whose requests may share an answer
 * @param staleIfError how long past its TTL an answer is kept to be served when no provider can
 * answer (every target down, overloaded, rate limited or open-circuited); zero keeps none
 */
public record CachePolicy(Duration ttl, double maxTemperature, boolean cacheToolCalls, Isolation isolation,
		Duration staleIfError) {

	/** Whose requests may share an answer: the namespace every key, exact or semantic, lives in. */
	public enum Isolation {

		/** Each team its own answers (the default). */
		TEAM,
		/**
		 * Each end user of each team: the request's OpenAI {@code user} field. A request that names
		 * no user bypasses the cache rather than share a team-wide namespace.
		 */
		USER,
		/** All teams share answers; only for teams that are meant to see each other's answers. */
		SHARED

	}

	/** With no stale window. */
	public CachePolicy(Duration ttl, double maxTemperature, boolean cacheToolCalls) {
		this(ttl, maxTemperature, cacheToolCalls, Isolation.TEAM, Duration.ZERO);
	}

	public static final Duration DEFAULT_TTL = Duration.ofHours(1);

	/** Deterministic-ish sampling only: 0 to 0.5 is what FAQ bots and agents use when they want stable answers. */
	public static final double DEFAULT_MAX_TEMPERATURE = 0.5;

	public static CachePolicy defaults() {
		return new CachePolicy(DEFAULT_TTL, DEFAULT_MAX_TEMPERATURE, false, Isolation.TEAM, Duration.ZERO);
	}

	/**
	 * The namespace of a request, or {@code null} when it may not use the cache ({@link Isolation#USER}
	 * and no {@code user} field). A user namespace hashes the user id, so it never appears in a key.
	 */
	public @Nullable String namespace(String team, JsonNode request) {
		return switch (this.isolation) {
			case TEAM -> team;
			case SHARED -> "*";
			case USER -> {
				String user = request.path("user").asString("");
				yield user.isBlank() ? null
						: team + "/" + Hashes.sha256Hex(user.getBytes(StandardCharsets.UTF_8)).substring(0, 16);
			}
		};
	}

	public CachePolicy {
		if (ttl == null || ttl.isZero() || ttl.isNegative()) {
			throw new IllegalArgumentException("ttl must be positive, was " + ttl);
		}
		if (isolation == null) {
			isolation = Isolation.TEAM;
		}
		if (staleIfError == null) {
			staleIfError = Duration.ZERO;
		}
		if (staleIfError.isNegative()) {
			throw new IllegalArgumentException("staleIfError must not be negative, was " + staleIfError);
		}
		if (maxTemperature < 0) {
			throw new IllegalArgumentException("maxTemperature must be at least 0, was " + maxTemperature);
		}
	}

}
