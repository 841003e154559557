package dev.switchboard.auth;

import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;

import dev.switchboard.core.Hashes;

/**
 * Client key helpers. Keys are stored as SHA-256 hex digests ({@code echo -n "$KEY" | sha256sum}),
 * so the configuration and a heap dump never hold a usable client key.
 */
public final class ApiKeys {

	private static final String BEARER = "Bearer ";

	private ApiKeys() {
	}

	public static String sha256Hex(String key) {
		return Hashes.sha256Hex(key.getBytes(StandardCharsets.UTF_8));
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

	public static boolean isSha256Hex(String value) {
		return value.length() == 64 && value.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
	}

	/** Prints the hash to put in {@code switchboard.teams.<team>.key-hashes}. */
	public static void main(String[] args) {
		if (args.length != 1) {
			System.err.println("usage: ApiKeys <client-key>");
			System.exit(2);
		}
		System.out.println(sha256Hex(args[0]));
	}

}
