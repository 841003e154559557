package dev.switchboard.autoconfigure;

import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

import dev.switchboard.auth.TeamResolver;
import dev.switchboard.core.Team;

/** The smallest gateway application: the starter, plus one custom team resolver for a route. */
@SpringBootApplication
public class GatewayTestApplication {

	/** A platform's own resolver, named on one route: the team comes from a trusted header. */
	@Bean
	TeamResolver partnerTeamResolver() {
		return exchange -> Mono.justOrEmpty(exchange.getRequest().getHeaders().getFirst("X-Partner"))
			.map(partner -> Team.unrestricted("partner-" + partner));
	}

}
