package dev.switchboard.core;

/**
 * Marks an exchange as one leg of a comparison (the same prompt sent to several models in one
 * call), so that the request log and metrics can tell what a team spends on comparing models from
 * what it spends on answers. A leg is otherwise a request like any other: the team's allow-list,
 * quota, cache and metering apply to it.
 *
 * @param compareId the comparison's id, shared by its legs
 * @param leg this leg's position in the comparison's {@code models}, from 0
 * @param legs how many legs the comparison has
 */
public record CompareLeg(String compareId, int leg, int legs) {
}
