package dev.switchboard.translate.azure;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import org.springframework.http.HttpHeaders;

import dev.switchboard.catalog.ProviderSpec;
import dev.switchboard.catalog.ProviderType;
import dev.switchboard.core.RouteTarget;
import dev.switchboard.translate.openai.OpenAiProtocolAdapter;

/**
 * Azure OpenAI: the OpenAI wire format behind deployment URLs.
 *
 * <p>The provider's {@code base-url} is the resource endpoint ({@code https://<resource>.openai.azure.com});
 * a model's {@code upstream-model} is the <em>deployment</em> name, which Azure takes from the path
 * ({@code /openai/deployments/<deployment>/chat/completions?api-version=...}) rather than from the
 * body. The key goes in the {@code api-key} header. Bodies, streams (including
 * {@code stream_options.include_usage}, supported since API version 2024-10-21), usage and error
 * shapes are OpenAI's, so everything else is inherited; Azure's own {@code content_filter} finish
 * reason and 400 {@code content_filter} errors pass through unchanged.
 */
public class AzureOpenAiAdapter extends OpenAiProtocolAdapter {

	/** The latest GA data-plane version when this adapter was written; override with {@code api-version}. */
	public static final String DEFAULT_API_VERSION = "2024-10-21";

	@Override
	public ProviderType type() {
		return ProviderType.AZURE_OPENAI;
	}

	@Override
	protected String path(RouteTarget target, String operation) {
		String version = (target.provider().apiVersion() != null) ? target.provider().apiVersion()
				: DEFAULT_API_VERSION;
		return "/openai/deployments/" + URLEncoder.encode(target.model().upstreamModel(), StandardCharsets.UTF_8)
				+ operation + "?api-version=" + URLEncoder.encode(version, StandardCharsets.UTF_8);
	}

	/** Azure OpenAI's data-plane list of the models the resource can deploy. */
	@Override
	protected String modelsPath(ProviderSpec provider) {
		String version = (provider.apiVersion() != null) ? provider.apiVersion() : DEFAULT_API_VERSION;
		return "/openai/models?api-version=" + URLEncoder.encode(version, StandardCharsets.UTF_8);
	}

	@Override
	protected void authenticate(HttpHeaders headers, ProviderSpec provider) {
		if (provider.apiKey() != null && !provider.apiKey().isEmpty()) {
			headers.set("api-key", provider.apiKey().reveal());
		}
	}

}
