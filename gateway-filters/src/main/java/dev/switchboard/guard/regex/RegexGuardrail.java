package dev.switchboard.guard.regex;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.PatternSyntaxException;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import dev.switchboard.guard.Changes;
import dev.switchboard.guard.GuardAnswer;
import dev.switchboard.guard.GuardRequest;
import dev.switchboard.guard.GuardVerdict;
import dev.switchboard.guard.Guardrail;

/**
 * The built-in guardrail of patterns: a request that contains one of its {@code deny} patterns is
 * refused; every match of its {@code mask} patterns is replaced by a placeholder naming the
 * pattern ({@code [EMAIL]}, {@code [CARD]}) before anything else sees the request, the cache and
 * the provider included. Patterns are the {@link PiiPatterns} by name, or the guardrail's own
 * (a keyword is a pattern too: {@code (?i)\bproject atlas\b}).
 *
 * <p>It runs in the calling thread and needs no timeout of its own: patterns are compiled once,
 * matched in linear passes over the texts, and a deny's reason names the pattern, never the text.
 */
public final class RegexGuardrail implements Guardrail {

	private final String name;

	private final List<PiiPatterns.Named> deny;

	private final List<PiiPatterns.Named> mask;

	private final boolean reversible;

	public RegexGuardrail(String name, List<String> deny, List<String> mask, Map<String, String> custom) {
		this(name, deny, mask, custom, false);
	}

	/** The order IBAN, card and phone masks go in among themselves ({@link #ordered}). */
	private static final List<String> MASK_ORDER = List.of("iban", "card", "phone");

	/**
	 * @param custom the guardrail's own patterns by name, usable in {@code deny} and {@code mask}
	 * @param reversible whether a request's masks are numbered ({@code [EMAIL_1]}) and the answer
	 * gets the client's own text back in their place
	 * @throws IllegalArgumentException naming a pattern that is neither built in nor the
	 * guardrail's own, or one that does not compile
	 */
	public RegexGuardrail(String name, List<String> deny, List<String> mask, Map<String, String> custom,
			boolean reversible) {
		this.name = name;
		this.reversible = reversible;
		Map<String, PiiPatterns.Named> known = new LinkedHashMap<>(PiiPatterns.BUILT_IN);
		custom.forEach((pattern, regex) -> {
			try {
				known.put(pattern, PiiPatterns.Named.custom(pattern, regex));
			}
			catch (PatternSyntaxException ex) {
				throw new IllegalArgumentException("patterns." + pattern + ": '" + regex + "' is not a regular "
						+ "expression: " + ex.getDescription(), ex);
			}
		});
		this.deny = resolve(deny, known, "deny");
		this.mask = ordered(resolve(mask, known, "mask"));
		if (this.deny.isEmpty() && this.mask.isEmpty()) {
			throw new IllegalArgumentException("deny and mask are both empty: name at least one pattern, e.g. mask: "
					+ "[email, card]");
		}
	}

	/**
	 * The mask patterns in the order named, but for IBAN, card and phone, which take the places
	 * they were named in in that order: an IBAN's digits are never taken for a card's, nor a
	 * card's for a phone number's; every other pattern keeps the place it was given.
	 */
	private static List<PiiPatterns.Named> ordered(List<PiiPatterns.Named> named) {
		List<Integer> places = new ArrayList<>();
		List<PiiPatterns.Named> digits = new ArrayList<>();
		for (int i = 0; i < named.size(); i++) {
			if (MASK_ORDER.contains(named.get(i).name())) {
				places.add(i);
				digits.add(named.get(i));
			}
		}
		digits.sort(Comparator.comparingInt(pattern -> MASK_ORDER.indexOf(pattern.name())));
		List<PiiPatterns.Named> ordered = new ArrayList<>(named);
		for (int i = 0; i < places.size(); i++) {
			ordered.set(places.get(i), digits.get(i));
		}
		return ordered;
	}

	private static List<PiiPatterns.Named> resolve(List<String> names, Map<String, PiiPatterns.Named> known,
			String where) {
		List<PiiPatterns.Named> patterns = new ArrayList<>();
		for (String pattern : names) {
			PiiPatterns.Named named = known.get(pattern);
			if (named == null) {
				throw new IllegalArgumentException(where + ": '" + pattern + "' is not a pattern; use one of "
						+ new TreeMap<>(known).keySet() + " or define it under patterns");
			}
			patterns.add(named);
		}
		return patterns;
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public Mono<GuardVerdict> checkRequest(GuardRequest request) {
		return Mono.fromSupplier(() -> check(request.texts(), "request", this.reversible));
	}

	/** The answer's patterns are refused or masked as the request's; its masks are never reversible. */
	@Override
	public Mono<GuardVerdict> checkAnswer(GuardAnswer answer) {
		return Mono.fromSupplier(() -> check(answer.texts(), "answer", false));
	}

	GuardVerdict check(List<String> texts) {
		return check(texts, "request", this.reversible);
	}

	private GuardVerdict check(List<String> texts, String subject, boolean numbered) {
		for (PiiPatterns.Named pattern : this.deny) {
			for (String text : texts) {
				if (matches(pattern, text)) {
					return GuardVerdict.deny("the " + subject + " contains " + describe(pattern.name()));
				}
			}
		}
		Map<String, Integer> masked = new LinkedHashMap<>();
		Map<String, String> placeholders = numbered ? new LinkedHashMap<>() : null;
		List<String> rewritten = new ArrayList<>(texts.size());
		List<List<GuardVerdict.Edit>> edits = new ArrayList<>(texts.size());
		for (String text : texts) {
			String result = text;
			List<GuardVerdict.Edit> changes = List.of();
			for (PiiPatterns.Named pattern : this.mask) {
				List<GuardVerdict.Edit> more = new ArrayList<>();
				String next = mask(pattern, result, masked, placeholders, more);
				changes = Changes.compose(result, changes, more);
				result = next;
			}
			rewritten.add(result);
			edits.add(changes);
		}
		if (masked.isEmpty()) {
			return GuardVerdict.allow();
		}
		List<String> counts = new ArrayList<>();
		masked.forEach((pattern, count) -> counts.add(count + " " + pattern));
		// Where each mask is, for a held stream to cut its windows between masks.
		GuardVerdict verdict = new GuardVerdict(GuardVerdict.Outcome.REWRITE, "masked " + String.join(", ", counts),
				rewritten, Map.of(), edits);
		if (placeholders == null) {
			return verdict;
		}
		Map<String, String> restore = new LinkedHashMap<>();
		placeholders.forEach((original, placeholder) -> restore.put(placeholder, original));
		return verdict.restoring(restore);
	}

	private static boolean matches(PiiPatterns.Named pattern, String text) {
		int[] regions = regions(pattern, text);
		if (regions.length == 0) {
			return false;
		}
		Matcher matcher = pattern.pattern().matcher(text).useTransparentBounds(true).useAnchoringBounds(false);
		for (int r = 0; r < regions.length; r += 2) {
			matcher.region(regions[r], regions[r + 1]);
			if (nextValid(pattern, matcher, regions[r + 1]) != null) {
				return true;
			}
		}
		return false;
	}

	/**
	 * @param placeholders for numbered masks, each masked text and its placeholder so far (one
	 * value keeps one placeholder wherever it appears, so the same request masks the same way and
	 * is cached the same way); {@code null} for plain {@code [EMAIL]} masks
	 */
	private static String mask(PiiPatterns.Named pattern, String text, Map<String, Integer> masked,
			Map<String, String> placeholders, List<GuardVerdict.Edit> edits) {
		int[] regions = regions(pattern, text);
		if (regions.length == 0) {
			return text;
		}
		Matcher matcher = pattern.pattern().matcher(text).useTransparentBounds(true).useAnchoringBounds(false);
		StringBuilder out = null;
		int last = 0;
		for (int r = 0; r < regions.length; r += 2) {
			matcher.region(Math.max(regions[r], last), regions[r + 1]);
			for (int[] found; (found = nextValid(pattern, matcher, regions[r + 1])) != null;) {
				String value = text.substring(found[0], found[1]);
				out = (out != null) ? out : new StringBuilder(text.length());
				String label = pattern.name().toUpperCase(Locale.ROOT);
				out.append(text, last, found[0]);
				String placeholder;
				if (placeholders == null) {
					placeholder = "[" + label + "]";
				}
				else {
					String prefix = "[" + label + "_";
					placeholder = placeholders.computeIfAbsent(value,
							unseen -> prefix + (1 + placeholders.values().stream().filter(p -> p.startsWith(prefix)).count())
									+ "]");
				}
				out.append(placeholder);
				edits.add(new GuardVerdict.Edit(found[0], found[1], placeholder));
				last = found[1];
				masked.merge(pattern.name(), 1, Integer::sum);
			}
		}
		if (out == null) {
			return text;
		}
		return out.append(text, last, text.length()).toString();
	}

	/**
	 * The next match from the matcher's position on whose check passes ({@code [start, end]}), or
	 * {@code null}; the matcher is left after it. A match its check refused (a card number whose
	 * Luhn digit is wrong) may hold a valid one: a card number after other digits, or before its
	 * expiry ({@code 6 4111 1111 1111 1111}, {@code 4111 1111 1111 1111 12/28}). Of the longest
	 * valid matches from its start (shorter than it) and from each later start inside it, the
	 * longest is taken (the earliest of equals); the search goes on after it, or after the refused
	 * match. In a long run
	 * of spaced digits that is no card (an order number) a part that passes the Luhn check is
	 * masked.
	 */
	private static int @Nullable [] nextValid(PiiPatterns.Named pattern, Matcher matcher, int regionEnd) {
		while (matcher.find()) {
			int start = matcher.start();
			int end = matcher.end();
			if (pattern.valid().test(matcher.group())) {
				return new int[] { start, end };
			}
			// The longest valid match from its start and from each later start inside it.
			int[] best = null;
			for (int from = start; from < end; from++) {
				int[] found = longestValidAt(pattern, matcher, from, (from == start) ? end - 1 : regionEnd);
				if (found != null && (best == null || found[1] - found[0] > best[1] - best[0])) {
					best = found;
				}
			}
			if (best != null) {
				matcher.region(best[1], regionEnd);
				return best;
			}
			if (end >= regionEnd) {
				return null;
			}
			matcher.region(end, regionEnd);
		}
		return null;
	}

	/** The longest match at {@code from} ending by {@code limit} whose check passes, or {@code null}. */
	private static int @Nullable [] longestValidAt(PiiPatterns.Named pattern, Matcher matcher, int from, int limit) {
		for (int end = limit; end > from;) {
			matcher.region(from, end);
			if (!matcher.lookingAt()) {
				return null;
			}
			if (pattern.valid().test(matcher.group())) {
				return new int[] { from, matcher.end() };
			}
			end = matcher.end() - 1;
		}
		return null;
	}

	/** Where the pattern can match, from its cheap scan; the whole text when it has none. */
	private static int[] regions(PiiPatterns.Named pattern, String text) {
		int[] regions = pattern.candidates().apply(text);
		return (regions != null) ? regions : new int[] { 0, text.length() };
	}

	private static String describe(String pattern) {
		return PiiPatterns.BUILT_IN.containsKey(pattern) ? "what looks like " + article(pattern) + " " + pattern
				: "the pattern '" + pattern + "'";
	}

	private static String article(String pattern) {
		return ("aeiou".indexOf(pattern.charAt(0)) >= 0) ? "an" : "a";
	}

}
