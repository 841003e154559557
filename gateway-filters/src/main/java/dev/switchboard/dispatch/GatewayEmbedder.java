package dev.switchboard.dispatch;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.core.Embedder;
import dev.switchboard.core.Json;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.LlmResponse;
import dev.switchboard.core.Operation;
import dev.switchboard.core.Team;
import dev.switchboard.route.ModelResolver;

/**
 * Embeddings from any embeddings model of the catalog, called through the gateway's own dispatcher:
 * the same provider adapters, keys, failover, retries and circuit breakers as client traffic, with no
 * HTTP hop back into the gateway and no client key. Use it when the in-process model is not wanted
 * (a multilingual or domain model, or no native libraries on the host).
 *
 * <p>The calls run as the {@value #TEAM} team, outside any route, so they are not subject to a
 * route's quotas; they are as many as cache lookups and stores.
 */
public final class GatewayEmbedder implements Embedder {

	/** The team the gateway's own embedding calls run as. */
	public static final String TEAM = "switchboard-cache";

	private final LlmDispatcher dispatcher;

	private final ModelResolver resolver;

	private final String model;

	private final Team team = Team.unrestricted(TEAM);

	/**
	 * @param model a catalog model (id, alias or {@code provider/model}) that can embed
	 * @throws LlmApiException when the catalog has no such embeddings model
	 */
	public GatewayEmbedder(LlmDispatcher dispatcher, ModelResolver resolver, String model) {
		this.dispatcher = dispatcher;
		this.resolver = resolver;
		this.model = model;
		resolver.resolve(model, this.team, Operation.EMBEDDINGS);
	}

	@Override
	public String id() {
		return "gateway:" + this.model;
	}

	@Override
	public Mono<float[]> embed(String text) {
		return Mono.defer(() -> {
			ObjectNode body = Json.object().put("model", this.model).put("input", text);
			LlmExchange exchange = new LlmExchange("embed_" + UUID.randomUUID(), Operation.EMBEDDINGS, this.team, body,
					this.resolver.resolve(this.model, this.team, Operation.EMBEDDINGS));
			AtomicReference<LlmResponse> answer = new AtomicReference<>();
			return this.dispatcher.dispatch(exchange, response -> {
				answer.set(response);
				return Mono.empty();
			}).then(Mono.fromCallable(() -> vector(answer.get())));
		});
	}

	private float[] vector(LlmResponse response) {
		if (response == null || response.isStream() || response.status() / 100 != 2) {
			throw new IllegalStateException("embeddings model '" + this.model + "' answered "
					+ ((response == null) ? "nothing" : "status " + response.status()));
		}
		JsonNode embedding = Json.MAPPER.readTree(response.json()).path("data").path(0).path("embedding");
		if (!embedding.isArray() || embedding.isEmpty()) {
			throw new IllegalStateException("embeddings model '" + this.model + "' answered no embedding");
		}
		float[] vector = new float[embedding.size()];
		for (int i = 0; i < vector.length; i++) {
			vector[i] = (float) embedding.get(i).asDouble();
		}
		return Embedder.normalize(vector);
	}

}
