package dev.switchboard.cache.semantic;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * A veto on the failure modes of sentence embeddings, measured on the project's labelled pairs
 * ({@code semantic/pairs.tsv}) and on what outside testing served wrongly:
 * <ul>
 * <li><b>numbers</b>: "return after 30 days" and "after 60 days" score 0.92;</li>
 * <li><b>direction</b>: "convert 10 miles to kilometers" and "10 kilometers to miles" score 0.98,
 * above most true paraphrases; vetoed when both use a direction word (to, into, from, than, versus)
 * followed by different words;</li>
 * <li><b>opposites and negation</b>: "Is coffee good for your health?" and "... bad ...", "sort
 * in ascending order" and "descending"; vetoed when one prompt has a word whose opposite (a fixed
 * list of antonym pairs, comparatives and superlatives, ordinals, also inside hyphenated words:
 * "highest-rated") the other has instead, or only one of them is negated (not, no, never, without,
 * n't);</li>
 * <li><b>units</b>: "the distance from London to Paris in miles" and "... in kilometres" score
 * 0.97; vetoed when both name units (each spelling mapped to one unit) and not the same ones;</li>
 * <li><b>the kind of answer asked for</b>: "Who wrote Pride and Prejudice?" and "When was Pride and
 * Prejudice written?" score 0.93; vetoed when both ask who, when, where or why, and not the same
 * ("what" asks for anything and is left out: "What are your opening hours?" is "When are you
 * open?");</li>
 * <li><b>one word in a short prompt</b>: "rl probe 3 3048" and "rls probe 3 3048" score 0.955; in
 * prompts of at most {@value #SHORT_TOKENS} words, one content word swapped for one that looks
 * alike (one edit apart, or one a prefix of the other) is vetoed: such a word is a term or an
 * identifier, where a synonym ("fix", "repair") looks nothing alike and may be a paraphrase.</li>
 * </ul>
 *
 * <p>It works on a fingerprint of the prompt, kept with the vector instead of the prompt's text:
 * {@code "n=10;to=kilometers;p=good;u=km;q=who;w=coffee,good,health"}. Sections a fingerprint stored by an
 * earlier version lacks are not compared. Lexical rules can only veto a match, never make one.
 */
public final class LexicalGuard {

	private static final Pattern TOKEN = Pattern.compile("\\d+(?:[.,]\\d+)*|\\p{L}[\\p{L}'\\-]*");

	private static final Set<String> DIRECTIONS = Set.of("to", "into", "from", "than", "vs", "versus");

	private static final Set<String> ARTICLES = Set.of("a", "an", "the", "my", "your", "our");

	/** Prompts of at most this many words compare their content words. */
	static final int SHORT_TOKENS = 8;

	private static final Set<String> NEGATIONS = Set.of("not", "no", "never", "without", "nor", "cannot");

	/** Words that carry no content of their own: a prompt that differs only by them asks the same. */
	private static final Set<String> FUNCTION_WORDS = Set.of("a", "an", "the", "my", "your", "our", "their", "his",
			"her", "its", "i", "me", "you", "we", "they", "it", "he", "she", "is", "are", "was", "were", "be", "been",
			"am", "do", "does", "did", "can", "could", "would", "should", "will", "shall", "may", "might", "must",
			"what", "which", "who", "whom", "how", "why", "when", "where", "of", "in", "on", "at", "for", "with",
			"by", "about", "as", "and", "or", "so", "if", "please", "tell", "explain", "give", "some", "any", "this",
			"that", "these", "those", "there", "here", "to", "into", "from", "than", "vs", "versus", "s", "way",
			"ways", "steps");

	/** Opposites: each word maps to its antonyms. */
	private static final Map<String, Set<String>> OPPOSITES = opposites("good:bad", "best:worst", "better:worse",
			"ascending:descending", "asc:desc", "increase:decrease", "increasing:decreasing", "before:after",
			"min:max", "minimum:maximum", "minimize:maximize", "first:last", "true:false", "enable:disable",
			"enabled:disabled", "add:remove", "buy:sell", "import:export", "upload:download", "open:close",
			"start:stop", "encrypt:decrypt", "encode:decode", "compress:decompress", "positive:negative",
			"cheap:expensive", "cheapest:most-expensive", "fast:slow", "faster:slower", "fastest:slowest", "hot:cold",
			"high:low", "higher:lower", "highest:lowest", "more:less", "most:least", "larger:smaller",
			"largest:smallest", "bigger:smaller", "biggest:smallest", "older:newer", "oldest:newest",
			"longest:shortest", "longer:shorter", "win:lose", "allow:deny", "accept:reject", "include:exclude",
			"left:right", "up:down", "north:south", "east:west", "on:off", "input:output", "push:pull",
			"send:receive", "inner:outer", "uppercase:lowercase", "pros:cons", "advantages:disadvantages",
			"love:hate", "safe:dangerous", "safe:unsafe", "legal:illegal", "healthy:unhealthy", "valid:invalid",
			"success:failure", "internal:external", "public:private", "sync:async", "synchronous:asynchronous",
			"horizontal:vertical", "above:below", "over:under", "inside:outside", "success:fail", "pass:fail",
			"always:never", "all:none", "lock:unlock", "install:uninstall", "connect:disconnect", "join:leave",
			"early:late", "earlier:later", "rise:fall", "gain:loss", "profit:loss", "strong:weak", "hard:easy",
			"difficult:easy", "light:dark", "light:heavy", "wet:dry", "rich:poor", "happy:sad", "agree:disagree",
			"like:dislike", "clockwise:counterclockwise", "cheapest:expensive", "cold:warm", "coldest:warmest",
			"colder:warmer", "hottest:coldest", "hotter:colder", "warm:cool", "stronger:weaker", "strongest:weakest",
			"heavier:lighter", "heaviest:lightest", "richest:poorest", "easiest:hardest", "wettest:driest",
			"begin:end", "start:end", "beginning:end", "first:second", "second:third", "third:fourth",
			"first:third", "second:fourth", "loudest:quietest", "louder:quieter", "deepest:shallowest",
			"tallest:shortest", "most:fewest", "fewer:more");

	/**
	 * Units, each spelling mapped to one name: two prompts that both name units, and not the same,
	 * ask for different figures ("the distance in miles", "in kilometres").
	 */
	private static final Map<String, String> UNITS = units("km:kilometre,kilometres,kilometer,kilometers,km,kms",
			"m:metre,metres,meter,meters", "mi:mile,miles", "ft:foot,feet,ft", "in:inch,inches",
			"cm:centimetre,centimetres,centimeter,centimeters,cm", "mm:millimetre,millimetres,millimeter,millimeters,mm",
			"yd:yard,yards", "c:celsius,centigrade", "f:fahrenheit", "k:kelvin", "lb:pound,pounds,lb,lbs",
			"kg:kilogram,kilograms,kilo,kilos,kg", "g:gram,grams", "oz:ounce,ounces,oz",
			"l:litre,litres,liter,liters", "ml:millilitre,millilitres,milliliter,milliliters,ml", "gal:gallon,gallons",
			"cup:cup,cups", "tbsp:tablespoon,tablespoons,tbsp", "tsp:teaspoon,teaspoons,tsp",
			"eur:euro,euros,eur", "usd:dollar,dollars,usd", "gbp:sterling,gbp", "jpy:yen,jpy",
			"mph:mph", "kmh:kph", "kb:kilobyte,kilobytes,kb", "mb:megabyte,megabytes,mb", "gb:gigabyte,gigabytes,gb",
			"tb:terabyte,terabytes,tb", "acre:acre,acres", "ha:hectare,hectares");

	/** Question words that ask for a kind of answer: a person, a time, a place, a reason. */
	private static final Set<String> ASKS = Set.of("who", "whom", "whose", "when", "where", "why");

	private LexicalGuard() {
	}

	private static Map<String, String> units(String... groups) {
		Map<String, String> map = new HashMap<>();
		for (String group : groups) {
			String[] parts = group.split(":");
			for (String spelling : parts[1].split(",")) {
				map.put(spelling, parts[0]);
			}
		}
		return Map.copyOf(map);
	}

	private static Map<String, Set<String>> opposites(String... pairs) {
		Map<String, Set<String>> map = new HashMap<>();
		for (String pair : pairs) {
			String[] words = pair.split(":");
			map.computeIfAbsent(words[0], w -> new TreeSet<>()).add(words[1]);
			map.computeIfAbsent(words[1], w -> new TreeSet<>()).add(words[0]);
		}
		return Map.copyOf(map);
	}

	/**
	 * The numbers of {@code text} in order, each direction word with the word after it, the
	 * opposable words and negation ({@code p=}), and for short prompts the content words ({@code w=}).
	 */
	public static String fingerprint(String text) {
		List<String> tokens = new ArrayList<>();
		Matcher matcher = TOKEN.matcher(text.toLowerCase(Locale.ROOT));
		while (matcher.find()) {
			String token = matcher.group();
			if (token.endsWith("n't")) {
				String stem = token.substring(0, token.length() - 3);
				if (!stem.isEmpty()) {
					tokens.add(stem);
				}
				tokens.add("not");
				continue;
			}
			if (token.endsWith("'s")) {
				token = token.substring(0, token.length() - 2);
			}
			token = token.replace("'", "");
			if (!token.isEmpty()) {
				tokens.add(token);
			}
		}
		StringBuilder numbers = new StringBuilder("n=");
		StringBuilder directions = new StringBuilder();
		Set<String> polar = new TreeSet<>();
		Set<String> content = new TreeSet<>();
		Set<String> units = new TreeSet<>();
		String asks = null;
		for (int i = 0; i < tokens.size(); i++) {
			String token = tokens.get(i);
			if (Character.isDigit(token.charAt(0))) {
				numbers.append(token.replace(",", "")).append(',');
				continue;
			}
			if (DIRECTIONS.contains(token)) {
				int next = i + 1;
				while (next < tokens.size() && ARTICLES.contains(tokens.get(next))) {
					next++;
				}
				if (next < tokens.size() && directions.indexOf(";" + token + "=") < 0) {
					directions.append(';').append(token).append('=').append(tokens.get(next));
				}
			}
			if (NEGATIONS.contains(token)) {
				polar.add("not");
			}
			else if (OPPOSITES.containsKey(token)) {
				polar.add(token);
			}
			else if (token.indexOf('-') > 0) {
				// "highest-rated", "lowest-paying": the parts carry the polarity.
				for (String part : token.split("-")) {
					if (OPPOSITES.containsKey(part)) {
						polar.add(part);
					}
				}
			}
			String unit = UNITS.get(token);
			if (unit != null) {
				units.add(unit);
			}
			if (asks == null && ASKS.contains(token)) {
				asks = token.startsWith("who") ? "who" : token;
			}
			if (!FUNCTION_WORDS.contains(token) && !NEGATIONS.contains(token) && !token.isEmpty()) {
				content.add(token);
			}
		}
		StringBuilder fingerprint = numbers.append(directions);
		if (!polar.isEmpty()) {
			fingerprint.append(";p=").append(String.join(",", polar));
		}
		if (!units.isEmpty()) {
			fingerprint.append(";u=").append(String.join(",", units));
		}
		if (asks != null) {
			fingerprint.append(";q=").append(asks);
		}
		if (tokens.size() <= SHORT_TOKENS) {
			fingerprint.append(";w=").append(String.join(",", content));
		}
		return fingerprint.toString();
	}

	/** Why two prompts must not share an answer despite their similarity, or {@code null} if they may. */
	public static @Nullable String veto(String storedFingerprint, String askedFingerprint) {
		Map<String, String> stored = sections(storedFingerprint);
		Map<String, String> asked = sections(askedFingerprint);
		if (!Objects.equals(stored.get("n"), asked.get("n"))) {
			return "different numbers";
		}
		for (String word : DIRECTIONS) {
			if (stored.containsKey(word) && asked.containsKey(word) && !stored.get(word).equals(asked.get(word))) {
				return "'" + word + "' points elsewhere";
			}
		}
		if (stored.containsKey("u") && asked.containsKey("u") && !stored.get("u").equals(asked.get("u"))) {
			return "other units";
		}
		if (stored.containsKey("q") && asked.containsKey("q") && !stored.get("q").equals(asked.get("q"))) {
			return "'" + asked.get("q") + "' where '" + stored.get("q") + "' was asked";
		}
		Set<String> storedPolar = words(stored.get("p"));
		Set<String> askedPolar = words(asked.get("p"));
		if (storedPolar.contains("not") != askedPolar.contains("not")) {
			return "only one of them is negated";
		}
		for (String word : askedPolar) {
			for (String opposite : OPPOSITES.getOrDefault(word, Set.of())) {
				if (storedPolar.contains(opposite) && !storedPolar.contains(word)) {
					return "'" + word + "' where '" + opposite + "' was asked";
				}
			}
		}
		if (stored.containsKey("w") && asked.containsKey("w")) {
			Set<String> added = new TreeSet<>(words(asked.get("w")));
			added.removeAll(words(stored.get("w")));
			Set<String> removed = new TreeSet<>(words(stored.get("w")));
			removed.removeAll(words(asked.get("w")));
			if (added.size() == 1 && removed.size() == 1 && lookAlike(added.iterator().next(), removed.iterator().next())) {
				return "'" + added.iterator().next() + "' is not '" + removed.iterator().next() + "'";
			}
		}
		return null;
	}

	/**
	 * Words one edit apart or one a prefix of the other ("rl" and "rls", "rbac" and "abac"): in a short
	 * prompt, such a word is a term or identifier the embedding cannot tell apart, where a synonym
	 * ("fix", "repair") looks nothing alike and may well be a paraphrase.
	 */
	static boolean lookAlike(String a, String b) {
		if (a.startsWith(b) || b.startsWith(a)) {
			return true;
		}
		if (Math.abs(a.length() - b.length()) > 1) {
			return false;
		}
		int[] previous = new int[b.length() + 1];
		int[] current = new int[b.length() + 1];
		for (int j = 0; j <= b.length(); j++) {
			previous[j] = j;
		}
		for (int i = 1; i <= a.length(); i++) {
			current[0] = i;
			for (int j = 1; j <= b.length(); j++) {
				int cost = (a.charAt(i - 1) == b.charAt(j - 1)) ? 0 : 1;
				current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
			}
			int[] swap = previous;
			previous = current;
			current = swap;
		}
		return previous[b.length()] <= 1;
	}

	private static Map<String, String> sections(String fingerprint) {
		Map<String, String> sections = new HashMap<>();
		for (String section : fingerprint.split(";")) {
			int equals = section.indexOf('=');
			if (equals > 0) {
				sections.put(section.substring(0, equals), section.substring(equals + 1));
			}
		}
		return sections;
	}

	private static Set<String> words(@Nullable String section) {
		return (section == null || section.isEmpty()) ? Set.of() : Set.of(section.split(","));
	}

}
