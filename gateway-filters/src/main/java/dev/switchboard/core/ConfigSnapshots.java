package dev.switchboard.core;

/**
 * Where the current {@link ConfigSnapshot} comes from: a fixed one, or the live configuration that
 * swaps in new versions as the settings change.
 */
@FunctionalInterface
public interface ConfigSnapshots {

	/** The snapshot a request starting now binds to; never {@code null}. */
	ConfigSnapshot current();

	/** Always the same snapshot: the configuration of a gateway whose settings never change live. */
	static ConfigSnapshots fixed(ConfigSnapshot snapshot) {
		return () -> snapshot;
	}

}
