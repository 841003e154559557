package dev.switchboard.observe.cost;

import java.util.Map;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import dev.switchboard.core.LlmExchangeListener;

/**
 * Tokens and spend per team and model for the current UTC day and month: what the
 * {@code llmcosts} endpoint shows, fed by every completed exchange. It answers "what did this team
 * spend on which model"; quotas enforce budgets elsewhere.
 *
 * <p>{@link InMemoryCostLedger} counts what one gateway instance served; {@link RedisCostLedger}
 * sums a fleet's on Redis. Recording never fails or delays a request.
 */
public interface CostLedger extends LlmExchangeListener {

	/**
	 * The {@code day} and {@code month} reports, each {@code period} and {@code teams}: team to
	 * model to {@code requests}, {@code prompt_tokens}, {@code completion_tokens}, {@code cost_usd},
	 * sorted by name.
	 * @param team only this team, or every team when {@code null}
	 */
	Mono<Map<String, Object>> report(@Nullable String team);

}
