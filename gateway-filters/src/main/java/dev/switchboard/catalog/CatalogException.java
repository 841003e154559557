package dev.switchboard.catalog;

import java.util.List;

/**
 * The configuration cannot serve traffic; thrown at start-up with every problem found, each
 * naming the property to fix, so an operator fixes them in one pass rather than one restart each.
 */
public class CatalogException extends IllegalStateException {

	private final List<String> problems;

	public CatalogException(List<String> problems) {
		super("Invalid Switchboard configuration:\n  - " + String.join("\n  - ", problems));
		this.problems = List.copyOf(problems);
	}

	public List<String> problems() {
		return this.problems;
	}

}
