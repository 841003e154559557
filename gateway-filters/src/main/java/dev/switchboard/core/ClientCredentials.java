package dev.switchboard.core;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;

/**
 * The credential a client presents, read in one place: authentication matches it to a team, and
 * the quota's per-client layer counts by its hash, without either knowing the other.
 */
public final class ClientCredentials {

	private static final String BEARER = "Bearer ";

	private ClientCredentials() {
	}

	/**
	 * The header Anthropic's clients send their key in ({@code ANTHROPIC_API_KEY}); with
	 * {@code ANTHROPIC_AUTH_TOKEN} they send {@code Authorization: Bearer} like OpenAI's.
	 */
	public static final String X_API_KEY = "x-api-key";

	/**
	 * The key a client presents: the bearer token of the {@code Authorization} header, else the
	 * {@value #X_API_KEY} header, whatever door the request uses (a client is who its key says,
	 * not which SDK it runs); {@code null} when there is neither.
	 */
	public static @Nullable String apiKey(HttpHeaders headers) {
		String authorization = headers.getFirst(HttpHeaders.AUTHORIZATION);
		if (authorization != null && authorization.length() > BEARER.length()
				&& authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
			String token = authorization.substring(BEARER.length()).trim();
			if (!token.isEmpty()) {
				return token;
			}
		}
		String key = headers.getFirst(X_API_KEY);
		return (key != null && !key.isBlank()) ? key.trim() : null;
	}

}
