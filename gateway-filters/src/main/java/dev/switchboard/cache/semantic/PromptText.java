package dev.switchboard.cache.semantic;

import java.util.regex.Pattern;

/**
 * The text of a prompt as it is embedded: without the courtesies around the question (a greeting,
 * "could you please explain", "thanks!"), which move a short prompt's vector further than many a
 * real change of meaning does, and never decide what the answer is. Only the embedding sees this
 * text: the lexical guard reads the prompt as it was written, so no rule loses a word it needs.
 *
 * <p>What is taken off is fixed and small, at the start and the end of the prompt only; the
 * question itself is never touched ("Can you ship to Canada?" keeps its "can you": it is not a
 * request to tell something but the question).
 */
final class PromptText {

	/** Part of the embedder id of every vector: vectors of another version are not compared. */
	static final String VERSION = "text-2";

	private static final Pattern GREETING = Pattern.compile(
			"^(?:hi|hello|hey|hiya|greetings|good (?:morning|afternoon|evening))(?: there| all| team| everyone)?"
					+ "\\s*[,!.:;-]*\\s+",
			Pattern.CASE_INSENSITIVE);

	private static final Pattern REQUEST = Pattern.compile(
			"^(?:(?:please|kindly)\\s+)?(?:(?:could|can|would|will) you\\s+(?:please\\s+|kindly\\s+)?)?"
					+ "(?:tell me|explain(?: to me)?|show me|let me know|walk me through|help me understand)\\s+",
			Pattern.CASE_INSENSITIVE);

	private static final Pattern LEADING_PLEASE = Pattern.compile("^please[,]?\\s+", Pattern.CASE_INSENSITIVE);

	private static final Pattern THANKS = Pattern.compile(
			"[\\s,.!]*(?:many thanks|thanks|thank you|thx|cheers)(?: (?:so|very) much| a lot| in advance)?[\\s.!]*$",
			Pattern.CASE_INSENSITIVE);

	private static final Pattern TRAILING_PLEASE = Pattern.compile(",?\\s+please(?=\\s*[?.!]*\\s*$)",
			Pattern.CASE_INSENSITIVE);

	private PromptText() {
	}

	static String forEmbedding(String prompt) {
		String text = prompt.strip().replaceAll("\\s+", " ");
		text = GREETING.matcher(text).replaceFirst("");
		text = THANKS.matcher(text).replaceFirst("");
		text = TRAILING_PLEASE.matcher(text).replaceFirst("");
		String asked = REQUEST.matcher(text).replaceFirst("");
		asked = LEADING_PLEASE.matcher(asked).replaceFirst("");
		// Never embed nothing: a prompt that was all courtesy is embedded as written.
		return asked.isBlank() ? prompt : asked;
	}

}
