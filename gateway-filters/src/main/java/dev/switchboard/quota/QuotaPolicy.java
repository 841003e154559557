package dev.switchboard.quota;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;

import dev.switchboard.core.ClientCredentials;
import dev.switchboard.core.Hashes;

/**
 * Every limit the gateway enforces, resolved from configuration once: defaults, per-team
 * overrides, optional per-model limits, and an optional second layer per client.
 *
 * @param defaults limits of every team that does not override them
 * @param teams per-team limits, each merged over {@code defaults} (see {@link LimitSet#over})
 * @param defaultModelLimits per-model limits of every team, by catalog model id
 * @param teamModelLimits per-team, per-model limits, by team then catalog model id; merged over
 * {@code defaultModelLimits}
 * @param clientLayer limits per client within a team, or {@code null} for none
 * @param completionReservation tokens reserved for the completion when a request sets no
 * {@code max_tokens}/{@code max_completion_tokens}; also the step by which a stream that outgrows
 * its reservation extends it
 */
public record QuotaPolicy(LimitSet defaults, Map<String, LimitSet> teams, Map<String, LimitSet> defaultModelLimits,
		Map<String, Map<String, LimitSet>> teamModelLimits, @Nullable ClientLayer clientLayer,
		long completionReservation) {

	/** Default of {@link #completionReservation()}. */
	public static final long DEFAULT_COMPLETION_RESERVATION = 1024;

	public QuotaPolicy {
		teams = Map.copyOf(teams);
		defaultModelLimits = Map.copyOf(defaultModelLimits);
		Map<String, Map<String, LimitSet>> copy = new LinkedHashMap<>();
		teamModelLimits.forEach((team, models) -> copy.put(team, Map.copyOf(models)));
		teamModelLimits = Map.copyOf(copy);
		if (completionReservation < 1) {
			throw new IllegalArgumentException("completionReservation must be positive");
		}
	}

	/** A policy with the same limits for every team. */
	public static QuotaPolicy uniform(LimitSet limits) {
		return new QuotaPolicy(limits, Map.of(), Map.of(), Map.of(), null, DEFAULT_COMPLETION_RESERVATION);
	}

	public LimitSet team(String team) {
		LimitSet own = this.teams.get(team);
		return (own != null) ? own.over(this.defaults) : this.defaults;
	}

	/** The limits of one model for one team; {@link LimitSet#NONE} when neither level sets any. */
	public LimitSet model(String team, String modelId) {
		LimitSet base = this.defaultModelLimits.getOrDefault(modelId, LimitSet.NONE);
		Map<String, LimitSet> own = this.teamModelLimits.get(team);
		LimitSet specific = (own != null) ? own.get(modelId) : null;
		return (specific != null) ? specific.over(base) : base;
	}

	public QuotaPolicy withClientLayer(ClientLayer layer) {
		return new QuotaPolicy(this.defaults, this.teams, this.defaultModelLimits, this.teamModelLimits, layer,
				this.completionReservation);
	}

	public QuotaPolicy withCompletionReservation(long tokens) {
		return new QuotaPolicy(this.defaults, this.teams, this.defaultModelLimits, this.teamModelLimits,
				this.clientLayer, tokens);
	}

	/**
	 * A second layer of limits inside a team, one set per client: the hash of the bearer key, or
	 * the value of a header naming the end user (set by a trusted filter or the client app).
	 *
	 * @param source where the client identity comes from
	 * @param header the header, for {@link Source#HEADER}
	 * @param limits the limits of each client
	 */
	public record ClientLayer(Source source, @Nullable String header, LimitSet limits) {

		/** Where a client's identity comes from. */
		public enum Source {
			KEY, HEADER
		}

		/**
		 * The client within the team that these request headers name: a short hash of the bearer
		 * key or of the header's value, never the key or the value itself (it becomes part of a
		 * store key and of the quota report). {@code null} when the request names none.
		 */
		public @Nullable String clientOf(HttpHeaders headers) {
			String identity = (this.source == Source.KEY) ? ClientCredentials.apiKey(headers)
					: (this.header != null) ? headers.getFirst(this.header) : null;
			return (identity == null || identity.isBlank()) ? null
					: Hashes.sha256Hex(identity.trim().getBytes(StandardCharsets.UTF_8)).substring(0, 16);
		}

	}

}
