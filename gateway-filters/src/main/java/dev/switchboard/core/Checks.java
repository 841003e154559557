package dev.switchboard.core;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The checks a request went through (its guardrails, before, beside and after the call), as the
 * exchange carries them for the request log: which check, when, what it decided and how long it
 * took, never the text it checked. Checks beside the call finish on another thread than the
 * request's, hence a concurrent list.
 */
public final class Checks {

	/**
	 * @param name the check's name (a guardrail's)
	 * @param stage when it ran: {@code pre}, {@code during} or {@code post}
	 * @param outcome {@code allowed}, {@code masked}, {@code denied}, {@code timeout} or {@code error}
	 * @param nanos how long it took
	 */
	public record Check(String name, String stage, String outcome, long nanos) {
	}

	private final List<Check> checks = new CopyOnWriteArrayList<>();

	public void add(Check check) {
		this.checks.add(check);
	}

	public List<Check> all() {
		return List.copyOf(this.checks);
	}

}
