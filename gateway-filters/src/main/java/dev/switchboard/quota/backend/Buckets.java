package dev.switchboard.quota.backend;

import java.util.concurrent.CompletableFuture;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.distributed.AsyncBucketProxy;

/** Bucket4j operations both backends share. */
final class Buckets {

	private Buckets() {
	}

	/**
	 * Charges {@code amount} ignoring the limits, leaving the bucket in debt if needed. Bucket4j
	 * refuses a debt it cannot express as a wait (an overflow on month-long windows); the bucket is
	 * then emptied instead, which still blocks until the window resets.
	 */
	static void charge(Bucket bucket, long amount) {
		try {
			bucket.consumeIgnoringRateLimits(amount);
		}
		catch (IllegalArgumentException overflow) {
			bucket.tryConsumeAsMuchAsPossible(amount);
		}
	}

	static CompletableFuture<Void> charge(AsyncBucketProxy bucket, long amount) {
		return bucket.consumeIgnoringRateLimits(amount)
			.<CompletableFuture<Void>>handle((penalty, error) -> {
				if (error == null) {
					return CompletableFuture.completedFuture(null);
				}
				Throwable cause = (error instanceof java.util.concurrent.CompletionException) ? error.getCause() : error;
				if (cause instanceof IllegalArgumentException) {
					return bucket.tryConsumeAsMuchAsPossible(amount).thenApply(taken -> null);
				}
				return CompletableFuture.failedFuture(cause);
			})
			.thenCompose(future -> future);
	}

}
