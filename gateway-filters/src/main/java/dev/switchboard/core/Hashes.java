package dev.switchboard.core;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 as lower-case hex: client key hashes, cache keys. */
public final class Hashes {

	/**
	 * Cloned per digest: {@link MessageDigest#getInstance} looks the algorithm up among the
	 * security providers on every call, and this runs once or more per request (the client key,
	 * cache keys).
	 */
	private static final MessageDigest SHA_256 = sha256();

	private static final HexFormat HEX = HexFormat.of();

	private Hashes() {
	}

	/** The digest of the parts fed one after the other. */
	public static String sha256Hex(byte[]... parts) {
		MessageDigest digest = copy();
		for (byte[] part : parts) {
			digest.update(part);
		}
		return HEX.formatHex(digest.digest());
	}

	private static MessageDigest copy() {
		try {
			return (MessageDigest) SHA_256.clone();
		}
		catch (CloneNotSupportedException ex) {
			return sha256();
		}
	}

	private static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is required by every Java platform", ex);
		}
	}

}
