package dev.switchboard.core;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;

import org.jspecify.annotations.Nullable;

/**
 * What translating the request for its targets found out, kept on the {@link LlmExchange}: the
 * client's parameters the latest target's request left out (for a response header), and content
 * behind the request's URLs that the gateway fetched once for every target that needs it inline.
 */
public final class TranslationNotes {

	private final LlmExchange exchange;

	private final Set<String> dropped = new CopyOnWriteArraySet<>();

	private final Map<String, InlineData> inlined = new ConcurrentHashMap<>();

	TranslationNotes(LlmExchange exchange) {
		this.exchange = exchange;
	}

	/** An adapter left a client parameter out (policy {@code drop}); reported in a response header. */
	public void drop(String param, String why) {
		if (this.dropped.add(param)) {
			this.exchange.decide("translate", "dropped '" + param + "' (" + why + ")");
		}
	}

	/**
	 * Another target's request is about to be translated: what an earlier target dropped says nothing
	 * about the answer the client will get. The decision log still has it.
	 */
	public void forgetDropped() {
		this.dropped.clear();
	}

	/** What the latest translated request left out, for the {@code x-switchboard-dropped-params} header. */
	public Set<String> dropped() {
		return Collections.unmodifiableSet(this.dropped);
	}

	/**
	 * Content behind a URL of the request (an image), fetched once by the gateway for providers that
	 * only accept inline data, and shared by every attempt of the request.
	 */
	public void inline(String url, InlineData data) {
		this.inlined.put(url, data);
	}

	public @Nullable InlineData inlined(String url) {
		return this.inlined.get(url);
	}

	/** Bytes fetched from a URL, base64-encoded, with their media type. */
	public record InlineData(String mediaType, String base64) {
	}

}
