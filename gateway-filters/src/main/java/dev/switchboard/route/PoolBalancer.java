package dev.switchboard.route;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.jspecify.annotations.Nullable;

import dev.switchboard.core.RouteTarget;

/**
 * Orders a pool's members for one request: the first serves, the rest are its fallbacks. Members
 * the request cannot use are left out; members the {@link TargetStats} say are failing or out of
 * provider rate limit go to the back, so traffic moves away before a provider starts answering 429.
 */
public class PoolBalancer {

	private final TargetStats stats;

	public PoolBalancer(TargetStats stats) {
		this.stats = stats;
	}

	/** A member and its weight, as the resolver found it in the catalog. */
	public record Candidate(RouteTarget target, int weight) {
	}

	/**
	 * @param stickyKey team or user to keep on one member of a weighted split; {@code null} for a
	 * fresh random pick per request
	 * @param why receives the reason for the order, for the routing log
	 */
	public List<RouteTarget> order(ModelPool pool, List<Candidate> candidates, RequestNeeds needs,
			@Nullable String stickyKey, StringBuilder why) {
		List<Candidate> usable = candidates.stream().filter(c -> needs.metBy(c.target().model())).toList();
		if (usable.isEmpty()) {
			return List.of();
		}
		List<Candidate> ordered = switch (pool.strategy()) {
			case WEIGHTED -> weighted(usable, stickyKey);
			case LEAST_LATENCY -> sorted(usable, Comparator.comparingDouble(c -> this.stats.latencyMillis(c.target())));
			case LEAST_IN_FLIGHT -> sorted(usable, Comparator.comparingInt(c -> this.stats.inFlight(c.target())));
			case CHEAPEST -> sorted(usable, Comparator.comparingDouble(c -> needs.estimatedCost(c.target().model())));
		};
		long tokens = needs.promptTokens() + needs.maxTokens();
		List<RouteTarget> healthy = new ArrayList<>();
		List<RouteTarget> degraded = new ArrayList<>();
		for (Candidate candidate : ordered) {
			(this.stats.isDegraded(candidate.target(), tokens) ? degraded : healthy).add(candidate.target());
		}
		healthy.addAll(degraded);
		why.append("pool '").append(pool.name()).append("' (").append(pool.strategy().name().toLowerCase()).append(")");
		if (usable.size() < candidates.size()) {
			why.append(", ").append(candidates.size() - usable.size()).append(" member(s) lacking ")
				.append(needs.capabilities()).append(" or context window");
		}
		if (!degraded.isEmpty()) {
			why.append(", degraded last: ").append(degraded.stream().map(RouteTarget::label).toList());
		}
		switch (pool.strategy()) {
			case LEAST_LATENCY -> why.append(", latency ms ").append(healthy.stream()
				.map(t -> t.label() + "=" + Math.round(this.stats.latencyMillis(t))).toList());
			case LEAST_IN_FLIGHT -> why.append(", in flight ").append(healthy.stream()
				.map(t -> t.label() + "=" + this.stats.inFlight(t)).toList());
			case CHEAPEST -> why.append(String.format(", est. $%.6f on %s", needs.estimatedCost(healthy.get(0).model()),
					healthy.get(0).label()));
			case WEIGHTED -> why.append((stickyKey != null) ? ", sticky" : ", random");
		}
		return healthy;
	}

	/** One member drawn by weight (the same one for the same sticky key), then the rest by weight. */
	private static List<Candidate> weighted(List<Candidate> candidates, @Nullable String stickyKey) {
		int total = candidates.stream().mapToInt(Candidate::weight).sum();
		if (total <= 0) {
			return candidates;
		}
		int point = (stickyKey != null) ? Math.floorMod(mix(stickyKey.hashCode()), total)
				: ThreadLocalRandom.current().nextInt(total);
		Candidate chosen = candidates.get(candidates.size() - 1);
		for (Candidate candidate : candidates) {
			point -= candidate.weight();
			if (point < 0) {
				chosen = candidate;
				break;
			}
		}
		List<Candidate> order = new ArrayList<>();
		order.add(chosen);
		Candidate first = chosen;
		candidates.stream()
			.filter(c -> c != first)
			.sorted(Comparator.comparingInt(Candidate::weight).reversed())
			.forEach(order::add);
		return order;
	}

	private static List<Candidate> sorted(List<Candidate> candidates, Comparator<Candidate> comparator) {
		List<Candidate> shuffled = new ArrayList<>(candidates);
		// Ties (all unknown at start) spread at random instead of piling onto the first member.
		Collections.shuffle(shuffled, ThreadLocalRandom.current());
		shuffled.sort(comparator);
		return shuffled;
	}

	/** Spreads similar keys (team-1, team-2) over the weight range. */
	static int mix(int hash) {
		int h = hash * 0x9E3779B9;
		return h ^ (h >>> 16);
	}

}
