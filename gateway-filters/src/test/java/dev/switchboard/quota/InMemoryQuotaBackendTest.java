package dev.switchboard.quota;

/** The contract on Bucket4j local buckets. */
class InMemoryQuotaBackendTest extends QuotaBackendContract {

	private final InMemoryQuotaBackend backend = new InMemoryQuotaBackend();

	@Override
	QuotaBackend backend() {
		return this.backend;
	}

}
