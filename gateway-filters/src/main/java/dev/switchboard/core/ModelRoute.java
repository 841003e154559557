package dev.switchboard.core;

import java.util.List;

/**
 * The outcome of model resolution: the name the client asked for, the targets to try in order, and
 * why, in words an operator reads in the routing log.
 */
public record ModelRoute(String requestedModel, List<RouteTarget> targets, String reason) {

	public ModelRoute {
		if (targets.isEmpty()) {
			throw new IllegalArgumentException("a route needs at least one target");
		}
		targets = List.copyOf(targets);
	}

	public RouteTarget primary() {
		return this.targets.get(0);
	}

}
