package dev.switchboard.autoconfigure;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;

import dev.switchboard.catalog.CatalogException;
import dev.switchboard.core.ConfigSnapshot;
import dev.switchboard.core.Hashes;

/**
 * The settings a snapshot is being built from, as each {@link SnapshotContributor} sees them: a
 * {@link Binder} over the candidate's property sources (validated like
 * {@code @ConfigurationProperties}), the bound {@code switchboard.*} properties, and the snapshot
 * being filled.
 */
public final class Candidate {

	private final Binder binder;

	private final BindHandler handler;

	private final SwitchboardProperties switchboard;

	private final ConfigSnapshot.Builder snapshot = new ConfigSnapshot.Builder();

	Candidate(Binder binder, BindHandler handler) {
		this.binder = binder;
		this.handler = handler;
		this.switchboard = bind("switchboard", SwitchboardProperties.class);
	}

	/** {@code switchboard.*}, bound and validated. */
	public SwitchboardProperties switchboard() {
		return this.switchboard;
	}

	/**
	 * Binds a capability's properties record, with its defaults when nothing is set.
	 * @throws CatalogException naming the property that does not bind or validate
	 */
	public <T> T bind(String prefix, Class<T> type) {
		try {
			return this.binder.bindOrCreate(prefix, Bindable.of(type), this.handler);
		}
		catch (BindException ex) {
			throw new CatalogException(List.of(describe(ex)));
		}
	}

	public ConfigSnapshot.Builder snapshot() {
		return this.snapshot;
	}

	/**
	 * Names an item for change summaries, with a digest of its settings. The digest is a hash: the
	 * settings may include a key, which never leaves this method.
	 */
	public void item(String section, String name, Object... settings) {
		StringBuilder text = new StringBuilder();
		for (Object setting : settings) {
			text.append(setting).append('\u0000');
		}
		this.snapshot.item(section, name, Hashes.sha256Hex(text.toString().getBytes(StandardCharsets.UTF_8))
			.substring(0, 16));
	}

	/** The property and why it failed, the way start-up's failure analysis puts it. */
	static String describe(BindException ex) {
		List<String> reasons = new ArrayList<>();
		for (Throwable cause = ex.getCause(); cause != null; cause = cause.getCause()) {
			if (cause.getMessage() != null) {
				reasons.add(cause.getMessage());
			}
		}
		String reason = reasons.isEmpty() ? ex.getMessage() : reasons.get(reasons.size() - 1);
		return ex.getName() + ": " + reason;
	}

}
