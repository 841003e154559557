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

	/** The bearer token of the {@code Authorization} header, or {@code null} when there is none. */
	public static @Nullable String bearerToken(HttpHeaders headers) {
		String authorization = headers.getFirst(HttpHeaders.AUTHORIZATION);
		if (authorization == null || authorization.length() <= BEARER.length()
				|| !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
			return null;
		}
		String token = authorization.substring(BEARER.length()).trim();
		return token.isEmpty() ? null : token;
	}

}
