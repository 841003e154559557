package dev.switchboard.autoconfigure.redis;

import org.redisson.api.RedissonClient;

import org.springframework.beans.factory.DisposableBean;

/**
 * The Redis client Switchboard's capabilities share: one connection pool, one set of cluster,
 * Sentinel or TLS settings, however many capabilities are on Redis. Either made from
 * {@code switchboard.redis} (then owned here and shut down with the context) or the application's
 * own {@code RedissonClient} (left to the application).
 *
 * <p>Capabilities ask for this bean, never for each other's backends, so the cache does not need
 * quotas to be on Redis to reach it and turning one capability off changes nothing for the others.
 */
public final class SwitchboardRedis implements DisposableBean {

	private final RedissonClient client;

	private final boolean owned;

	SwitchboardRedis(RedissonClient client, boolean owned) {
		this.client = client;
		this.owned = owned;
	}

	public RedissonClient client() {
		return this.client;
	}

	/** Whether Switchboard made the client (from {@code switchboard.redis}) rather than borrowing the application's. */
	public boolean owned() {
		return this.owned;
	}

	@Override
	public void destroy() {
		if (this.owned) {
			this.client.shutdown();
		}
	}

}
