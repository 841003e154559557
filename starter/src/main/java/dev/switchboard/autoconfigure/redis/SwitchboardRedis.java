package dev.switchboard.autoconfigure.redis;

import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
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
 * The client is made when a capability first asks for it: an application that replaces every Redis
 * backend with its own beans connects to nothing.
 */
public final class SwitchboardRedis implements DisposableBean {

	private final Supplier<RedissonClient> connect;

	private final boolean owned;

	private @Nullable RedissonClient client;

	SwitchboardRedis(Supplier<RedissonClient> connect, boolean owned) {
		this.connect = connect;
		this.owned = owned;
	}

	/** The shared client, connected on the first call; fails start-up, naming what to set, when there is none. */
	public synchronized RedissonClient client() {
		if (this.client == null) {
			this.client = this.connect.get();
		}
		return this.client;
	}

	/** Whether Switchboard made the client (from {@code switchboard.redis}) rather than borrowing the application's. */
	public boolean owned() {
		return this.owned;
	}

	@Override
	public synchronized void destroy() {
		if (this.owned && this.client != null) {
			this.client.shutdown();
		}
	}

}
