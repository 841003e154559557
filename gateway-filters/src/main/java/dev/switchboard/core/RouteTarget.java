package dev.switchboard.core;

import dev.switchboard.catalog.ModelSpec;
import dev.switchboard.catalog.ProviderSpec;

/**
 * One place a request can be sent: a model at a provider. A request may be tried against several
 * targets in turn (failover), each translated afresh for its provider.
 */
public record RouteTarget(ModelSpec model, ProviderSpec provider) {

	/** Low-cardinality label for logs, metrics and response headers: {@code provider/model}. */
	public String label() {
		return this.provider.name() + "/" + this.model.upstreamModel();
	}

}
