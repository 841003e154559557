package dev.switchboard.guard.regex;

import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Ready patterns for what must not leave in a prompt: e-mail addresses, phone numbers, payment
 * card numbers (with their Luhn check, so order numbers of 16 digits pass), IBANs (with their
 * mod-97 check), and the shapes of common API keys. Each is a regular expression and, where the
 * shape alone says too little, a check of the match.
 */
public final class PiiPatterns {

	/** A named pattern; {@code valid} confirms a match (a checksum), so look-alikes pass. */
	public record Named(String name, Pattern pattern, Predicate<String> valid) {
	}

	public static final Map<String, Named> BUILT_IN = Map.of(
			"email", new Named("email",
					Pattern.compile("(?<![\\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}"),
					match -> true),
			"phone", new Named("phone",
					// International (+ and 7 to 15 digits), an area code in parentheses, or 3-3-4 digits;
					// never a date (2026-12-07) or a version.
					Pattern.compile("(?<![\\w+])(?:\\+\\d{1,3}[ .-]?(?:\\d[ .-]?){5,13}\\d"
							+ "|\\(\\d{2,4}\\)[ .-]?\\d{3,4}[ .-]?\\d{3,4}|\\d{3}[ .-]\\d{3}[ .-]\\d{4})(?![\\w.-]?\\d)"),
					PiiPatterns::enoughDigits),
			"card", new Named("card", Pattern.compile("(?<!\\d)(?:\\d[ -]?){12,18}\\d(?!\\d)"), PiiPatterns::luhn),
			"iban", new Named("iban", Pattern.compile("(?<![A-Z0-9])[A-Z]{2}\\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![A-Z0-9])"),
					PiiPatterns::ibanChecksum),
			"api-key", new Named("api-key", Pattern.compile("(?<![A-Za-z0-9_-])(?:sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}"
					+ "|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{35}|gh[pousr]_[A-Za-z0-9]{36,}|xox[abprs]-[A-Za-z0-9-]{10,}"
					+ "|glpat-[A-Za-z0-9_-]{20,})"), match -> true));

	private PiiPatterns() {
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
