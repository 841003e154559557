package dev.switchboard.endpoint.compare;

import java.math.BigDecimal;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.HttpHeaders;

import dev.switchboard.core.Attempt;
import dev.switchboard.core.Bill;
import dev.switchboard.core.Headers;
import dev.switchboard.core.Json;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.RouteTarget;
import dev.switchboard.core.Usage;

/**
 * What one leg of a comparison came to, as the answer lists it: the model asked and the one that
 * answered, the message, usage, timings, cost, cache status, or the error in OpenAI's shape.
 *
 * @param leg position in the comparison's {@code models}
 * @param model the model the client named
 * @param status the leg's HTTP status
 * @param completion the leg's {@code chat.completion} (assembled from its chunks for a stream),
 * or {@code null} when it failed
 * @param error the leg's OpenAI {@code error} object, or {@code null} when it succeeded
 * @param exchange the leg's exchange once complete; {@code null} when its model could not be resolved
 * @param cache the leg's {@code x-switchboard-cache} outcome, or {@code null} without the cache
 * @param latencyMillis from the comparison's start to the leg's end
 */
record LegResult(int leg, String model, int status, @Nullable JsonNode completion, @Nullable JsonNode error,
		@Nullable LlmExchange exchange, @Nullable String cache, long latencyMillis) {

	static LegResult of(int leg, String model, int status, HttpHeaders headers, @Nullable JsonNode body,
			@Nullable LlmExchange exchange, long latencyMillis) {
		JsonNode error = (body != null) ? body.get("error") : null;
		boolean ok = status < 400 && body != null && error == null && body.has("choices");
		if (!ok && error == null) {
			error = errorObject(status, "The leg ended without an answer.");
		}
		return new LegResult(leg, model, status, ok ? body : null, ok ? null : error, exchange,
				headers.getFirst(Headers.CACHE), latencyMillis);
	}

	/** A leg still running at the comparison's deadline: cancelled, and said so. */
	static LegResult deadline(int leg, String model, @Nullable LlmExchange exchange, long latencyMillis) {
		ObjectNode error = errorObject(504, "The leg did not finish within the comparison's deadline.");
		error.put("code", "deadline_exceeded");
		return new LegResult(leg, model, 504, null, error, exchange, null, latencyMillis);
	}

	private static ObjectNode errorObject(int status, String message) {
		return Json.object()
			.put("message", message)
			.put("type", (status >= 500) ? LlmApiException.API_ERROR : "invalid_request_error")
			.putNull("param")
			.putNull("code");
	}

	boolean succeeded() {
		return this.completion != null;
	}

	@Nullable Usage usage() {
		return (this.exchange != null) ? this.exchange.usage() : null;
	}

	/** What the leg was billed (a cache hit what the quota charged for it); zero when nothing was. */
	BigDecimal cost() {
		Bill bill = (this.exchange != null) ? this.exchange.bill() : null;
		return (bill != null) ? bill.cost() : BigDecimal.ZERO;
	}

	long completionTokens() {
		Usage usage = usage();
		return (usage != null) ? usage.completionTokens() : 0;
	}

	/** The target that answered: the serving attempt's, or for a cache hit the model it was stored for. */
	private @Nullable RouteTarget servedBy() {
		if (this.exchange == null) {
			return null;
		}
		Attempt served = this.exchange.attempts().serving();
		if (served != null) {
			return served.target();
		}
		boolean hit = this.completion != null && this.cache != null && this.cache.contains("hit");
		return hit ? this.exchange.route().primary() : null;
	}

	ObjectNode toJson() {
		ObjectNode json = Json.object().put("leg", this.leg).put("model", this.model);
		RouteTarget served = servedBy();
		if (served != null) {
			json.put("served_by", served.model().id());
			json.put("provider", served.provider().name());
		}
		else {
			json.putNull("served_by");
			json.putNull("provider");
		}
		json.put("status", this.status);
		JsonNode choice = (this.completion != null) ? this.completion.path("choices").path(0) : null;
		if (choice != null) {
			json.set("message", choice.path("message"));
			json.set("finish_reason", choice.path("finish_reason"));
		}
		else {
			json.putNull("message");
			json.putNull("finish_reason");
		}
		Usage usage = usage();
		if (usage != null) {
			json.set("usage", usage.toOpenAi());
		}
		else {
			json.putNull("usage");
		}
		json.put("latency_ms", this.latencyMillis);
		long firstToken = (this.exchange != null) ? this.exchange.timing().timeToFirstTokenNanos() : 0;
		if (firstToken > 0) {
			json.put("time_to_first_token_ms", TimeUnit.NANOSECONDS.toMillis(firstToken));
		}
		else {
			json.putNull("time_to_first_token_ms");
		}
		json.put("cost_usd", cost());
		if (this.cache != null) {
			json.put("cache", this.cache);
		}
		else {
			json.putNull("cache");
		}
		if (this.error != null) {
			json.set("error", this.error);
		}
		else {
			json.putNull("error");
		}
		return json;
	}

}
