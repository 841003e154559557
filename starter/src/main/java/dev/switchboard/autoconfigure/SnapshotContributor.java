package dev.switchboard.autoconfigure;

/**
 * A capability's share of a configuration snapshot: binds and checks its settings from the
 * candidate, adds its runtime parts ({@code QuotaPolicy}, {@code CachePolicy}...) and names each
 * item for change summaries. One per capability auto-configuration, so a version is built and
 * validated by the same code at start-up and on every change.
 */
@FunctionalInterface
public interface SnapshotContributor {

	/**
	 * @throws dev.switchboard.catalog.CatalogException naming each property to fix; the candidate is
	 * then refused (at start-up: the application does not start)
	 */
	void contribute(Candidate candidate);

}
