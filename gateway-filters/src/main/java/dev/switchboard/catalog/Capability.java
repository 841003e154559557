package dev.switchboard.catalog;

import java.util.Locale;

/** What a model can do; used to refuse requests early and, later, to pick targets that can serve them. */
public enum Capability {

	CHAT, TOOLS, VISION, JSON, EMBEDDINGS,

	/**
	 * Thinks before it answers and takes a reasoning setting: without it a translating adapter
	 * never sends one (the parameter policy decides what becomes of {@code reasoning_effort}).
	 */
	REASONING;

	public static Capability of(String value) {
		return valueOf(value.trim().toUpperCase(Locale.ROOT));
	}

	public String id() {
		return name().toLowerCase(Locale.ROOT);
	}

}
