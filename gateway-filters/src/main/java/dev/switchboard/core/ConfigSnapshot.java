package dev.switchboard.core;

import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;

import org.springframework.web.server.ServerWebExchange;

/**
 * One immutable version of the configuration that routes traffic: the catalog and its pools, the
 * teams, and each capability's policy (quotas, cache, failover), held as typed parts so that the
 * core does not need to know them (a capability asks for its own: {@code part(QuotaPolicy.class)}).
 *
 * <p>A request binds to the snapshot current when it reaches {@code LlmEndpoint} and finishes on it,
 * streams included: every filter reads the parts of the request's snapshot, never the newest one.
 * The {@link #version() version} is a hash of the configuration's content, so two gateways with the
 * same settings report the same version, and going back to earlier settings gives the earlier id.
 *
 * @param version a content hash, e.g. {@code 3f9a1c2e7b0d}
 * @param createdAt when this snapshot was built
 * @param source what produced it: {@code start-up}, {@code refresh}, {@code file:<path>}, {@code rollback}
 * @param inventory per section ({@code models}, {@code aliases}, {@code pools}, {@code teams},
 * {@code quotas}...), each named item with a digest of its settings: what a change summary compares.
 * Never a key or a key hash, only digests
 * @param parts the runtime objects, by type
 */
public record ConfigSnapshot(String version, Instant createdAt, String source,
		Map<String, Map<String, String>> inventory, Map<Class<?>, Object> parts) {

	/** The exchange attribute holding the snapshot a request is bound to. */
	public static final String ATTRIBUTE = ConfigSnapshot.class.getName();

	public ConfigSnapshot {
		Map<String, Map<String, String>> sections = new TreeMap<>();
		inventory.forEach((section, items) -> sections.put(section, Collections.unmodifiableMap(new TreeMap<>(items))));
		inventory = Collections.unmodifiableMap(sections);
		parts = Map.copyOf(parts);
	}

	/** The part of this type, or {@code null} when no capability contributed one. */
	public <T> @Nullable T part(Class<T> type) {
		return type.cast(this.parts.get(type));
	}

	/** The part of this type; fails when it is missing, which is a wiring mistake. */
	public <T> T require(Class<T> type) {
		T part = part(type);
		if (part == null) {
			throw new IllegalStateException("The configuration snapshot has no " + type.getSimpleName());
		}
		return part;
	}

	/** The same content under another source (a rollback re-installs an earlier version as it was). */
	public ConfigSnapshot from(String newSource, Instant at) {
		return new ConfigSnapshot(this.version, at, newSource, this.inventory, this.parts);
	}

	/** The snapshot the request is bound to, or {@code null} before {@code LlmEndpoint} bound one. */
	public static @Nullable ConfigSnapshot of(ServerWebExchange exchange) {
		return exchange.getAttribute(ATTRIBUTE);
	}

	/** Collects the parts and inventory of a snapshot being built. */
	public static final class Builder {

		private final Map<Class<?>, Object> parts = new HashMap<>();

		private final Map<String, Map<String, String>> inventory = new TreeMap<>();

		public <T> Builder part(Class<T> type, T part) {
			this.parts.put(type, part);
			return this;
		}

		public <T> @Nullable T part(Class<T> type) {
			return type.cast(this.parts.get(type));
		}

		/** Records an item of a section and a digest of its settings (never a secret itself). */
		public Builder item(String section, String name, String digest) {
			this.inventory.computeIfAbsent(section, s -> new TreeMap<>()).put(name, digest);
			return this;
		}

		/** The items so far, sections and names in order: what a version id is hashed from. */
		public Map<String, Map<String, String>> inventory() {
			return Collections.unmodifiableMap(this.inventory);
		}

		public ConfigSnapshot build(String version, Instant createdAt, String source) {
			return new ConfigSnapshot(version, createdAt, source, this.inventory, this.parts);
		}

	}

}
