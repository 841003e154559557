package dev.switchboard.catalog;

import java.util.Locale;

/** What a model can do; used to refuse requests early and, later, to pick targets that can serve them. */
public enum Capability {

	CHAT, TOOLS, VISION, JSON, EMBEDDINGS;

	public static Capability of(String value) {
		return valueOf(value.trim().toUpperCase(Locale.ROOT));
	}

	public String id() {
		return name().toLowerCase(Locale.ROOT);
	}

}
