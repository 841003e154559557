package dev.switchboard.translate.spi;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;

/**
 * The provider-native request for one attempt.
 *
 * @param method HTTP method
 * @param path path and query appended to the provider's base URL ({@code /chat/completions})
 * @param headers headers including the provider credential; never logged
 * @param body serialized body
 */
public record UpstreamRequest(HttpMethod method, String path, HttpHeaders headers, byte[] body) {
}
