package dev.switchboard.guard.regex;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Ready patterns for what must not leave in a prompt: e-mail addresses, phone numbers, payment
 * card numbers (with their Luhn check, so order numbers of 16 digits pass), IBANs (with their
 * mod-97 check), and the shapes of common API keys. Each is a regular expression and, where the
 * shape alone says too little, a check of the match.
 */
public final class PiiPatterns {

	/**
	 * A named pattern; {@code valid} confirms a match (a checksum), so look-alikes pass.
	 * {@code candidates} finds, with a plain scan of the text, the regions where a match can
	 * start and end ({@code [start, end, start, end, ...]}, sorted and disjoint), so the regular
	 * expression runs only there: most prompts have no {@code @}, no long run of digits, no key
	 * prefix, and a regular expression tried at every position of a 4 kB prompt costs about 0.1 ms
	 * a pattern. {@code null} means the whole text.
	 */
	public record Named(String name, Pattern pattern, Predicate<String> valid, Function<String, int[]> candidates) {

		/**
		 * A pattern of the configuration's own. A keyword ({@code (?i)\\bproject atlas\\b}: letters,
		 * digits and spaces, optionally case-insensitive and between word boundaries) is found by a
		 * plain scan first, as the built-in patterns are; any other expression is tried on the whole
		 * text.
		 * @throws java.util.regex.PatternSyntaxException when it does not compile
		 */
		public static Named custom(String name, String regex) {
			Pattern pattern = Pattern.compile(regex);
			String literal = regex;
			boolean ignoreCase = literal.startsWith("(?i)");
			literal = ignoreCase ? literal.substring(4) : literal;
			literal = literal.startsWith("\\b") ? literal.substring(2) : literal;
			literal = literal.endsWith("\\b") ? literal.substring(0, literal.length() - 2) : literal;
			if (literal.isEmpty() || !literal.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == ' ')) {
				return new Named(name, pattern, match -> true, text -> null);
			}
			String keyword = literal;
			return new Named(name, pattern, match -> true, text -> occurrences(text, keyword, ignoreCase));
		}

	}

	private static final boolean[] PHONE_SEPARATORS = ascii(" .-()+");

	private static final boolean[] CARD_SEPARATORS = ascii(" -");

	/** Where the API keys the {@code api-key} pattern knows begin. */
	private static final String[] KEY_PREFIXES = { "sk-", "AKIA", "AIza", "ghp_", "gho_", "ghu_", "ghs_", "ghr_",
			"xoxa-", "xoxb-", "xoxp-", "xoxr-", "xoxs-", "glpat-" };

	public static final Map<String, Named> BUILT_IN = Map.of(
			"email", new Named("email",
					Pattern.compile("(?<![\\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}"),
					match -> true, PiiPatterns::addresses),
			"phone", new Named("phone",
					// International (+ and 7 to 15 digits), an area code in parentheses, or 3-3-4 digits;
					// never a date (2026-12-07) or a version.
					Pattern.compile("(?<![\\w+])(?:\\+\\d{1,3}[ .-]?(?:\\d[ .-]?){5,13}\\d"
							+ "|\\(\\d{2,4}\\)[ .-]?\\d{3,4}[ .-]?\\d{3,4}|\\d{3}[ .-]\\d{3}[ .-]\\d{4})(?![\\w.-]?\\d)"),
					PiiPatterns::enoughDigits, PiiPatterns::phoneRuns),
			"card", new Named("card", Pattern.compile("(?<!\\d)(?:\\d[ -]?){12,18}\\d(?!\\d)"), PiiPatterns::luhn,
					text -> digitRuns(text, CARD_SEPARATORS, 13)),
			"iban", new Named("iban", Pattern.compile("(?<![A-Z0-9])[A-Z]{2}\\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![A-Z0-9])"),
					PiiPatterns::ibanChecksum, PiiPatterns::ibanStarts),
			"api-key", new Named("api-key", Pattern.compile("(?<![A-Za-z0-9_-])(?:sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}"
					+ "|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{35}|gh[pousr]_[A-Za-z0-9]{36,}|xox[abprs]-[A-Za-z0-9-]{10,}"
					+ "|glpat-[A-Za-z0-9_-]{20,})"), match -> true,
					text -> prefixes(text, KEY_PREFIXES, 256)));

	private PiiPatterns() {
	}

	private static boolean[] ascii(String chars) {
		boolean[] set = new boolean[128];
		chars.chars().forEach(c -> set[c] = true);
		return set;
	}

	// ---- candidate regions

	/**
	 * The token around each {@code @}: the characters an address's local part (at most 64) and
	 * domain (at most 255) can hold, merged where they meet.
	 */
	static int[] addresses(String text) {
		Regions regions = new Regions();
		for (int at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
			int start = at;
			while (start > 0 && at - start < 64 && local(text.charAt(start - 1))) {
				start--;
			}
			int end = at + 1;
			while (end < text.length() && end - at <= 255 && domain(text.charAt(end))) {
				end++;
			}
			if (start < at && end > at + 1) {
				regions.add(start, end);
			}
		}
		return regions.toArray();
	}

	private static boolean local(char c) {
		return domain(c) || c == '_' || c == '%' || c == '+';
	}

	private static boolean domain(char c) {
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || digit(c) || c == '.' || c == '-';
	}

	/**
	 * Runs of digits and {@code separators} (at most two separators in a row, as in
	 * {@code (555) 123}) holding at least {@code min} digits: where a phone or card number can be.
	 */
	static int[] digitRuns(String text, boolean[] separators, int min) {
		Regions regions = new Regions();
		int start = -1;
		int digits = 0;
		int separated = 0;
		for (int i = 0; i <= text.length(); i++) {
			char c = (i < text.length()) ? text.charAt(i) : '\n';
			boolean digit = c >= '0' && c <= '9';
			boolean separator = !digit && c < 128 && separators[c];
			if (digit || (separator && separated < 2)) {
				if (start < 0) {
					start = i;
				}
				if (digit) {
					digits++;
					separated = 0;
				}
				else {
					separated++;
				}
				continue;
			}
			if (start >= 0 && digits >= min) {
				regions.add(start, i);
			}
			// A third separator in a row ends the run, and may begin the next (". +44 20 ...").
			start = separator ? i : -1;
			digits = 0;
			separated = separator ? 1 : 0;
		}
		return regions.toArray();
	}

	/** Runs of 7 digits or more with a phone's separators, ISO dates (2026-12-07) left out. */
	static int[] phoneRuns(String text) {
		int[] runs = digitRuns(text, PHONE_SEPARATORS, 7);
		Regions phones = new Regions();
		for (int r = 0; r < runs.length; r += 2) {
			if (!isoDate(text, runs[r], runs[r + 1])) {
				phones.add(runs[r], runs[r + 1]);
			}
		}
		return phones.toArray();
	}

	/** Whether the run is a date as 2026-12-07, with at most the separators around it. */
	private static boolean isoDate(String text, int start, int end) {
		while (start < end && !digit(text.charAt(start))) {
			start++;
		}
		while (end > start && !digit(text.charAt(end - 1))) {
			end--;
		}
		if (end - start != 10) {
			return false;
		}
		for (int i = 0; i < 10; i++) {
			char c = text.charAt(start + i);
			if ((i == 4 || i == 7) ? c != '-' : !digit(c)) {
				return false;
			}
		}
		return true;
	}

	/** Where an IBAN can begin: two capital letters and two digits. */
	static int[] ibanStarts(String text) {
		Regions regions = new Regions();
		for (int i = 0; i + 3 < text.length(); i++) {
			if (upper(text.charAt(i)) && upper(text.charAt(i + 1)) && digit(text.charAt(i + 2))
					&& digit(text.charAt(i + 3))) {
				regions.add(i, Math.min(text.length(), i + 43));
			}
		}
		return regions.toArray();
	}

	/** Each occurrence of a keyword, with a character either side for the word boundaries. */
	static int[] occurrences(String text, String keyword, boolean ignoreCase) {
		Regions regions = new Regions();
		int length = keyword.length();
		char first = Character.toLowerCase(keyword.charAt(0));
		for (int i = 0; i + length <= text.length(); i++) {
			char c = text.charAt(i);
			if ((ignoreCase ? Character.toLowerCase(c) == first : c == keyword.charAt(0))
					&& text.regionMatches(ignoreCase, i, keyword, 0, length)) {
				regions.add(Math.max(0, i - 1), Math.min(text.length(), i + length + 1));
			}
		}
		return regions.toArray();
	}

	/** Windows starting at each occurrence of a prefix. */
	static int[] prefixes(String text, String[] prefixes, int length) {
		List<int[]> found = new ArrayList<>();
		for (String prefix : prefixes) {
			for (int i = text.indexOf(prefix); i >= 0; i = text.indexOf(prefix, i + 1)) {
				found.add(new int[] { i, Math.min(text.length(), i + length) });
			}
		}
		found.sort((a, b) -> Integer.compare(a[0], b[0]));
		Regions regions = new Regions();
		found.forEach(region -> regions.add(region[0], region[1]));
		return regions.toArray();
	}

	private static boolean upper(char c) {
		return c >= 'A' && c <= 'Z';
	}

	private static boolean digit(char c) {
		return c >= '0' && c <= '9';
	}

	/** Sorted regions, merged where they overlap or touch. */
	private static final class Regions {

		private int[] bounds = new int[8];

		private int size;

		void add(int start, int end) {
			if (this.size > 0 && start <= this.bounds[this.size - 1]) {
				this.bounds[this.size - 1] = Math.max(this.bounds[this.size - 1], end);
				return;
			}
			if (this.size + 2 > this.bounds.length) {
				this.bounds = Arrays.copyOf(this.bounds, this.bounds.length * 2);
			}
			this.bounds[this.size++] = start;
			this.bounds[this.size++] = end;
		}

		int[] toArray() {
			return Arrays.copyOf(this.bounds, this.size);
		}

	}

	/** A phone number has 7 to 15 digits (E.164); fewer is a date or a quantity. */
	private static boolean enoughDigits(String match) {
		long digits = match.chars().filter(Character::isDigit).count();
		return digits >= 7 && digits <= 15;
	}

	/** The Luhn check every payment card number passes. */
	static boolean luhn(String match) {
		String digits = match.replaceAll("[^0-9]", "");
		if (digits.length() < 13 || digits.length() > 19) {
			return false;
		}
		int sum = 0;
		boolean twice = false;
		for (int i = digits.length() - 1; i >= 0; i--) {
			int digit = digits.charAt(i) - '0';
			if (twice) {
				digit *= 2;
				if (digit > 9) {
					digit -= 9;
				}
			}
			sum += digit;
			twice = !twice;
		}
		return sum % 10 == 0;
	}

	/** ISO 13616: the country and check digits moved to the end, letters as numbers, mod 97 is 1. */
	static boolean ibanChecksum(String match) {
		String iban = match.replace(" ", "");
		if (iban.length() < 15 || iban.length() > 34) {
			return false;
		}
		String moved = iban.substring(4) + iban.substring(0, 4);
		int remainder = 0;
		for (int i = 0; i < moved.length(); i++) {
			char c = moved.charAt(i);
			int value = Character.isDigit(c) ? c - '0' : c - 'A' + 10;
			remainder = (value > 9) ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97;
		}
		return remainder == 1;
	}

}
