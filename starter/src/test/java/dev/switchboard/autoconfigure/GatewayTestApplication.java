package dev.switchboard.autoconfigure;

import reactor.core.publisher.Mono;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;

import dev.switchboard.auth.TeamResolver;
import dev.switchboard.core.Team;

/**
 * The smallest gateway application: the starter, plus one custom team resolver for a route.
 *
 * <p>No component scan: it lives in the starter's package, and scanning would pick up the
 * auto-configurations' nested configurations on their own, outside their auto-configuration's
 * conditions, which no application using the starter sees.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class GatewayTestApplication {

	/** A platform's own resolver, named on one route: the team comes from a trusted header. */
	@Bean
	TeamResolver partnerTeamResolver() {
		return exchange -> Mono.justOrEmpty(exchange.getRequest().getHeaders().getFirst("X-Partner"))
			.map(partner -> Team.unrestricted("partner-" + partner));
	}

}
