package dev.switchboard.live;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.switchboard.core.ConfigSnapshot;
import dev.switchboard.core.ConfigSnapshots;

/**
 * The live configuration: the current {@link ConfigSnapshot}, the versions before it, and the last
 * candidate that was refused.
 *
 * <p>A candidate has been validated before it gets here (by the same checks as start-up); an
 * invalid one is only {@linkplain #reject recorded}, so the gateway keeps serving the last good
 * version. A valid one is swapped in with one volatile write: requests that started before keep the
 * snapshot they are bound to, requests that start after get the new one, and nothing in between
 * sees half of each. Changes are serialized (two refreshes at once apply one after the other), and
 * a candidate with the current content changes nothing. {@link Listener Listeners} hear of every
 * change after the swap: they carry state over (breakers, statistics of targets that still exist),
 * count and log it.
 */
public final class LiveConfig implements ConfigSnapshots {

	private static final Logger log = LoggerFactory.getLogger(LiveConfig.class);

	/** What a listener hears; a listener that throws is logged and the others still hear. */
	public interface Listener {

		/** A new version is current; {@code previous} is the one it replaced. */
		default void applied(Change change) {
		}

		/** A candidate was refused; the current version stays. */
		default void rejected(Rejection rejection) {
		}

	}

	/**
	 * One change of version.
	 * @param previous the version replaced
	 * @param current the version now serving
	 * @param summary what changed, by name
	 */
	public record Change(ConfigSnapshot previous, ConfigSnapshot current, ChangeSummary summary) {
	}

	/**
	 * A refused candidate.
	 * @param at when
	 * @param source where it came from ({@code refresh}, {@code file:...})
	 * @param problems what to fix, one line each, in the words of start-up validation
	 */
	public record Rejection(Instant at, String source, List<String> problems) {

		public Rejection {
			problems = List.copyOf(problems);
		}

	}

	/**
	 * A version in the history.
	 * @param snapshot the version
	 * @param summary what it changed from the version before it (everything, for the first)
	 */
	public record Version(ConfigSnapshot snapshot, ChangeSummary summary) {
	}

	private final int historySize;

	private final Clock clock;

	private final List<Listener> listeners = new CopyOnWriteArrayList<>();

	private final Deque<Version> history = new ArrayDeque<>();

	private volatile ConfigSnapshot current;

	private volatile @Nullable Rejection lastRejection;

	/** @param historySize how many versions are kept for the endpoint and for rollback, the current one included */
	public LiveConfig(ConfigSnapshot initial, int historySize, Clock clock) {
		if (historySize < 2) {
			throw new IllegalArgumentException("historySize must be at least 2 (the current and one to go back to), was "
					+ historySize);
		}
		this.historySize = historySize;
		this.clock = clock;
		this.current = initial;
		this.history.addFirst(new Version(initial, ChangeSummary.between(null, initial)));
	}

	public LiveConfig(ConfigSnapshot initial) {
		this(initial, 10, Clock.systemUTC());
	}

	@Override
	public ConfigSnapshot current() {
		return this.current;
	}

	public void addListener(Listener listener) {
		this.listeners.add(listener);
	}

	/**
	 * Makes a validated candidate current, unless it has the current content.
	 * @return the change, or {@code null} when the candidate changes nothing
	 */
	public synchronized @Nullable Change apply(ConfigSnapshot candidate) {
		ConfigSnapshot previous = this.current;
		if (previous.version().equals(candidate.version())) {
			return null;
		}
		return install(previous, candidate);
	}

	/** Records a refused candidate: the current version stays. */
	public void reject(String source, List<String> problems) {
		Rejection rejection = new Rejection(this.clock.instant(), source, problems);
		this.lastRejection = rejection;
		log.warn("Switchboard configuration from {} refused; still serving version {}: {}", source,
				this.current.version(), String.join("; ", problems));
		for (Listener listener : this.listeners) {
			try {
				listener.rejected(rejection);
			}
			catch (RuntimeException ex) {
				log.warn("A configuration listener failed on a rejection", ex);
			}
		}
	}

	/**
	 * Goes back to an earlier version of the history, as it was.
	 * @param version the version id, as listed by {@link #history()}
	 * @return the change
	 * @throws IllegalArgumentException when the history has no such version, or it is the current one
	 */
	public synchronized Change rollback(String version) {
		ConfigSnapshot previous = this.current;
		if (previous.version().equals(version)) {
			throw new IllegalArgumentException("Version " + version + " is the current one: nothing to roll back");
		}
		ConfigSnapshot target = this.history.stream()
			.map(Version::snapshot)
			.filter(snapshot -> snapshot.version().equals(version))
			.findFirst()
			.orElseThrow(() -> new IllegalArgumentException("No version " + version + " in the last "
					+ this.history.size() + " versions: " + versions()));
		return install(previous, target.from("rollback", this.clock.instant()));
	}

	/** The versions kept, newest (the current one) first. */
	public synchronized List<Version> history() {
		return List.copyOf(this.history);
	}

	public @Nullable Rejection lastRejection() {
		return this.lastRejection;
	}

	private Change install(ConfigSnapshot previous, ConfigSnapshot next) {
		ChangeSummary summary = ChangeSummary.between(previous, next);
		this.current = next;
		this.history.addFirst(new Version(next, summary));
		while (this.history.size() > this.historySize) {
			this.history.removeLast();
		}
		Change change = new Change(previous, next, summary);
		log.info("Switchboard configuration version {} (from {}) replaces {}: {}", next.version(), next.source(),
				previous.version(), summary);
		for (Listener listener : this.listeners) {
			try {
				listener.applied(change);
			}
			catch (RuntimeException ex) {
				log.warn("A configuration listener failed on version {}", next.version(), ex);
			}
		}
		return change;
	}

	private List<String> versions() {
		List<String> versions = new ArrayList<>();
		this.history.forEach(version -> versions.add(version.snapshot().version()));
		return versions;
	}

}
