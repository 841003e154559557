package dev.switchboard.translate;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.netty.handler.codec.http.HttpHeaderNames;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.JsonNode;

import dev.switchboard.core.BoundedBodies;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.LlmExchange;

/**
 * Fetches the {@code http(s)} image URLs of a request for providers that accept only inline image
 * bytes, once per request, so every attempt of a failover reuses them.
 *
 * <p>This is the one place the gateway fetches a URL on a client's behalf, so it refuses to be a
 * server-side request forgery tool: every address a host name resolves to (including after a
 * redirect, and checked at connect time so DNS rebinding cannot slip through) must be public
 * unless {@code allowPrivateNetworks} is set; loopback, private, link-local, unique-local,
 * multicast and unspecified addresses are refused. Responses must be images and are capped in size
 * while they stream in, so a huge or endless body costs at most the cap.
 */
public class ImageInliner {

	private final HttpClient client;

	private final long maxBytes;

	private final Duration timeout;

	private final int maxImages;

	/**
	 * @param client the HTTP client to fetch with (the gateway's); redirects are followed at most
	 * as far as the client allows, each hop re-checked
	 * @param maxBytes largest image accepted
	 * @param timeout longest a single fetch may take
	 * @param allowPrivateNetworks whether loopback, private and link-local addresses may be fetched
	 */
	/**
	 * @param maxImages most image URLs one request may make the gateway fetch, so the per-image size
	 * cap also bounds a request's memory
	 */
	public ImageInliner(HttpClient client, long maxBytes, Duration timeout, boolean allowPrivateNetworks,
			int maxImages) {
		this.maxBytes = maxBytes;
		this.timeout = timeout;
		this.maxImages = maxImages;
		// Never through the gateway's proxy: the address check must apply to the image host itself.
		HttpClient direct = client.noProxy().followRedirect(true);
		this.client = allowPrivateNetworks ? direct
				: direct.resolvedAddressesSelector((config, addresses) -> publicOnly(addresses));
	}

	public ImageInliner(HttpClient client, long maxBytes, Duration timeout, boolean allowPrivateNetworks) {
		this(client, maxBytes, timeout, allowPrivateNetworks, 16);
	}

	/** Fetches every image URL of the request not fetched yet, and stores the bytes on the exchange. */
	public Mono<Void> inline(LlmExchange exchange) {
		Map<String, String> urls = imageUrls(exchange.body());
		if (urls.size() > this.maxImages) {
			return Mono.error(LlmApiException.invalidRequest("The request has " + urls.size()
					+ " image URLs; the gateway fetches at most " + this.maxImages
					+ " per request. Send the others as data: URLs.", "messages"));
		}
		return Flux.fromIterable(urls.entrySet())
			.filter(entry -> exchange.inlined(entry.getKey()) == null)
			.flatMap(entry -> fetch(entry.getKey(), entry.getValue())
				.doOnNext(data -> exchange.inlineUrl(entry.getKey(), data)), 4)
			.then();
	}

	private Mono<LlmExchange.InlineData> fetch(String url, String param) {
		URI uri;
		try {
			uri = URI.create(url);
		}
		catch (IllegalArgumentException ex) {
			return Mono.error(LlmApiException.invalidRequest("The image URL is not a valid URL.", param));
		}
		String scheme = (uri.getScheme() != null) ? uri.getScheme().toLowerCase(Locale.ROOT) : "";
		if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
			return Mono.error(LlmApiException.invalidRequest("Image URLs must be http(s) or data: URLs.", param));
		}
		return this.client.get()
			.uri(uri)
			.response((response, body) -> {
				int status = response.status().code();
				if (status != 200) {
					return Mono.error(LlmApiException.invalidRequest(
							"The image URL could not be downloaded (HTTP " + status + ").", param));
				}
				String contentType = response.responseHeaders().get(HttpHeaderNames.CONTENT_TYPE, "");
				String mediaType = contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
				if (!mediaType.startsWith("image/")) {
					return Mono.error(LlmApiException.invalidRequest(
							"The image URL did not return an image (Content-Type '" + contentType + "').", param));
				}
				long declared = response.responseHeaders().getInt(HttpHeaderNames.CONTENT_LENGTH, -1);
				if (declared > this.maxBytes) {
					return Mono.error(tooLarge(param));
				}
				return BoundedBodies.limited(body.asByteArray(), this.maxBytes, () -> tooLarge(param))
					.map(bytes -> new LlmExchange.InlineData(mediaType, Base64.getEncoder().encodeToString(bytes)));
			})
			.single()
			.timeout(this.timeout)
			.onErrorMap(error -> !(error instanceof LlmApiException),
					error -> LlmApiException.invalidRequest("The image URL could not be downloaded"
							+ (isRefused(error) ? ": it does not resolve to a public address." : "."), param));
	}

	private LlmApiException tooLarge(String param) {
		return LlmApiException.invalidRequest("The image is larger than the gateway's limit of " + this.maxBytes
				+ " bytes.", param);
	}

	private static boolean isRefused(Throwable error) {
		for (Throwable t = error; t != null; t = t.getCause()) {
			if (t instanceof NoPublicAddressException) {
				return true;
			}
		}
		return false;
	}

	/** The {@code http(s)} image URLs of the request's messages, with the parameter path naming each. */
	public static Map<String, String> imageUrls(JsonNode body) {
		Map<String, String> urls = new LinkedHashMap<>();
		JsonNode messages = body.path("messages");
		for (int i = 0; i < messages.size(); i++) {
			JsonNode content = messages.get(i).path("content");
			for (int j = 0; j < content.size(); j++) {
				JsonNode part = content.get(j);
				if ("image_url".equals(part.path("type").asString(""))) {
					JsonNode url = part.path("image_url").path("url");
					String value = url.isString() ? url.stringValue() : part.path("image_url").asString("");
					if (!DataUrl.is(value) && !value.isEmpty()) {
						urls.putIfAbsent(value, "messages[" + i + "].content[" + j + "].image_url.url");
					}
				}
			}
		}
		return urls;
	}

	static List<? extends SocketAddress> publicOnly(List<? extends SocketAddress> addresses) {
		List<SocketAddress> allowed = new ArrayList<>();
		for (SocketAddress address : addresses) {
			if (address instanceof InetSocketAddress inet && inet.getAddress() != null && isPublic(inet.getAddress())) {
				allowed.add(address);
			}
		}
		if (allowed.isEmpty()) {
			throw new NoPublicAddressException();
		}
		return allowed;
	}

	/** Public unicast only: no loopback, RFC 1918, link-local, CGNAT, unique-local, multicast or wildcard. */
	static boolean isPublic(InetAddress address) {
		if (address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress()
				|| address.isAnyLocalAddress() || address.isMulticastAddress()) {
			return false;
		}
		byte[] bytes = address.getAddress();
		if (address instanceof Inet6Address) {
			// IPv4 inside IPv6: mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::a.b.c.d) and 6to4 (2002:AABB:CCDD::).
			if (isV4Mapped(bytes) || isNat64(bytes)) {
				return isPublicV4(Arrays.copyOfRange(bytes, 12, 16));
			}
			if ((bytes[0] & 0xff) == 0x20 && (bytes[1] & 0xff) == 0x02) {
				return isPublicV4(Arrays.copyOfRange(bytes, 2, 6));
			}
			boolean uniqueLocal = (bytes[0] & 0xfe) == 0xfc;
			return !uniqueLocal;
		}
		int first = bytes[0] & 0xff;
		int second = bytes[1] & 0xff;
		boolean carrierGradeNat = first == 100 && second >= 64 && second <= 127;
		boolean thisNetwork = first == 0;
		boolean benchmarking = first == 198 && (second == 18 || second == 19);
		return !carrierGradeNat && !thisNetwork && !benchmarking && first < 224;
	}

	private static boolean isPublicV4(byte[] v4) {
		try {
			return isPublic(InetAddress.getByAddress(v4));
		}
		catch (UnknownHostException ex) {
			return false;
		}
	}

	private static boolean isNat64(byte[] bytes) {
		if ((bytes[0] & 0xff) != 0x00 || (bytes[1] & 0xff) != 0x64 || (bytes[2] & 0xff) != 0xff
				|| (bytes[3] & 0xff) != 0x9b) {
			return false;
		}
		for (int i = 4; i < 12; i++) {
			if (bytes[i] != 0) {
				return false;
			}
		}
		return true;
	}

	private static boolean isV4Mapped(byte[] bytes) {
		for (int i = 0; i < 10; i++) {
			if (bytes[i] != 0) {
				return false;
			}
		}
		return (bytes[10] & 0xff) == 0xff && (bytes[11] & 0xff) == 0xff;
	}

	/** Every address of the host is private: the connection is never attempted. */
	static final class NoPublicAddressException extends IllegalStateException {

		NoPublicAddressException() {
			super("host resolves only to non-public addresses", null);
		}

	}

}
