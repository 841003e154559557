package dev.switchboard.quota.admission;

import dev.switchboard.quota.QuotaLimit.Dimension;

/** What a request takes of each dimension: one request, its tokens, its price in nano-USD. */
record Demand(long requests, long tokens, long spend) {

	long of(Dimension dimension) {
		return switch (dimension) {
			case REQUESTS -> this.requests;
			case TOKENS -> this.tokens;
			case SPEND -> this.spend;
		};
	}

}
