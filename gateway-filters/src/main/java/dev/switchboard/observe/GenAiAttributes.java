package dev.switchboard.observe;

import org.jspecify.annotations.Nullable;

import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.LlmExchange;

/**
 * The attribute names of the OpenTelemetry GenAI semantic conventions, and the gateway's own,
 * shared by metrics (as tags), traces (as span attributes) and the request log, so that one
 * request reads the same in all three, and the one error label they all carry.
 */
public final class GenAiAttributes {

	public static final String OPERATION = "gen_ai.operation.name";

	public static final String PROVIDER = "gen_ai.provider.name";

	public static final String REQUEST_MODEL = "gen_ai.request.model";

	public static final String RESPONSE_MODEL = "gen_ai.response.model";

	public static final String TOKEN_TYPE = "gen_ai.token.type";

	public static final String ERROR_TYPE = "error.type";

	public static final String TEAM = "switchboard.team";

	private GenAiAttributes() {
	}

	/**
	 * A bounded error label: the OpenAI error code or type, the Java class otherwise; {@code none}
	 * on success, {@code cancelled} when the client left. Bounded because it becomes a metric tag.
	 */
	public static String errorType(LlmExchange.Completion completion, @Nullable Throwable error) {
		if (completion == LlmExchange.Completion.CANCELLED) {
			return "cancelled";
		}
		if (error == null) {
			return "none";
		}
		if (error instanceof LlmApiException api) {
			return (api.code() != null) ? api.code() : api.type();
		}
		return error.getClass().getSimpleName();
	}

}
