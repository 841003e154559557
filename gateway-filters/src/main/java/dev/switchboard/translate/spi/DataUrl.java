package dev.switchboard.translate.spi;

import java.util.Locale;

import dev.switchboard.core.LlmApiException;

/**
 * A base64 {@code data:} URL as OpenAI clients send images and files inline:
 * {@code data:<media type>[;<parameter>=<value>...];base64,<data>}.
 *
 * <p>Providers that take inline media want the two halves apart, and want them clean: Gemini
 * rejects a {@code mimeType} that still carries parameters such as {@code image/png;name=x.png}
 * (which some clients add), and Anthropic rejects a block without a {@code media_type} only after
 * the request has used up an attempt. So parameters are dropped from the media type, and a URL
 * without a media type, or whose data is not base64, is refused here, as the client's mistake,
 * with a 400 naming the parameter, before anything is sent. Every adapter parses data URLs through
 * this one class, so they all accept and refuse the same URLs.
 *
 * @param mediaType the media type, lower case, without parameters ({@code image/png})
 * @param base64 the data, standard base64 as sent (line breaks removed)
 */
public record DataUrl(String mediaType, String base64) {

	private static final String SCHEME = "data:";

	private static final String BASE64 = ";base64";

	/** Whether {@code url} is a data URL at all (its scheme, case-insensitively). */
	public static boolean is(String url) {
		return url.regionMatches(true, 0, SCHEME, 0, SCHEME.length());
	}

	/**
	 * Parses a base64 data URL.
	 * @param url the URL as the client sent it
	 * @param param the parameter path named in the error, e.g.
	 * {@code messages[0].content[1].image_url.url}
	 * @throws LlmApiException 400 when it is not a base64 data URL with a media type
	 */
	public static DataUrl parse(String url, String param) {
		int comma = url.indexOf(',');
		if (!is(url) || comma < 0) {
			throw invalid(param, "must be a base64 data URL (data:<media type>;base64,<data>).");
		}
		String header = url.substring(SCHEME.length(), comma);
		if (!header.regionMatches(true, header.length() - BASE64.length(), BASE64, 0, BASE64.length())) {
			throw invalid(param, "must be base64-encoded: data:<media type>;base64,<data>.");
		}
		int semicolon = header.indexOf(';');
		String mediaType = header.substring(0, semicolon).trim().toLowerCase(Locale.ROOT);
		if (mediaType.isEmpty() || mediaType.indexOf('/') <= 0 || mediaType.endsWith("/")) {
			throw invalid(param, "must name the media type of its data: data:<media type>;base64,<data>.");
		}
		String data = base64(url, comma + 1);
		if (data == null) {
			throw invalid(param, "does not carry valid base64 data after 'base64,'.");
		}
		return new DataUrl(mediaType, data);
	}

	/**
	 * The data from {@code start} if it is standard base64 (padding optional, as most decoders
	 * allow), with whitespace removed: {@code base64} on the command line wraps its output, and
	 * neither provider accepts line breaks. {@code null} when it is empty or not base64.
	 */
	private static String base64(String url, int start) {
		StringBuilder clean = null;
		int length = 0;
		int padding = 0;
		for (int i = start; i < url.length(); i++) {
			char c = url.charAt(i);
			if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
				if (clean == null) {
					clean = new StringBuilder(url.length() - start).append(url, start, i);
				}
				continue;
			}
			boolean alphabet = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+'
					|| c == '/';
			if (c == '=') {
				padding++;
			}
			else if (!alphabet || padding > 0) {
				return null;
			}
			length++;
			if (clean != null) {
				clean.append(c);
			}
		}
		// one character over a multiple of four can encode nothing; '=' pads to a multiple of four
		if (length == padding || padding > 2 || (length - padding) % 4 == 1 || (padding > 0 && length % 4 != 0)) {
			return null;
		}
		return (clean != null) ? clean.toString() : url.substring(start);
	}

	private static LlmApiException invalid(String param, String problem) {
		return LlmApiException.invalidRequest("'" + param + "' " + problem, param);
	}

}
