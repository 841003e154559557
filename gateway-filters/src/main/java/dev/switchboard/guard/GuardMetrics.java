package dev.switchboard.guard;

/**
 * What the guard tells metrics: one call per guardrail check, never the text checked. The
 * starter's implementation counts checks by guardrail and outcome and times them.
 */
public interface GuardMetrics {

	GuardMetrics NONE = (guardrail, outcome, nanos) -> {
	};

	/**
	 * @param outcome {@code allowed}, {@code masked}, {@code denied}, {@code timeout} or {@code error}
	 */
	void checked(String guardrail, String outcome, long nanos);

}
