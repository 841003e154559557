package dev.switchboard.guard;

import java.util.ArrayList;
import java.util.List;

import com.github.difflib.DiffUtils;
import com.github.difflib.patch.AbstractDelta;

/**
 * Where a guardrail's rewrite changed a text: the changed regions of the text as it was, each with
 * what replaces it. A guardrail answers with the whole new text; a held stream needs the regions,
 * to lay each one over the chunks it was read from and to cut its window between them, never
 * through one (a mask cut in half leaves the rest of the value to the next window, which no
 * longer sees its start).
 *
 * <p>The regions err on the side of being too wide, never too narrow: a diff of characters can
 * align a mask's letters with letters of the value it hides ({@code [EMAIL]} against
 * {@code Emma@...}) and so split one change in two with a false "unchanged" stretch between, where
 * a window might then be cut. So the texts are compared as words (runs of non-space and of
 * space), changes separated by nothing but spaces are one change, and each change is then
 * narrowed to the characters that differ at its two ends. A mask inside a word
 * ({@code mail:ann@example.com,}) is still exactly the address.
 */
final class Changes {

	/** A region {@code [start, end)} of the text as it was, replaced by {@code text}. */
	record Change(int start, int end, String text) {
	}

	private Changes() {
	}

	/** The changes that make {@code after} of {@code before}, in order and apart; none when equal. */
	static List<Change> between(String before, String after) {
		if (before.equals(after)) {
			return List.of();
		}
		int prefix = commonPrefix(before, after);
		int suffix = commonSuffix(before, after, prefix);
		List<Integer> was = words(before, prefix, before.length() - suffix);
		List<Integer> now = words(after, prefix, after.length() - suffix);
		if (was.size() <= 2 || now.size() <= 2) {
			// One word (or none) on a side: one change.
			return List.of(new Change(prefix, before.length() - suffix,
					after.substring(prefix, after.length() - suffix)));
		}
		List<String> wasWords = slices(before, was);
		List<String> nowWords = slices(after, now);
		List<Change> changes = new ArrayList<>();
		int[] open = null; // [from, to, fromNow, toNow] in words, of the change being built
		for (AbstractDelta<String> delta : DiffUtils.diff(wasWords, nowWords).getDeltas()) {
			int from = delta.getSource().getPosition();
			int to = from + delta.getSource().size();
			int fromNow = delta.getTarget().getPosition();
			int toNow = fromNow + delta.getTarget().size();
			if (open != null && blank(wasWords, open[1], from)) {
				open[1] = to;
				open[3] = toNow;
				continue;
			}
			if (open != null) {
				changes.add(narrowed(before, after, was, now, open));
			}
			open = new int[] { from, to, fromNow, toNow };
		}
		if (open != null) {
			changes.add(narrowed(before, after, was, now, open));
		}
		return changes;
	}

	/** The text a change list makes of {@code before}: for tests and assertions of {@link #between}. */
	static String apply(String before, List<Change> changes) {
		StringBuilder after = new StringBuilder(before.length());
		int at = 0;
		for (Change change : changes) {
			after.append(before, at, change.start()).append(change.text());
			at = change.end();
		}
		return after.append(before, at, before.length()).toString();
	}

	/** The change of words {@code [open[0], open[1])} into {@code [open[2], open[3])}, narrowed to what differs. */
	private static Change narrowed(String before, String after, List<Integer> was, List<Integer> now, int[] open) {
		int start = was.get(open[0]);
		int end = was.get(open[1]);
		int startNow = now.get(open[2]);
		int endNow = now.get(open[3]);
		int prefix = commonPrefix(before.substring(start, end), after.substring(startNow, endNow));
		String replaced = before.substring(start + prefix, end);
		String replacing = after.substring(startNow + prefix, endNow);
		int suffix = commonSuffix(replaced, replacing, 0);
		return new Change(start + prefix, end - suffix, replacing.substring(0, replacing.length() - suffix));
	}

	private static boolean blank(List<String> words, int from, int to) {
		for (int i = from; i < to; i++) {
			if (!Character.isWhitespace(words.get(i).charAt(0))) {
				return false;
			}
		}
		return true;
	}

	/** Where the words of {@code text[from, to)} start, and {@code to} last. */
	private static List<Integer> words(String text, int from, int to) {
		List<Integer> starts = new ArrayList<>();
		for (int i = from; i < to; i++) {
			if (i == from || Character.isWhitespace(text.charAt(i)) != Character.isWhitespace(text.charAt(i - 1))) {
				starts.add(i);
			}
		}
		starts.add(to);
		return starts;
	}

	private static List<String> slices(String text, List<Integer> starts) {
		List<String> slices = new ArrayList<>(starts.size() - 1);
		for (int i = 0; i + 1 < starts.size(); i++) {
			slices.add(text.substring(starts.get(i), starts.get(i + 1)));
		}
		return slices;
	}

	/** The length of the common start of the two texts, never ending between the halves of a surrogate pair. */
	private static int commonPrefix(String one, String other) {
		int limit = Math.min(one.length(), other.length());
		int prefix = 0;
		while (prefix < limit && one.charAt(prefix) == other.charAt(prefix)) {
			prefix++;
		}
		if (prefix > 0 && Character.isHighSurrogate(one.charAt(prefix - 1))) {
			prefix--;
		}
		return prefix;
	}

	/** The length of the common end of the two texts after {@code prefix}, never splitting a surrogate pair. */
	private static int commonSuffix(String one, String other, int prefix) {
		int limit = Math.min(one.length(), other.length()) - prefix;
		int suffix = 0;
		while (suffix < limit && one.charAt(one.length() - 1 - suffix) == other.charAt(other.length() - 1 - suffix)) {
			suffix++;
		}
		if (suffix > 0 && Character.isLowSurrogate(one.charAt(one.length() - suffix))) {
			suffix--;
		}
		return suffix;
	}

}
