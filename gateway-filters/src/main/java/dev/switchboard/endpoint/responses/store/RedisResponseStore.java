package dev.switchboard.endpoint.responses.store;

import java.time.Duration;

import org.redisson.api.RBucket;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.ByteArrayCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.Timers;

/**
 * The store of a fleet: one Redis string per record under {@code <prefix>:{<team>}:<id>} with
 * Redis's own expiry, so any gateway of the fleet continues a conversation another one answered.
 * Every command is bounded by {@code timeout}. A read that fails is the client's 503 (its
 * conversation is there, but cannot be read now: continuing without it would answer another
 * question); a write that fails is logged, and the answer is served all the same.
 */
public final class RedisResponseStore implements ResponseStore {

	private static final Logger log = LoggerFactory.getLogger(RedisResponseStore.class);

	public static final String DEFAULT_PREFIX = "sb:responses";

	private final RedissonClient client;

	private final Duration ttl;

	private final Duration timeout;

	private final String prefix;

	public RedisResponseStore(RedissonClient client, Duration ttl, Duration timeout, String prefix) {
		this.client = client;
		this.ttl = ttl;
		this.timeout = timeout;
		this.prefix = prefix;
	}

	@Override
	public Mono<byte[]> read(String team, String id) {
		return Mono.defer(() -> Mono.fromCompletionStage(bucket(team, id).getAsync()))
			.timeout(Timers.delay(this.timeout))
			.onErrorMap(error -> !(error instanceof LlmApiException), error -> {
				log.warn("Reading response {} of team '{}' failed ({})", id, team, error.toString());
				return unavailable(error);
			});
	}

	@Override
	public Mono<Void> write(String team, String id, byte[] record) {
		return Mono.defer(() -> Mono.fromCompletionStage(bucket(team, id).setAsync(record, this.ttl)))
			.timeout(Timers.delay(this.timeout))
			.onErrorResume(error -> {
				log.warn("Storing response {} of team '{}' failed ({}); it cannot be continued or read back", id, team,
						error.toString());
				return Mono.empty();
			})
			.then();
	}

	@Override
	public Mono<Boolean> delete(String team, String id) {
		return Mono.defer(() -> Mono.fromCompletionStage(bucket(team, id).deleteAsync()))
			.timeout(Timers.delay(this.timeout))
			.onErrorMap(error -> !(error instanceof LlmApiException), error -> {
				log.warn("Deleting response {} of team '{}' failed ({})", id, team, error.toString());
				return unavailable(error);
			});
	}

	private RBucket<byte[]> bucket(String team, String id) {
		return this.client.getBucket(this.prefix + ":{" + team + "}:" + id, ByteArrayCodec.INSTANCE);
	}

	private static LlmApiException unavailable(Throwable cause) {
		return new LlmApiException(503, LlmApiException.SERVER_ERROR, "response_store_unavailable", null,
				"The gateway's response store cannot be reached; try again shortly.", null, cause);
	}

}
