package dev.switchboard.quota.backend;

/** The contract on Bucket4j local buckets. */
class InMemoryQuotaBackendTest extends QuotaBackendContract {

	private final InMemoryQuotaBackend backend = new InMemoryQuotaBackend();

	@Override
	QuotaBackend backend() {
		return this.backend;
	}

}
