package dev.switchboard.autoconfigure;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.handler.IgnoreTopLevelConverterNotFoundBindHandler;
import org.springframework.boot.context.properties.bind.validation.ValidationBindHandler;
import org.springframework.validation.Validator;

import dev.switchboard.catalog.CatalogException;
import dev.switchboard.core.ConfigSnapshot;
import dev.switchboard.core.Hashes;

/**
 * Builds a {@link ConfigSnapshot} from a set of property sources: binds {@code switchboard.*}, lets
 * every {@link SnapshotContributor} add its parts, and names the result by a hash of its content.
 * Start-up and every live change go through here, so a candidate is checked exactly as start-up
 * checks, and the same settings always give the same version id (on every gateway of a fleet too).
 */
public final class SnapshotAssembler {

	private final List<SnapshotContributor> contributors;

	private final @Nullable Validator validator;

	private final Clock clock;

	/** @param validator the JSR-303 validator {@code @Validated} properties are checked with, if any */
	public SnapshotAssembler(List<SnapshotContributor> contributors, @Nullable Validator validator, Clock clock) {
		this.contributors = List.copyOf(contributors);
		this.validator = validator;
		this.clock = clock;
	}

	/**
	 * @param source what the settings come from, kept with the snapshot
	 * @throws CatalogException every problem of every contributor, each naming its property
	 */
	public ConfigSnapshot assemble(Binder binder, String source) {
		BindHandler handler = new IgnoreTopLevelConverterNotFoundBindHandler();
		if (this.validator != null) {
			handler = new ValidationBindHandler(handler, this.validator);
		}
		Candidate candidate;
		try {
			candidate = new Candidate(binder, handler);
		}
		catch (BindException ex) {
			throw new CatalogException(List.of(Candidate.describe(ex)));
		}
		List<String> problems = new ArrayList<>();
		for (SnapshotContributor contributor : this.contributors) {
			try {
				contributor.contribute(candidate);
			}
			catch (CatalogException ex) {
				problems.addAll(ex.problems());
			}
			catch (IllegalArgumentException ex) {
				problems.add(ex.getMessage());
			}
		}
		if (!problems.isEmpty()) {
			throw new CatalogException(problems);
		}
		ConfigSnapshot.Builder snapshot = candidate.snapshot();
		return snapshot.build(version(snapshot.inventory()), this.clock.instant(), source);
	}

	/** A hash of every item's digest, in section and name order. */
	static String version(Map<String, Map<String, String>> inventory) {
		StringBuilder text = new StringBuilder();
		inventory.forEach((section, items) -> items.forEach(
				(name, digest) -> text.append(section).append('/').append(name).append('=').append(digest).append('\n')));
		return Hashes.sha256Hex(text.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 12);
	}

}
