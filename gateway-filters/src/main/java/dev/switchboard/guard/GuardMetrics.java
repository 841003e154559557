package dev.switchboard.guard;

/**
 * What the guard tells metrics: one call per guardrail check, never the text checked. The
 * starter's implementation counts checks by guardrail, stage and outcome and times them.
 */
public interface GuardMetrics {

	GuardMetrics NONE = (guardrail, stage, outcome, nanos) -> {
	};

	/**
	 * @param outcome {@code allowed}, {@code masked}, {@code denied}, {@code timeout} or {@code error}
	 */
	void checked(String guardrail, Stage stage, String outcome, long nanos);

}
