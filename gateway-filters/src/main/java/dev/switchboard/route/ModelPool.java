package dev.switchboard.route;

import java.util.List;
import java.util.Locale;

/**
 * A public model name served by several equivalent or competing models: deployments of one model
 * in several regions or accounts (balanced), or different models (an A/B split, a cost-aware pick).
 *
 * @param name the public name clients send as {@code model}
 * @param strategy how the member that serves a request is chosen; the others follow as fallbacks
 * @param sticky what keeps a client on the same member under {@link Strategy#WEIGHTED}
 * @param members the catalog models behind the name, with their weights
 */
public record ModelPool(String name, Strategy strategy, Sticky sticky, List<Member> members) {

	public ModelPool {
		members = List.copyOf(members);
	}

	/** A catalog model (id, alias or {@code provider/model}) and its share of the traffic. */
	public record Member(String model, int weight) {
	}

	/** How a pool orders its members for one request. */
	public enum Strategy {

		/** At random in proportion to the weights: A/B splits and capacity shares. */
		WEIGHTED,

		/** Lowest moving average of time to the provider's answer first. */
		LEAST_LATENCY,

		/** Fewest calls in progress first. */
		LEAST_IN_FLIGHT,

		/** Lowest estimated price of this request first (catalog prices, prompt estimate plus max tokens). */
		CHEAPEST;

		public static Strategy of(String value) {
			return valueOf(value.trim().replace('-', '_').toUpperCase(Locale.ROOT));
		}

	}

	/** What a weighted split is sticky on. */
	public enum Sticky {

		NONE, TEAM, USER;

		public static Sticky of(String value) {
			return valueOf(value.trim().toUpperCase(Locale.ROOT));
		}

	}

}
