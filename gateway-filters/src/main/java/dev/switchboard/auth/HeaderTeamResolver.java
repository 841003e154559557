package dev.switchboard.auth;

import java.util.Map;

import reactor.core.publisher.Mono;

import org.springframework.web.server.ServerWebExchange;

import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.Team;

/**
 * Takes the team from a header that an earlier filter of the same gateway has set after its own
 * authentication (OAuth2 resource server, mTLS). Only safe when that filter always overwrites the
 * header: a client could otherwise name any team. Unknown team names are rejected, so a typo in
 * the upstream filter fails loudly instead of creating a new tenant.
 */
public class HeaderTeamResolver implements TeamResolver {

	private final String header;

	private final Map<String, Team> teams;

	public HeaderTeamResolver(String header, Map<String, Team> teams) {
		this.header = header;
		this.teams = Map.copyOf(teams);
	}

	@Override
	public Mono<Team> resolve(ServerWebExchange exchange) {
		String name = exchange.getRequest().getHeaders().getFirst(this.header);
		if (name == null || name.isBlank()) {
			return Mono.empty();
		}
		Team team = this.teams.get(name.trim());
		return (team != null) ? Mono.just(team) : Mono.error(LlmApiException.invalidKey());
	}

}
