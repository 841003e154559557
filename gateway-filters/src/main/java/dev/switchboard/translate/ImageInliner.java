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
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.JsonNode;

import dev.switchboard.core.BoundedBodies;
import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.Timers;
import dev.switchboard.core.TranslationNotes;
import dev.switchboard.translate.spi.DataUrl;

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
 *
 * <p>A host that is an address already is decided without any lookup, in every spelling a
 * browser or {@code curl} accepts ({@code 2130706433}, {@code 0x7f000001}, {@code 0177.0.0.1},
 * {@code 127.1}, {@code [::1]}), and so are {@code localhost} and its subdomains (RFC 6761): handed
 * to a resolver, such names went to DNS, and the refusal waited on its timeout. Any lookup that is
 * still needed is bounded by {@value #LOOKUP_TIMEOUT_MILLIS} ms (or the fetch timeout, if shorter).
 */
public class ImageInliner {

	static final long LOOKUP_TIMEOUT_MILLIS = 2000;

	private final HttpClient client;

	private final boolean allowPrivateNetworks;

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
		this.allowPrivateNetworks = allowPrivateNetworks;
		Duration lookup = Duration.ofMillis(Math.min(LOOKUP_TIMEOUT_MILLIS, timeout.toMillis()));
		// Never through the gateway's proxy: the address check must apply to the image host itself.
		HttpClient direct = client.noProxy().followRedirect(true).resolver(spec -> spec.queryTimeout(lookup));
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
			.filter(entry -> exchange.translation().inlined(entry.getKey()) == null)
			.flatMap(entry -> fetch(entry.getKey(), entry.getValue())
				.doOnNext(data -> exchange.translation().inline(entry.getKey(), data)), 4)
			.then();
	}

	private Mono<TranslationNotes.InlineData> fetch(String url, String param) {
		URI uri;
		try {
			uri = URI.create(url);
		}
		catch (IllegalArgumentException ex) {
			return Mono.error(LlmApiException.invalidRequest("The image URL is not a valid URL.", param));
		}
		String scheme = (uri.getScheme() != null) ? uri.getScheme().toLowerCase(Locale.ROOT) : "";
		String host = host(uri);
		if (!scheme.equals("http") && !scheme.equals("https") || host == null) {
			return Mono.error(LlmApiException.invalidRequest("Image URLs must be http(s) or data: URLs.", param));
		}
		InetAddress literal = literalAddress(host);
		if (uri.getHost() == null && literal == null) {
			return Mono.error(LlmApiException.invalidRequest("The image URL is not a valid URL.", param));
		}
		if (!this.allowPrivateNetworks && (isLocalhostName(host) || literal != null && !isPublic(literal))) {
			return Mono.error(LlmApiException.invalidRequest(REFUSED, param));
		}
		URI target = (literal != null) ? withHost(uri, literal) : uri;
		return this.client.get()
			.uri(target)
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
					.map(bytes -> new TranslationNotes.InlineData(mediaType, Base64.getEncoder().encodeToString(bytes)));
			})
			.single()
			.timeout(Timers.delay(this.timeout))
			.onErrorMap(error -> !(error instanceof LlmApiException),
					error -> LlmApiException.invalidRequest(isRefused(error) ? REFUSED
							: "The image URL could not be downloaded.", param));
	}

	private static final String REFUSED = "The image URL could not be downloaded: it does not resolve to a public "
			+ "address.";

	/**
	 * The address a host names literally, in any form the WHATWG URL parser reads as IPv4 (one to
	 * four dot-separated parts, each decimal, {@code 0x} hex or {@code 0}-prefixed octal, the last
	 * filling the remaining bytes; a trailing dot allowed) or a bracketed IPv6 literal; {@code null}
	 * for a name that needs a lookup.
	 */
	static @Nullable InetAddress literalAddress(String host) {
		try {
			if (host.startsWith("[") && host.endsWith("]")) {
				// an IPv6 literal never goes to a resolver
				return InetAddress.getByName(host.substring(1, host.length() - 1));
			}
			String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
			String[] parts = name.split("\\.", -1);
			if (parts.length == 0 || parts.length > 4) {
				return null;
			}
			long[] numbers = new long[parts.length];
			for (int i = 0; i < parts.length; i++) {
				numbers[i] = ipv4Part(parts[i]);
				if (numbers[i] < 0) {
					return null;
				}
			}
			long value = 0;
			for (int i = 0; i < parts.length - 1; i++) {
				if (numbers[i] > 255) {
					return null;
				}
				value = (value << 8) | numbers[i];
			}
			int lastBytes = 5 - parts.length;
			long last = numbers[parts.length - 1];
			if (last >= (1L << (8 * lastBytes))) {
				return null;
			}
			value = (value << (8 * lastBytes)) | last;
			return InetAddress.getByAddress(new byte[] { (byte) (value >>> 24), (byte) (value >>> 16),
					(byte) (value >>> 8), (byte) value });
		}
		catch (UnknownHostException ex) {
			return null;
		}
	}

	/** One part of an IPv4 literal, or -1 when it is not a number (then the host is a name). */
	private static long ipv4Part(String part) {
		int radix = 10;
		String digits = part;
		if (part.length() > 1 && (part.startsWith("0x") || part.startsWith("0X"))) {
			radix = 16;
			digits = part.substring(2);
			if (digits.isEmpty()) {
				return 0;
			}
		}
		else if (part.length() > 1 && part.startsWith("0")) {
			radix = 8;
			digits = part.substring(1);
		}
		if (digits.isEmpty() || digits.length() > 12) {
			return -1;
		}
		try {
			return Long.parseLong(digits, radix);
		}
		catch (NumberFormatException ex) {
			return -1;
		}
	}

	/**
	 * The host of a URL. {@link URI} reads short IPv4 forms such as {@code 127.1} as a registry
	 * authority and gives no host for them, where URL parsers and {@code curl} read an address, so
	 * the authority is read here too.
	 */
	static @Nullable String host(URI uri) {
		if (uri.getHost() != null) {
			return uri.getHost();
		}
		String authority = uri.getRawAuthority();
		if (authority == null) {
			return null;
		}
		String hostPort = authority.substring(authority.lastIndexOf('@') + 1);
		int colon = hostPort.lastIndexOf(':');
		String host = (colon >= 0 && !hostPort.endsWith("]")) ? hostPort.substring(0, colon) : hostPort;
		return host.isEmpty() ? null : host;
	}

	/** {@code localhost} and every name under it, which RFC 6761 reserves for loopback. */
	static boolean isLocalhostName(String host) {
		String name = host.toLowerCase(Locale.ROOT);
		if (name.endsWith(".")) {
			name = name.substring(0, name.length() - 1);
		}
		return name.equals("localhost") || name.endsWith(".localhost");
	}

	/** The URL with its host written as the canonical address, so no resolver ever sees the odd spelling. */
	private static URI withHost(URI uri, InetAddress address) {
		String host = (address instanceof Inet6Address) ? "[" + address.getHostAddress() + "]"
				: address.getHostAddress();
		String authority = uri.getRawAuthority();
		String port = "";
		int colon = authority.lastIndexOf(':');
		if (colon >= 0 && !authority.endsWith("]") && colon > authority.lastIndexOf('@')) {
			port = authority.substring(colon);
		}
		return URI.create(uri.getScheme() + "://" + host + port
				+ ((uri.getRawPath() != null) ? uri.getRawPath() : "")
				+ ((uri.getRawQuery() != null) ? "?" + uri.getRawQuery() : ""));
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
			// Deprecated IPv4-compatible ::a.b.c.d (RFC 4291 2.5.5.1) and the rest of ::/96: nothing public lives there.
			boolean v4Compatible = true;
			for (int i = 0; i < 12; i++) {
				v4Compatible &= bytes[i] == 0;
			}
			boolean uniqueLocal = (bytes[0] & 0xfe) == 0xfc;
			return !v4Compatible && !uniqueLocal;
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
