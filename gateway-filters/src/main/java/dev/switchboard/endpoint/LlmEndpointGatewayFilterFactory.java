package dev.switchboard.endpoint;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.OrderedGatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.cloud.gateway.support.GatewayToStringStyler;
import org.springframework.util.unit.DataSize;

import dev.switchboard.auth.TeamResolver;

/**
 * {@code LlmEndpoint}: turns a route into an OpenAI-compatible LLM endpoint.
 *
 * <pre>
 * filters:
 *   - LlmEndpoint                      # defaults from switchboard.*
 *   - LlmEndpoint=2MB                  # shortcut: max-body-size
 *   - name: LlmEndpoint                # named args
 *     args:
 *       max-body-size: 2MB
 *       team-resolver: "#{&#64;jwtTeamResolver}"
 * </pre>
 *
 * Ordered ahead of every other Switchboard filter, whatever the YAML order, because they all read
 * the {@link dev.switchboard.core.LlmExchange} it creates.
 */
public class LlmEndpointGatewayFilterFactory extends AbstractGatewayFilterFactory<LlmEndpointGatewayFilterFactory.Config> {

	/** Before Switchboard's other filters and the position-ordered filters of the route. */
	public static final int ORDER = -1000;

	private final LlmEndpoint endpoint;

	private final TeamResolver defaultTeamResolver;

	private final DataSize defaultMaxBodySize;

	public LlmEndpointGatewayFilterFactory(LlmEndpoint endpoint, TeamResolver defaultTeamResolver,
			DataSize defaultMaxBodySize) {
		super(Config.class);
		if (defaultMaxBodySize.toBytes() <= 0) {
			throw new IllegalArgumentException("switchboard.max-body-size must be positive, got " + defaultMaxBodySize);
		}
		this.endpoint = endpoint;
		this.defaultTeamResolver = defaultTeamResolver;
		this.defaultMaxBodySize = defaultMaxBodySize;
	}

	/** The resolver of routes that do not name one. */
	public TeamResolver getDefaultTeamResolver() {
		return this.defaultTeamResolver;
	}

	@Override
	public List<String> shortcutFieldOrder() {
		return List.of("maxBodySize");
	}

	@Override
	public GatewayFilter apply(Config config) {
		config.validate();
		DataSize maxBodySize = (config.getMaxBodySize() != null) ? config.getMaxBodySize() : this.defaultMaxBodySize;
		TeamResolver teams = (config.getTeamResolver() != null) ? config.getTeamResolver() : this.defaultTeamResolver;
		long maxBytes = maxBodySize.toBytes();
		return new OrderedGatewayFilter((exchange, chain) -> this.endpoint.handle(exchange, chain, teams, maxBytes),
				ORDER) {
			@Override
			public String toString() {
				return GatewayToStringStyler.filterToStringCreator(LlmEndpointGatewayFilterFactory.this)
					.append("maxBodySize", maxBodySize)
					.append("teamResolver", teams.getClass().getSimpleName())
					.toString();
			}
		};
	}

	public static class Config {

		private @Nullable DataSize maxBodySize;

		private @Nullable TeamResolver teamResolver;

		public @Nullable DataSize getMaxBodySize() {
			return this.maxBodySize;
		}

		public Config setMaxBodySize(DataSize maxBodySize) {
			this.maxBodySize = maxBodySize;
			return this;
		}

		public @Nullable TeamResolver getTeamResolver() {
			return this.teamResolver;
		}

		public Config setTeamResolver(TeamResolver teamResolver) {
			this.teamResolver = teamResolver;
			return this;
		}

		/** Fails the route with a message that names the argument to fix. */
		public void validate() {
			if (this.maxBodySize != null && this.maxBodySize.toBytes() <= 0) {
				throw new IllegalArgumentException("LlmEndpoint max-body-size must be positive, got " + this.maxBodySize);
			}
		}

	}

}
