package dev.switchboard.translate.spi;

import java.util.List;
import java.util.function.Consumer;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;

import dev.switchboard.catalog.ProviderSpec;

/** The headers every provider call carries: JSON in, JSON or SSE out, the credential, the operator's extras. */
public final class ProviderHeaders {

	private ProviderHeaders() {
	}

	/**
	 * @param authenticate puts the credential where the provider expects it (only called with a key)
	 */
	public static HttpHeaders json(ProviderSpec provider, boolean stream, Consumer<HttpHeaders> authenticate) {
		HttpHeaders headers = new HttpHeaders();
		headers.setContentType(MediaType.APPLICATION_JSON);
		headers.setAccept(List.of(stream ? MediaType.TEXT_EVENT_STREAM : MediaType.APPLICATION_JSON));
		if (provider.apiKey() != null && !provider.apiKey().isEmpty()) {
			authenticate.accept(headers);
		}
		provider.headers().forEach(headers::set);
		return headers;
	}

}
