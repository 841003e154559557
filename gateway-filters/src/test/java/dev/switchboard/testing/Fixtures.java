package dev.switchboard.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Reads {@code src/test/resources/fixtures/<provider>/<case>} files. */
public final class Fixtures {

	private Fixtures() {
	}

	public static byte[] bytes(String path) {
		try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + path)) {
			if (in == null) {
				throw new IllegalArgumentException("No fixture " + path);
			}
			return in.readAllBytes();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	public static String text(String path) {
		return new String(bytes(path), StandardCharsets.UTF_8);
	}

}
