package dev.switchboard.autoconfigure;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;

import dev.switchboard.catalog.ProviderType;
import dev.switchboard.mock.MockBehavior;
import dev.switchboard.mock.MockLlmServer;

/**
 * The simulated providers the gateway starts itself: one loopback {@link MockLlmServer} for each
 * provider of type {@code mock} without a {@code base-url}. They are real HTTP servers, so a
 * gateway running on the embedded default exercises exactly the network path real providers take.
 */
public class EmbeddedMockProviders implements DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(EmbeddedMockProviders.class);

	private final Map<String, MockLlmServer> servers = new LinkedHashMap<>();

	EmbeddedMockProviders(SwitchboardProperties properties) {
		properties.providers().forEach((name, provider) -> {
			if (provider.baseUrl() == null && isMock(provider.type())) {
				MockLlmServer server = MockLlmServer.start(mockBehavior(provider.mock()));
				log.info("Started simulated provider '{}' on {}", name, server.baseUrl());
				this.servers.put(name, server);
			}
		});
	}

	private static boolean isMock(String type) {
		try {
			return ProviderType.of(type) == ProviderType.MOCK;
		}
		catch (IllegalArgumentException ex) {
			return false;
		}
	}

	public URI baseUrl(String provider) {
		MockLlmServer server = this.servers.get(provider);
		return (server != null) ? server.baseUrl() : null;
	}

	public Map<String, MockLlmServer> servers() {
		return Map.copyOf(this.servers);
	}

	@Override
	public void destroy() {
		this.servers.values().forEach(MockLlmServer::close);
	}

	private static MockBehavior mockBehavior(SwitchboardProperties.Mock mock) {
		return new MockBehavior(mock.latency(), mock.timeToFirstToken(), mock.tokensPerSecond(), mock.responseTokens(),
				mock.failureRates(), mock.hangRate(), mock.retryAfter(), mock.embeddingDimensions());
	}

}
