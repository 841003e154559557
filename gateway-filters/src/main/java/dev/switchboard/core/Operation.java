package dev.switchboard.core;

/**
 * The OpenAI operations the gateway serves; names follow the OpenTelemetry GenAI
 * {@code gen_ai.operation.name} values where one exists.
 */
public enum Operation {

	CHAT("chat"), EMBEDDINGS("embeddings"), LIST_MODELS("list_models"), GET_MODEL("get_model");

	private final String otelName;

	Operation(String otelName) {
		this.otelName = otelName;
	}

	public String otelName() {
		return this.otelName;
	}

	/** Whether this operation calls a provider (and so is routed, metered and billed). */
	public boolean callsProvider() {
		return this == CHAT || this == EMBEDDINGS;
	}

}
