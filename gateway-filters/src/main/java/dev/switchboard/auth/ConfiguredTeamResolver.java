package dev.switchboard.auth;

import reactor.core.publisher.Mono;

import org.springframework.web.server.ServerWebExchange;

import dev.switchboard.core.ConfigSnapshot;
import dev.switchboard.core.ConfigSnapshots;
import dev.switchboard.core.Team;

/**
 * The teams of {@code switchboard.teams}, as the request's configuration version has them: the
 * resolver of the snapshot the request is bound to ({@link ApiKeyTeamResolver} or
 * {@link HeaderTeamResolver}, its {@code TeamResolver} part). A key added, revoked or moved to
 * another team takes effect with the version that says so, and a request never pairs one version's
 * teams with another's models.
 */
public final class ConfiguredTeamResolver implements TeamResolver {

	private final ConfigSnapshots snapshots;

	/** @param snapshots the current version, for a request not bound to one (it always is behind {@code LlmEndpoint}) */
	public ConfiguredTeamResolver(ConfigSnapshots snapshots) {
		this.snapshots = snapshots;
	}

	@Override
	public Mono<Team> resolve(ServerWebExchange exchange) {
		ConfigSnapshot bound = ConfigSnapshot.of(exchange);
		ConfigSnapshot snapshot = (bound != null) ? bound : this.snapshots.current();
		return snapshot.require(TeamResolver.class).resolve(exchange);
	}

}
