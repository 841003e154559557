package dev.switchboard.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension: one real Redis per test class, on a free port, injected as a
 * {@link RedisTestServer} parameter.
 *
 * <pre>
 * &#64;ExtendWith(RedisServerExtension.class)
 * class QuotaRedisTests {
 *     &#64;Test void holds(RedisTestServer redis) { ... redis.address() ... }
 * }
 * </pre>
 */
public class RedisServerExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

	private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace
		.create(RedisServerExtension.class);

	@Override
	public void beforeAll(ExtensionContext context) {
		context.getStore(NAMESPACE).put("redis", RedisTestServer.startOnFreePort());
	}

	@Override
	public void afterAll(ExtensionContext context) throws Exception {
		RedisTestServer redis = context.getStore(NAMESPACE).remove("redis", RedisTestServer.class);
		if (redis != null) {
			redis.close();
		}
	}

	@Override
	public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
		return parameter.getParameter().getType() == RedisTestServer.class;
	}

	@Override
	public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
		return server(context);
	}

	/** The class's server, for use in fields set up by {@code @BeforeAll}/{@code @BeforeEach}. */
	public static RedisTestServer server(ExtensionContext context) {
		ExtensionContext classContext = context;
		while (classContext.getParent().isPresent() && classContext.getTestMethod().isPresent()) {
			classContext = classContext.getParent().get();
		}
		return classContext.getStore(NAMESPACE).get("redis", RedisTestServer.class);
	}

}
