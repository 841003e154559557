package dev.switchboard.autoconfigure;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import org.springframework.test.context.DynamicPropertyRegistry;

import dev.switchboard.testing.StubUpstream;

/**
 * A stub provider on loopback for a gateway test class: started with the class, emptied of its
 * answers and of what it received before each test (before the test's own {@code @BeforeEach}
 * sets the answers), closed after the class.
 *
 * <pre>
 * &#64;RegisterExtension
 * static final StubProvider openai = new StubProvider();
 *
 * &#64;DynamicPropertySource
 * static void providers(DynamicPropertyRegistry registry) {
 *     openai.serve(registry, "openai");
 * }
 * </pre>
 */
final class StubProvider implements BeforeEachCallback, AfterAllCallback {

	private final StubUpstream upstream = new StubUpstream();

	StubUpstream upstream() {
		return this.upstream;
	}

	/** Points the gateway's provider {@code provider} at this stub. */
	void serve(DynamicPropertyRegistry registry, String provider) {
		registry.add("switchboard.providers." + provider + ".base-url", () -> this.upstream.baseUrl().toString());
	}

	@Override
	public void beforeEach(ExtensionContext context) {
		this.upstream.reset();
	}

	@Override
	public void afterAll(ExtensionContext context) {
		this.upstream.close();
	}

}
