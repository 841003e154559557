package dev.switchboard.dispatch;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import org.jspecify.annotations.Nullable;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.OrderedGatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.cloud.gateway.support.GatewayToStringStyler;

import dev.switchboard.core.LlmExchange;

/**
 * {@code LlmFailover}: this route's own failover policy, over the {@code switchboard.failover}
 * defaults.
 *
 * <pre>
 * filters:
 *   - LlmEndpoint
 *   - LlmFailover=2, 15s            # shortcut: max-attempts, deadline
 *   - name: LlmFailover
 *     args:
 *       max-attempts: 3
 *       retries-per-target: 0
 *       deadline: 20s
 *       triggers: RATE_LIMITED, OVERLOADED, SERVER_ERROR, TIMEOUT, CONNECT_ERROR, CIRCUIT_OPEN
 *       total-timeout: 5m
 * </pre>
 */
public class LlmFailoverGatewayFilterFactory extends AbstractGatewayFilterFactory<LlmFailoverGatewayFilterFactory.Config> {

	/** After {@code LlmEndpoint}, which creates the exchange this filter configures. */
	public static final int ORDER = 300;

	private final FailoverPolicy defaults;

	public LlmFailoverGatewayFilterFactory(FailoverPolicy defaults) {
		super(Config.class);
		this.defaults = defaults;
	}

	@Override
	public List<String> shortcutFieldOrder() {
		return List.of("maxAttempts", "deadline");
	}

	/**
	 * The route's arguments over the defaults of the request's configuration version: checked against
	 * the start-up defaults here (a bad argument fails the route), worked out again only when a new
	 * version brings other defaults.
	 */
	@Override
	public GatewayFilter apply(Config config) {
		FailoverPolicy policy = config.over(this.defaults);
		AtomicReference<FailoverPolicy[]> memo = new AtomicReference<>(new FailoverPolicy[] { this.defaults, policy });
		return new OrderedGatewayFilter((exchange, chain) -> {
			LlmExchange llm = LlmExchange.get(exchange);
			FailoverPolicy defaults = llm.configured(FailoverPolicy.class);
			FailoverPolicy[] known = memo.get();
			if (defaults == null || defaults == known[0]) {
				llm.put(FailoverPolicy.class, known[1]);
			}
			else {
				FailoverPolicy over = config.over(defaults);
				memo.set(new FailoverPolicy[] { defaults, over });
				llm.put(FailoverPolicy.class, over);
			}
			return chain.filter(exchange);
		}, ORDER) {
			@Override
			public String toString() {
				return GatewayToStringStyler.filterToStringCreator(LlmFailoverGatewayFilterFactory.this)
					.append("policy", policy)
					.toString();
			}
		};
	}

	public static class Config {

		private @Nullable Integer maxAttempts;

		private @Nullable Integer retriesPerTarget;

		private @Nullable Duration deadline;

		private @Nullable Set<Trigger> triggers;

		private @Nullable Duration totalTimeout;

		public @Nullable Duration getTotalTimeout() {
			return this.totalTimeout;
		}

		public Config setTotalTimeout(Duration totalTimeout) {
			this.totalTimeout = totalTimeout;
			return this;
		}

		public @Nullable Integer getMaxAttempts() {
			return this.maxAttempts;
		}

		public Config setMaxAttempts(Integer maxAttempts) {
			this.maxAttempts = maxAttempts;
			return this;
		}

		public @Nullable Integer getRetriesPerTarget() {
			return this.retriesPerTarget;
		}

		public Config setRetriesPerTarget(Integer retriesPerTarget) {
			this.retriesPerTarget = retriesPerTarget;
			return this;
		}

		public @Nullable Duration getDeadline() {
			return this.deadline;
		}

		public Config setDeadline(Duration deadline) {
			this.deadline = deadline;
			return this;
		}

		public @Nullable Set<Trigger> getTriggers() {
			return this.triggers;
		}

		public Config setTriggers(Set<Trigger> triggers) {
			this.triggers = triggers.isEmpty() ? EnumSet.noneOf(Trigger.class) : EnumSet.copyOf(triggers);
			return this;
		}

		/**
		 * This route's policy: its own arguments over the defaults. Fails the route with a message
		 * that names the argument to fix; the checks are the policy's own, so a route and
		 * {@code switchboard.failover} are held to the same rules.
		 */
		public FailoverPolicy over(FailoverPolicy defaults) {
			try {
				return new FailoverPolicy((this.maxAttempts != null) ? this.maxAttempts : defaults.maxAttempts(),
						(this.retriesPerTarget != null) ? this.retriesPerTarget : defaults.retriesPerTarget(),
						defaults.initialBackoff(), defaults.maxBackoff(),
						(this.deadline != null) ? this.deadline : defaults.deadline(),
						(this.triggers != null) ? this.triggers : defaults.triggers(),
						(this.totalTimeout != null) ? this.totalTimeout : defaults.totalTimeout());
			}
			catch (IllegalArgumentException ex) {
				throw new IllegalArgumentException("LlmFailover " + ex.getMessage(), ex);
			}
		}

	}

}
