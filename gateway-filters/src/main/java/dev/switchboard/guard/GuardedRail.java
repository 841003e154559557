package dev.switchboard.guard;

import java.time.Duration;
import java.util.Set;

/**
 * A guardrail as the service runs it: with its timeout, what happens when it fails, the stages it
 * runs in and whom it applies to.
 *
 * @param guardrail the check
 * @param timeout longest the check may take before its fail mode applies
 * @param failClosed whether a check that fails or times out refuses the request (a 503 the client
 * may retry) rather than letting it pass unchecked
 * @param stages when it runs
 * @param teams the teams it applies to; empty for every team
 * @param models the models (as clients name them) it applies to; empty for every model
 * @param streamWindow on a stream, how many characters of answer text are held back for each of
 * its answer checks: {@link #WHOLE_ANSWER} (the default) holds the whole answer, so nothing leaves
 * before the last word was checked; fewer release the answer in windows, each checked with all
 * text before it, so the first words leave sooner. A stream under several answer checks is held
 * by the smallest window among them.
 */
public record GuardedRail(Guardrail guardrail, Duration timeout, boolean failClosed, Set<Stage> stages,
		Set<String> teams, Set<String> models, int streamWindow) {

	public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

	/** The most a stream holds back: "until the end" up to this much text, then window by window. */
	public static final int WHOLE_ANSWER = 1 << 20;

	public GuardedRail {
		stages = Set.copyOf(stages);
		teams = Set.copyOf(teams);
		models = Set.copyOf(models);
		if (stages.isEmpty()) {
			throw new IllegalArgumentException("stages: name at least one of pre, during, post");
		}
		if (streamWindow < 1 || streamWindow > WHOLE_ANSWER) {
			throw new IllegalArgumentException("stream-window: must be 'end' or from 1 to " + WHOLE_ANSWER
					+ " characters, was " + streamWindow);
		}
	}

	/** In the guardrail's own stages, for every team and model. */
	public GuardedRail(Guardrail guardrail, Duration timeout, boolean failClosed) {
		this(guardrail, timeout, failClosed, guardrail.stages(), Set.of(), Set.of(), WHOLE_ANSWER);
	}

	public String name() {
		return this.guardrail.name();
	}

	/** Whether it runs in {@code stage} for this team and model. */
	public boolean appliesTo(Stage stage, String team, String model) {
		return this.stages.contains(stage) && (this.teams.isEmpty() || this.teams.contains(team))
				&& (this.models.isEmpty() || this.models.contains(model));
	}

}
