package dev.switchboard.auth;

import reactor.core.publisher.Mono;

import org.springframework.web.server.ServerWebExchange;

import dev.switchboard.core.Team;

/**
 * Finds the team a request belongs to, in the spirit of Spring Cloud Gateway's {@code KeyResolver}.
 *
 * <p>Declare a bean and name it on a route ({@code team-resolver: "#{@jwtTeamResolver}"}) to take the
 * team from a JWT claim, an mTLS subject or a header set by an earlier authentication filter. An
 * empty result means "no credentials" (401); an error of type
 * {@link dev.switchboard.core.LlmApiException} is answered as is.
 */
@FunctionalInterface
public interface TeamResolver {

	Mono<Team> resolve(ServerWebExchange exchange);

}
