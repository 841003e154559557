package dev.switchboard.quota.admission;

import dev.switchboard.quota.backend.BucketSpec;
import dev.switchboard.quota.backend.QuotaBackend;

/**
 * One bucket of an admission as the store answered it: what was asked of it and what it holds
 * now, read by the admission (did it take?), the refusal's message and the rate-limit headers.
 *
 * @param bucket the bucket
 * @param amount what the request asked of it, in the bucket's dimension
 * @param probe the store's answer: whether it took the amount, and what each limit has left
 */
record Probed(BucketSpec bucket, long amount, QuotaBackend.Probe probe) {
}
