package dev.switchboard.cache.semantic;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * A veto on two failure modes of sentence embeddings, measured on the project's labelled pairs
 * ({@code semantic/pairs.tsv}): they barely see numbers ("return after 30 days" and "after 60 days"
 * score 0.92) and they ignore direction ("convert 10 miles to kilometers" and "10 kilometers to
 * miles" score 0.98, above most true paraphrases). A match is vetoed when the two prompts carry
 * different numbers, or when both use a direction word (to, into, from, than, versus) followed by
 * different words.
 *
 * <p>It works on a fingerprint of the prompt, kept with the vector instead of the prompt's text:
 * {@code "n=10;to=kilometers"}. Lexical rules can only veto a match, never make one.
 */
public final class LexicalGuard {

	private static final Pattern TOKEN = Pattern.compile("\\d+(?:[.,]\\d+)*|\\p{L}[\\p{L}'\\-]*");

	private static final Set<String> DIRECTIONS = Set.of("to", "into", "from", "than", "vs", "versus");

	private static final Set<String> ARTICLES = Set.of("a", "an", "the", "my", "your", "our");

	private LexicalGuard() {
	}

	/** The numbers of {@code text} in order, then each direction word with the word after it. */
	public static String fingerprint(String text) {
		List<String> tokens = new ArrayList<>();
		Matcher matcher = TOKEN.matcher(text.toLowerCase(Locale.ROOT));
		while (matcher.find()) {
			tokens.add(matcher.group());
		}
		StringBuilder numbers = new StringBuilder("n=");
		StringBuilder directions = new StringBuilder();
		for (int i = 0; i < tokens.size(); i++) {
			String token = tokens.get(i);
			if (Character.isDigit(token.charAt(0))) {
				numbers.append(token.replace(",", "")).append(',');
			}
			else if (DIRECTIONS.contains(token)) {
				int next = i + 1;
				while (next < tokens.size() && ARTICLES.contains(tokens.get(next))) {
					next++;
				}
				if (next < tokens.size() && directions.indexOf(";" + token + "=") < 0) {
					directions.append(';').append(token).append('=').append(tokens.get(next));
				}
			}
		}
		return numbers.append(directions).toString();
	}

	/** Why two prompts must not share an answer despite their similarity, or {@code null} if they may. */
	public static @Nullable String veto(String storedFingerprint, String askedFingerprint) {
		String[] stored = storedFingerprint.split(";");
		String[] asked = askedFingerprint.split(";");
		if (!stored[0].equals(asked[0])) {
			return "different numbers";
		}
		for (int i = 1; i < asked.length; i++) {
			String word = asked[i].substring(0, asked[i].indexOf('='));
			for (int j = 1; j < stored.length; j++) {
				if (stored[j].startsWith(word + "=") && !Objects.equals(stored[j], asked[i])) {
					return "'" + word + "' points elsewhere";
				}
			}
		}
		return null;
	}

}
