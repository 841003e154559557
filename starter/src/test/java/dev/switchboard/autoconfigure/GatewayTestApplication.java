package dev.switchboard.autoconfigure;

import reactor.core.publisher.Mono;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
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

	/**
	 * A gateway of this application under a test profile, on a free port, for tests that start
	 * several or stop one themselves. {@code properties} are default properties: the profile's own
	 * settings win over them, command-line arguments over both.
	 */
	static ConfigurableApplicationContext start(String profile, String... properties) {
		return new SpringApplicationBuilder(GatewayTestApplication.class).profiles(profile)
			.properties("server.port=0", "spring.main.banner-mode=off")
			.properties(properties)
			.run();
	}

	static int port(ConfigurableApplicationContext gateway) {
		return Integer.parseInt(gateway.getEnvironment().getProperty("local.server.port"));
	}

	/** The management port of a gateway started with {@code management.server.port=0}. */
	static int managementPort(ConfigurableApplicationContext gateway) {
		return Integer.parseInt(gateway.getEnvironment().getProperty("local.management.port"));
	}

	/** A platform's own resolver, named on one route: the team comes from a trusted header. */
	@Bean
	TeamResolver partnerTeamResolver() {
		return exchange -> Mono.justOrEmpty(exchange.getRequest().getHeaders().getFirst("X-Partner"))
			.map(partner -> Team.unrestricted("partner-" + partner));
	}

}
