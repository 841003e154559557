package dev.switchboard.dispatch;

import java.util.HashMap;
import java.util.Map;

import io.netty.channel.ChannelOption;
import reactor.netty.http.client.HttpClient;

import dev.switchboard.catalog.ModelCatalog;
import dev.switchboard.catalog.ProviderSpec;

/**
 * One HTTP client per provider, each derived from the gateway's own {@link HttpClient} bean.
 *
 * <p>Deriving keeps everything the platform configured under
 * {@code spring.cloud.gateway.server.webflux.httpclient} (connection pool, TLS, proxy, wiretap,
 * {@code HttpClientCustomizer}s) and the same pool of connections; only the provider's own connect
 * and response timeouts are set on top.
 */
public final class ProviderClients {

	private final Map<String, HttpClient> clients = new HashMap<>();

	public ProviderClients(HttpClient gatewayClient, ModelCatalog catalog) {
		for (ProviderSpec provider : catalog.providers().values()) {
			this.clients.put(provider.name(),
					gatewayClient
						.option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
								(int) Math.min(Integer.MAX_VALUE, provider.connectTimeout().toMillis()))
						.responseTimeout(provider.responseTimeout()));
		}
	}

	public HttpClient forProvider(String name) {
		HttpClient client = this.clients.get(name);
		if (client == null) {
			throw new IllegalStateException("No HTTP client for provider " + name);
		}
		return client;
	}

}
