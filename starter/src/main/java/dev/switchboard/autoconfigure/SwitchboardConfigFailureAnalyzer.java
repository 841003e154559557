package dev.switchboard.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

import dev.switchboard.catalog.CatalogException;

/** Prints configuration problems as a to-do list instead of a bean-creation stack trace. */
class SwitchboardConfigFailureAnalyzer extends AbstractFailureAnalyzer<CatalogException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, CatalogException cause) {
		StringBuilder description = new StringBuilder("Switchboard's configuration has ")
			.append(cause.problems().size())
			.append(cause.problems().size() == 1 ? " problem:\n" : " problems:\n");
		cause.problems().forEach(problem -> description.append("\n    ").append(problem));
		return new FailureAnalysis(description.toString(),
				"Fix the properties above (application.yml or environment) and start again.", cause);
	}

}
