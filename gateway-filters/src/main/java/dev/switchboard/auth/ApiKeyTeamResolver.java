package dev.switchboard.auth;

import java.util.Map;

import reactor.core.publisher.Mono;

import org.springframework.web.server.ServerWebExchange;

import dev.switchboard.core.ClientCredentials;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.Team;

/**
 * The default resolver: the bearer key of an OpenAI client, hashed and looked up among the teams'
 * configured key hashes.
 */
public class ApiKeyTeamResolver implements TeamResolver {

	private final Map<String, Team> teamsByKeyHash;

	/** @param teamsByKeyHash lower-case SHA-256 hex of each client key to its team */
	public ApiKeyTeamResolver(Map<String, Team> teamsByKeyHash) {
		this.teamsByKeyHash = Map.copyOf(teamsByKeyHash);
	}

	@Override
	public Mono<Team> resolve(ServerWebExchange exchange) {
		String key = ClientCredentials.apiKey(exchange.getRequest().getHeaders());
		if (key == null) {
			return Mono.empty();
		}
		Team team = this.teamsByKeyHash.get(ApiKeys.sha256Hex(key));
		return (team != null) ? Mono.just(team) : Mono.error(LlmApiException.invalidKey());
	}

}
