package dev.switchboard.guard;

import java.net.URI;
import java.util.Map;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

import dev.switchboard.core.BoundedBodies;

/**
 * A guardrail's call to a service of its own (Presidio, a policy webhook): a JSON body posted, the
 * answer read up to a bound. Another status than 2xx, or a longer answer, fails the call, which
 * the {@link GuardService} turns into the guardrail's fail mode; so does a call that outlasts the
 * guardrail's timeout, which cancels it (and closes its connection).
 */
public final class GuardCalls {

	private GuardCalls() {
	}

	/**
	 * {@code uri}, when it is an http or https URL: what a guardrail's service may be.
	 * @throws IllegalArgumentException naming {@code property}, for the start-up report
	 */
	public static URI httpUrl(URI uri, String property) {
		if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
			throw new IllegalArgumentException(property + ": '" + uri + "' is not an http or https URL");
		}
		return uri;
	}

	/**
	 * @param service how errors name the service ("the webhook", "Presidio")
	 * @param headers further request headers (a signature)
	 */
	public static Mono<byte[]> postJson(HttpClient client, URI uri, byte[] body, Map<String, String> headers, int max,
			String service) {
		return client
			.headers(request -> {
				request.set(HttpHeaderNames.CONTENT_TYPE, "application/json");
				headers.forEach(request::set);
			})
			.post()
			.uri(uri)
			.send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(body)))
			.response((response, content) -> {
				int status = response.status().code();
				if (status < 200 || status >= 300) {
					return Mono.error(new IllegalStateException(service + " answered HTTP " + status + " at "
							+ uri.getPath()));
				}
				return BoundedBodies.limited(content.asByteArray(), max,
						() -> new IllegalStateException(service + "'s answer exceeded " + max + " bytes"));
			})
			.single();
	}

}
