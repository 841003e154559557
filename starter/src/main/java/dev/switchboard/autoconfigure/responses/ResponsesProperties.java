package dev.switchboard.autoconfigure.responses;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

import dev.switchboard.endpoint.responses.store.RedisResponseStore;

/**
 * The OpenAI Responses API door ({@code POST /v1/responses}). Values are checked at start-up;
 * every problem is reported with the property to fix.
 *
 * @param store Stored responses: previous_response_id, GET and DELETE /v1/responses/{id}
 */
@ConfigurationProperties("switchboard.responses")
public record ResponsesProperties(@DefaultValue Store store) {

	/**
	 * Stored responses, kept per team: each team reads, continues and deletes only its own.
	 *
	 * @param enabled Whether responses are kept (unless a request says "store": false, as OpenAI
	 * keeps them by default); off, the door is stateless and answers "store": false, and what needs
	 * a stored response is a 400 saying so
	 * @param backend Where responses live: memory (this gateway only) or redis (shared by a fleet,
	 * on switchboard.redis); unset, redis when switchboard.quota.backend is redis, else memory
	 * @param ttl How long a response can be read or continued after it was answered
	 * @param maxSize Most bytes the memory backend keeps, all teams together; the oldest responses
	 * leave first, and one larger than this is not kept (the redis backend is bounded by the TTL and
	 * Redis's maxmemory policy)
	 * @param redis Redis settings of the redis backend
	 */
	public record Store(@DefaultValue("false") boolean enabled, @Nullable Backend backend,
			@DefaultValue("24h") Duration ttl, @DefaultValue("64MB") DataSize maxSize, @DefaultValue Redis redis) {
	}

	/**
	 * @param timeout Longest a read, write or delete may take; a read that takes longer is the
	 * client's 503, a write that does is logged and the answer served anyway
	 * @param keyPrefix First segment of the keys: {@code <prefix>:{team}:<response id>}
	 */
	public record Redis(@DefaultValue("250ms") Duration timeout,
			@DefaultValue(RedisResponseStore.DEFAULT_PREFIX) String keyPrefix) {
	}

	public enum Backend {

		MEMORY, REDIS

	}

	/** Every problem of the store's settings, each naming its property. */
	List<String> problems() {
		List<String> problems = new ArrayList<>();
		Store store = this.store;
		if (store.ttl().isZero() || store.ttl().isNegative()) {
			problems.add("switchboard.responses.store.ttl: must be positive, was " + store.ttl());
		}
		if (store.maxSize().toBytes() < 1) {
			problems.add("switchboard.responses.store.max-size: must be positive, was " + store.maxSize());
		}
		if (store.redis().timeout().isZero() || store.redis().timeout().isNegative()) {
			problems.add("switchboard.responses.store.redis.timeout: must be positive, was " + store.redis().timeout());
		}
		if (store.redis().keyPrefix().isBlank()) {
			problems.add("switchboard.responses.store.redis.key-prefix: must not be blank");
		}
		return problems;
	}

}
