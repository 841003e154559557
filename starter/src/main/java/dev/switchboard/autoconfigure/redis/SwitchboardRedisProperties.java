package dev.switchboard.autoconfigure.redis;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The one Redis connection that quotas, the cache and the cost ledger share when they are on Redis
 * ({@code switchboard.quota.backend}, {@code switchboard.cache.backend},
 * {@code switchboard.observability.costs.backend}). Give one of address, cluster-nodes,
 * sentinel-nodes or config; with none, the application's {@code RedissonClient} bean is used. Each
 * capability keeps its own wait and key prefix ({@code switchboard.quota.redis.*},
 * {@code switchboard.cache.redis.*}).
 *
 * @param address Standalone server, e.g. redis://localhost:6379 (rediss:// for TLS)
 * @param clusterNodes Redis Cluster seed nodes, e.g. [redis://10.0.0.1:6379, redis://10.0.0.2:6379]
 * @param sentinelMaster Master name of a Sentinel setup
 * @param sentinelNodes Sentinel nodes, e.g. [redis://10.0.0.1:26379]
 * @param username Redis ACL user
 * @param password Redis password; use a placeholder such as ${REDIS_PASSWORD}
 * @param database Database number (standalone and Sentinel)
 * @param config A Redisson YAML file for anything else (TLS stores, pools, NAT maps); replaces the
 * other connection settings
 * @param timeout Redisson's own command timeout, raised to the longest wait of a capability on
 * Redis (switchboard.quota.redis.timeout, switchboard.cache.redis.timeout), whose own wait applies
 * first
 * @param connectTimeout TCP connect timeout to Redis
 */
@ConfigurationProperties("switchboard.redis")
@Validated
public record SwitchboardRedisProperties(@Nullable String address, List<String> clusterNodes,
		@Nullable String sentinelMaster, List<String> sentinelNodes, @Nullable String username,
		@Nullable String password, @DefaultValue("0") int database, @Nullable Path config,
		@DefaultValue("500ms") Duration timeout, @DefaultValue("1s") Duration connectTimeout) {

	public SwitchboardRedisProperties {
		clusterNodes = (clusterNodes != null) ? clusterNodes : List.of();
		sentinelNodes = (sentinelNodes != null) ? sentinelNodes : List.of();
	}

	/** Whether a connection is configured here, rather than left to the application's client. */
	boolean configured() {
		return (this.address != null && !this.address.isBlank()) || !this.clusterNodes.isEmpty()
				|| !this.sentinelNodes.isEmpty() || this.config != null;
	}

	@Override
	public String toString() {
		return "SwitchboardRedisProperties{address=" + this.address + ", clusterNodes=" + this.clusterNodes
				+ ", password=" + ((this.password == null) ? "none" : "******") + "}";
	}

}
