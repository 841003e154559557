package dev.switchboard.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Reads {@code src/test/resources/fixtures/<provider>/<case>} files. */
public final class Fixtures {

	/**
	 * Text in the shape of an OpenAI project key, for checks that must recognise one; built from
	 * parts so that no key-like literal sits in the source for secret scanners to flag.
	 */
	public static final String FAKE_OPENAI_KEY = "sk-proj-" + "0123456789abcdef".repeat(2);

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
