package dev.switchboard.guard;

import java.util.ArrayList;
import java.util.List;

import dev.switchboard.guard.GuardVerdict.Edit;

/**
 * Where rewrites changed a text, as {@link Edit}s: made into the new text ({@link #apply}), added
 * up over guardrails that run one after another ({@link #compose}), or, for a guardrail that gave
 * only its new text, taken as one change from the first difference to the last ({@link #between}).
 * A held stream lays each change over the chunks it was read from and cuts its windows between
 * changes, never through one: a change too wide only holds text back longer, one too narrow would
 * let the rest of a value out, so where a change's place is not known it is taken wide. For a
 * guardrail of one's own that masks in several steps, {@link #compose} gives its edits.
 */
public final class Changes {

	private Changes() {
	}

	/** {@code before} with {@code edits} made. */
	public static String apply(String before, List<Edit> edits) {
		StringBuilder after = new StringBuilder(before.length());
		int at = 0;
		for (Edit edit : edits) {
			if (edit.start() < at || edit.end() > before.length()) {
				throw new IllegalArgumentException("edits must be in order, apart and within the text (of "
						+ before.length() + " characters), was [" + edit.start() + ", " + edit.end() + ") after " + at);
			}
			after.append(before, at, edit.start()).append(edit.text());
			at = edit.end();
		}
		return after.append(before, at, before.length()).toString();
	}

	/**
	 * The change that makes {@code after} of {@code before} when nothing says where it was: one
	 * edit from their first difference to their last (whole characters), none when equal.
	 */
	public static List<Edit> between(String before, String after) {
		if (before.equals(after)) {
			return List.of();
		}
		int limit = Math.min(before.length(), after.length());
		int prefix = 0;
		while (prefix < limit && before.charAt(prefix) == after.charAt(prefix)) {
			prefix++;
		}
		if (prefix > 0 && Character.isHighSurrogate(before.charAt(prefix - 1))) {
			prefix--;
		}
		int suffix = 0;
		while (suffix < limit - prefix
				&& before.charAt(before.length() - 1 - suffix) == after.charAt(after.length() - 1 - suffix)) {
			suffix++;
		}
		if (suffix > 0 && Character.isLowSurrogate(before.charAt(before.length() - suffix))) {
			suffix--;
		}
		return List.of(new Edit(prefix, before.length() - suffix, after.substring(prefix, after.length() - suffix)));
	}

	/**
	 * {@code first} (edits of a text) followed by {@code second} (edits of {@code middle}, the text
	 * {@code first} made), as edits of the first text. Changes that touch or overlap in
	 * {@code middle} become one: a mask over part of an earlier mask covers all of what that one
	 * replaced.
	 */
	public static List<Edit> compose(String middle, List<Edit> first, List<Edit> second) {
		if (second.isEmpty()) {
			return first;
		}
		if (first.isEmpty()) {
			return second;
		}
		int count = first.size();
		// Where each of the first edits' texts lies in the middle text.
		int[] from = new int[count];
		int[] to = new int[count];
		for (int i = 0, shift = 0; i < count; i++) {
			Edit edit = first.get(i);
			from[i] = edit.start() + shift;
			to[i] = from[i] + edit.text().length();
			shift += edit.text().length() - (edit.end() - edit.start());
		}
		List<Edit> out = new ArrayList<>(count + second.size());
		int i = 0;
		int j = 0;
		int shift = 0; // of the first edits passed so far: the middle's index minus the first text's
		while (i < count || j < second.size()) {
			boolean firstEarlier = j == second.size() || (i < count && from[i] <= second.get(j).start());
			int start = firstEarlier ? from[i] : second.get(j).start();
			int end = start;
			int shiftBefore = shift;
			int firstOfSecond = j;
			boolean grew = true;
			while (grew) {
				grew = false;
				while (i < count && from[i] <= end) {
					end = Math.max(end, to[i]);
					Edit edit = first.get(i);
					shift += edit.text().length() - (edit.end() - edit.start());
					i++;
					grew = true;
				}
				while (j < second.size() && second.get(j).start() <= end) {
					end = Math.max(end, second.get(j).end());
					j++;
					grew = true;
				}
			}
			StringBuilder text = new StringBuilder();
			int at = start;
			for (Edit edit : second.subList(firstOfSecond, j)) {
				text.append(middle, at, edit.start()).append(edit.text());
				at = edit.end();
			}
			text.append(middle, at, end);
			out.add(new Edit(start - shiftBefore, end - shift, text.toString()));
		}
		return out;
	}

}
