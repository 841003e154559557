package dev.switchboard.quota;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * How long a request over its team's limits may wait for them to refill instead of getting an
 * instant 429, per team: {@link #defaults()} for every team, {@link #teams()} for those that set
 * their own. Off ({@link Queue#OFF}) unless configured.
 *
 * @param defaults the queue of every team that does not set its own
 * @param teams per-team queues, already merged over the defaults
 */
public record QueuePolicy(Queue defaults, Map<String, Queue> teams) {

	/** No team waits. */
	public static final QueuePolicy OFF = new QueuePolicy(Queue.OFF, Map.of());

	public QueuePolicy {
		teams = Map.copyOf(teams);
	}

	/** One queue for every team. */
	public static QueuePolicy uniform(Queue queue) {
		return new QueuePolicy(queue, Map.of());
	}

	public Queue team(String team) {
		return this.teams.getOrDefault(team, this.defaults);
	}

	/** Whether any team waits at all. */
	public boolean enabled() {
		return this.defaults.enabled() || this.teams.values().stream().anyMatch(Queue::enabled);
	}

	/**
	 * One team's queue.
	 *
	 * @param maxWait longest a request waits for its limits; {@link Duration#ZERO} turns the queue
	 * off. A request whose wait would be longer gets its 429 at once, not after waiting in vain.
	 * @param maxLength most requests of the team waiting at once (per model and client); one more
	 * gets a 429 at once
	 * @param priority the class of the team's requests
	 * @param priorityHeader whether the team's requests may choose their class with the
	 * {@code x-switchboard-priority} header
	 */
	public record Queue(Duration maxWait, int maxLength, Priority priority, boolean priorityHeader) {

		/** No waiting: the instant 429. */
		public static final Queue OFF = new Queue(Duration.ZERO, 0, Priority.NORMAL, false);

		public Queue {
			if (maxWait.isNegative()) {
				throw new IllegalArgumentException("max-wait must not be negative, got " + maxWait);
			}
			if (maxLength < 0) {
				throw new IllegalArgumentException("max-length must not be negative, got " + maxLength);
			}
			if (!maxWait.isZero() && maxLength == 0) {
				throw new IllegalArgumentException("max-length must be at least 1 when max-wait is set (" + maxWait
						+ "); set max-wait to 0 to turn the queue off");
			}
		}

		public boolean enabled() {
			return !this.maxWait.isZero();
		}

	}

	/**
	 * Classes of waiting requests: a higher class is served first, but every class ages (a request
	 * that has waited a quarter of its team's {@code max-wait} counts as one class higher, half of
	 * it two classes), so a stream of high-priority requests delays lower ones without starving
	 * them. Lanes are per team, so classes order a team's own requests: its default class against
	 * those that choose another with the header.
	 */
	public enum Priority {

		LOW, NORMAL, HIGH;

		/** The class a header value names ({@code low}, {@code normal}, {@code high}), or {@code null}. */
		public static @Nullable Priority of(@Nullable String value) {
			if (value == null) {
				return null;
			}
			return switch (value.trim().toLowerCase(Locale.ROOT)) {
				case "low" -> LOW;
				case "normal" -> NORMAL;
				case "high" -> HIGH;
				default -> null;
			};
		}

	}

}
