package dev.switchboard.core;

/**
 * Marks an exchange as one leg of a comparison (the same prompt sent to several models in one
 * call), so that the request log and metrics can tell what a team spends on comparing models from
 * what it spends on answers. A leg is otherwise a request like any other: the team's allow-list,
 * quota, cache and metering apply to it.
 *
 * @param compareId the comparison's id, shared by its legs
 * @param leg this leg's position in the comparison's {@code models}, from 0; for the judge, the
 * number of legs (it comes after them)
 * @param legs how many legs the comparison has
 * @param judge whether this is the request that scores the legs' answers rather than a leg
 */
public record CompareLeg(String compareId, int leg, int legs, boolean judge) {

	/** A leg that answers the prompt. */
	public CompareLeg(String compareId, int leg, int legs) {
		this(compareId, leg, legs, false);
	}

}
