package dev.switchboard.core;

/**
 * The OpenAI operations the gateway serves; names follow the OpenTelemetry GenAI
 * {@code gen_ai.operation.name} values where one exists.
 */
public enum Operation {

	CHAT("chat"), EMBEDDINGS("embeddings"), LIST_MODELS("list_models"), GET_MODEL("get_model"),

	/**
	 * Counting a prompt's input tokens (Anthropic's {@code /v1/messages/count_tokens}): routed like a
	 * chat request, to the provider's own count where it has one, but generates nothing and is
	 * neither billed nor cached.
	 */
	COUNT_TOKENS("count_tokens");

	private final String otelName;

	Operation(String otelName) {
		this.otelName = otelName;
	}

	public String otelName() {
		return this.otelName;
	}

	/** Whether this operation is routed to a model's targets (and so metered). */
	public boolean callsProvider() {
		return this == CHAT || this == EMBEDDINGS || this == COUNT_TOKENS;
	}

	/** Whether this operation generates tokens someone pays for (and so is reserved, charged and cached). */
	public boolean billed() {
		return this == CHAT || this == EMBEDDINGS;
	}

}
