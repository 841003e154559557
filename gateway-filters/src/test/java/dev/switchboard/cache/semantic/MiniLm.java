package dev.switchboard.cache.semantic;

/** One real in-process embedder shared by the tests of this module: the model loads once. */
final class MiniLm {

	private static OnnxMiniLmEmbedder embedder;

	private MiniLm() {
	}

	static synchronized OnnxMiniLmEmbedder embedder() {
		if (embedder == null) {
			embedder = new OnnxMiniLmEmbedder(2, 512);
		}
		return embedder;
	}

	static float[] embed(String text) {
		return embedder().embed(text).block();
	}

}
