package dev.switchboard.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;

import dev.switchboard.catalog.ProviderType;

/**
 * Estimates the prompt tokens of a request before it is sent, to reserve them.
 *
 * <p>OpenAI-protocol providers ({@code openai}, {@code azure-openai}) are counted with jtokkit:
 * the encoding jtokkit knows for the upstream model, else {@code o200k_base} for the GPT-4o,
 * GPT-4.1, GPT-5 and o-series families and {@code cl100k_base} for the rest, plus OpenAI's
 * chat overhead (3 tokens per message, 1 per name, 3 to prime the reply). Other providers use
 * their own tokenizers, which jtokkit does not have: their text is counted as one token per 4
 * characters, rounded up, with the same overhead; the reconciliation after the call corrects
 * either estimate to the provider's billed usage. Images count 85 tokens each (OpenAI's
 * low-detail price) until the provider says otherwise.
 *
 * <p><b>Bounded whatever the text.</b> jtokkit's byte-pair merge of one long piece without a
 * break (5 MB of one repeated character) is slow and allocates without bound: counted whole, such
 * a prompt took seconds and ended in an {@link OutOfMemoryError}. So text is counted in pieces of
 * at most {@value #PIECE_CHARS} characters, cut at a space where there is one (where jtokkit would
 * split anyway, so ordinary text counts exactly as a whole), and only the first
 * {@value #EXACT_CHARS} characters of a request are counted at all; the rest is extrapolated at
 * the tokens per character measured on the counted part. Beyond that size an exact count would
 * not change a decision: the estimate only sizes a reservation, and settlement replaces it with the
 * provider's billed usage. Prompts over {@value #OFFLOAD_CHARS} characters are counted on a bounded
 * worker pool, never on a Netty event loop, and a count that fails even so (an {@link Error}
 * included) fails its own request with a clean error instead of the worker or the event loop.
 */
public final class TokenEstimator {

	static final int OFFLOAD_CHARS = 32 * 1024;

	/** Longest piece handed to jtokkit in one call. */
	static final int PIECE_CHARS = 4096;

	/** Characters of a request counted exactly; the rest is extrapolated. */
	static final long EXACT_CHARS = 1 << 20;

	private static final int PER_MESSAGE = 3;

	private static final int PER_NAME = 1;

	private static final int REPLY_PRIMING = 3;

	private static final int PER_IMAGE = 85;

	private static final Pattern O200K_MODELS = Pattern.compile("^(gpt-4o|chatgpt-4o|gpt-4\\.1|gpt-4\\.5|gpt-5|o1|o3|o4).*");

	/**
	 * One registry for the JVM, whatever the number of estimators (the quota service's, the
	 * dispatcher's for token counts, every gateway a test or a configuration rebuild starts): an
	 * encoding is immutable and thread-safe, and {@code o200k_base} alone takes tens of megabytes
	 * of heap once loaded. Lazy, so a gateway that never counts never loads one.
	 */
	private static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();

	private final EncodingRegistry registry = REGISTRY;

	/**
	 * Each upstream model's encoding once looked up, since the lookup (a scan of jtokkit's model
	 * names, then a regex) ran for every request. Bounded: configured models are few, but a route
	 * that passes the client's model name through could name any number of them.
	 */
	private static final Map<String, Encoding> ENCODINGS = new ConcurrentHashMap<>();

	private static final int MAX_ENCODINGS_KEPT = 1024;

	private final Scheduler offload;

	public TokenEstimator() {
		this(Schedulers.boundedElastic());
	}

	/** @param offload where large prompts are counted */
	public TokenEstimator(Scheduler offload) {
		this.offload = offload;
	}

	/** Prompt tokens of a chat or embeddings request for the given target. */
	public Mono<Long> promptTokens(Operation operation, JsonNode body, RouteTarget target) {
		Prompt prompt = collect(operation, body);
		if (prompt.chars < OFFLOAD_CHARS) {
			return Mono.just(count(prompt, target));
		}
		return Mono.fromCallable(() -> guarded(prompt, target)).subscribeOn(this.offload);
	}

	/** Tokens in a piece of generated text, for streams cut before the provider reported usage. */
	public long textTokens(String text, RouteTarget target) {
		Encoding encoding = encoding(target);
		return (encoding != null) ? bounded(encoding, text, EXACT_CHARS) : approximate(text);
	}

	/** The approximation used for providers without a jtokkit encoding: ceil(chars / 4). */
	public static long approximate(CharSequence text) {
		return (text.length() + 3) / 4;
	}

	long count(Prompt prompt, RouteTarget target) {
		Encoding encoding = encoding(target);
		long tokens = prompt.overhead;
		if (encoding == null) {
			for (String text : prompt.texts) {
				tokens += approximate(text);
			}
			return tokens;
		}
		long budget = EXACT_CHARS;
		long counted = 0;
		long countedChars = 0;
		for (String text : prompt.texts) {
			long exact = Math.min(text.length(), budget);
			counted += bounded(encoding, text, exact);
			countedChars += exact;
			budget -= exact;
		}
		long rest = prompt.chars - countedChars;
		if (rest > 0) {
			// Rounded up: a reservation a little high is corrected at settlement, one too low lets a team overshoot.
			tokens += (long) Math.ceil(rest * ((double) counted / Math.max(1, countedChars)));
		}
		return tokens + counted;
	}

	/**
	 * A count off the event loop that fails only its own request: a {@link StackOverflowError} or
	 * {@link OutOfMemoryError} here is one pathological prompt, whose memory is released with it,
	 * not a broken JVM; Reactor would rethrow it on the worker thread and the request would hang.
	 */
	private long guarded(Prompt prompt, RouteTarget target) {
		try {
			return count(prompt, target);
		}
		catch (StackOverflowError | OutOfMemoryError ex) {
			throw new LlmApiException(413, LlmApiException.INVALID_REQUEST, "prompt_too_complex", "messages",
					"The gateway could not count the tokens of this prompt; send a shorter one.", null, null);
		}
	}

	/**
	 * The tokens of the first {@code limit} characters of {@code text}, counted in pieces of at most
	 * {@value #PIECE_CHARS} characters cut before a space where possible (never inside a surrogate
	 * pair), so no single call to jtokkit sees an unbounded piece.
	 */
	static long bounded(Encoding encoding, String text, long limit) {
		int end = (int) Math.min(text.length(), limit);
		if (end <= PIECE_CHARS) {
			return encoding.countTokensOrdinary((end == text.length()) ? text : text.substring(0, end));
		}
		long tokens = 0;
		int start = 0;
		while (start < end) {
			int cut = Math.min(end, start + PIECE_CHARS);
			if (cut < end) {
				int space = text.lastIndexOf(' ', cut);
				if (space > start + PIECE_CHARS / 2) {
					cut = space;
				}
				else if (Character.isHighSurrogate(text.charAt(cut - 1))) {
					cut--;
				}
			}
			tokens += encoding.countTokensOrdinary(text.substring(start, cut));
			start = cut;
		}
		return tokens;
	}

	Encoding encoding(RouteTarget target) {
		ProviderType type = target.provider().type();
		if (type != ProviderType.OPENAI && type != ProviderType.AZURE_OPENAI) {
			return null;
		}
		String model = target.model().upstreamModel();
		Encoding known = ENCODINGS.get(model);
		if (known != null) {
			return known;
		}
		Encoding encoding = lookUp(model);
		if (ENCODINGS.size() < MAX_ENCODINGS_KEPT) {
			ENCODINGS.putIfAbsent(model, encoding);
		}
		return encoding;
	}

	/** The model's encoding as jtokkit names it, else by family: a registry scan and a regex. */
	private Encoding lookUp(String upstreamModel) {
		String model = upstreamModel.toLowerCase(Locale.ROOT);
		return this.registry.getEncodingForModel(model)
			.orElseGet(() -> this.registry.getEncoding(O200K_MODELS.matcher(model).matches() ? EncodingType.O200K_BASE
					: EncodingType.CL100K_BASE));
	}

	static Prompt collect(Operation operation, JsonNode body) {
		Prompt prompt = new Prompt();
		if (operation == Operation.EMBEDDINGS) {
			JsonNode input = body.path("input");
			if (input.isArray()) {
				input.forEach(item -> prompt.add(item.isString() ? item.stringValue() : item.toString()));
			}
			else if (input.isString()) {
				prompt.add(input.stringValue());
			}
			return prompt;
		}
		for (JsonNode message : body.path("messages")) {
			prompt.overhead += PER_MESSAGE;
			prompt.add(message.path("role").asString(""));
			if (message.hasNonNull("name")) {
				prompt.overhead += PER_NAME;
				prompt.add(message.path("name").asString(""));
			}
			JsonNode content = message.path("content");
			if (content.isString()) {
				prompt.add(content.stringValue());
			}
			else if (content.isArray()) {
				for (JsonNode part : content) {
					if (part.path("text").isString()) {
						prompt.add(part.path("text").stringValue());
					}
					else if (part.has("image_url") || part.has("input_audio") || part.has("file")) {
						prompt.overhead += PER_IMAGE;
					}
				}
			}
			if (message.has("tool_calls")) {
				prompt.add(message.get("tool_calls").toString());
			}
		}
		if (body.has("tools")) {
			prompt.add(body.get("tools").toString());
		}
		if (body.has("response_format") && body.path("response_format").has("json_schema")) {
			prompt.add(body.path("response_format").path("json_schema").toString());
		}
		prompt.overhead += REPLY_PRIMING;
		return prompt;
	}

	/** The texts of a request to count, and the tokens it costs beyond them. */
	static final class Prompt {

		final List<String> texts = new ArrayList<>();

		long overhead;

		long chars;

		void add(String text) {
			if (!text.isEmpty()) {
				this.texts.add(text);
				this.chars += text.length();
			}
		}

	}

}
