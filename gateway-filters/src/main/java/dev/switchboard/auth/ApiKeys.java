package dev.switchboard.auth;

import java.nio.charset.StandardCharsets;

import dev.switchboard.core.Hashes;

/**
 * Client key helpers. Keys are stored as SHA-256 hex digests ({@code echo -n "$KEY" | sha256sum}),
 * so the configuration and a heap dump never hold a usable client key.
 */
public final class ApiKeys {

	private ApiKeys() {
	}

	public static String sha256Hex(String key) {
		return Hashes.sha256Hex(key.getBytes(StandardCharsets.UTF_8));
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
