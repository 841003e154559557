package dev.switchboard.autoconfigure;

import reactor.core.publisher.Flux;

import dev.switchboard.testing.Fixtures;
import dev.switchboard.testing.StubUpstream;

/**
 * The four wire formats the end-to-end tests drive every scenario through: each provider type's
 * loopback stub, its fixtures ({@code e2e/<fixtures>/}), the models the test profiles give it and
 * the paths its API uses. One table for every such test ({@link ProviderParityTest} at the OpenAI
 * door, {@link FrontDoorsIntegrationTest} at the Anthropic and Responses doors).
 *
 * <p>The stubs live as long as the test JVM and are shared by those classes, which run one after
 * another: every test resets the stub it answers from ({@link #answerJson}, {@link #answerStream},
 * {@code stub.reset()}). They run on event loops of their own (daemon threads), so no class has to
 * close them.
 */
enum E2eProvider {

	OPENAI("openai", "m-openai", "e-openai", "/v1", "/v1/chat/completions", "/v1/chat/completions", "/v1/embeddings",
			"\"role\":\"tool\""),
	AZURE("openai", "m-azure", "e-azure", "", "/openai/deployments/dep-test/chat/completions",
			"/openai/deployments/dep-test/chat/completions", "/openai/deployments/emb-test/embeddings",
			"\"role\":\"tool\""),
	ANTHROPIC("anthropic", "m-anthropic", null, "/v1", "/v1/messages", "/v1/messages", null,
			"\"tool_use_id\":\"toolu_e2e\""),
	GEMINI("gemini", "m-gemini", "e-gemini", "/v1beta", "/v1beta/models/gemini-test:generateContent",
			"/v1beta/models/gemini-test:streamGenerateContent", "/v1beta/models/gemini-embed:batchEmbedContents",
			"\"functionResponse\"");

	final String fixtures;

	final String chatModel;

	/** {@code null} for Anthropic, which has no embeddings API. */
	final String embeddingModel;

	final String basePath;

	final String chatPath;

	final String streamPath;

	final String embeddingsPath;

	/** How the client's tool result looks in the provider's request. */
	final String toolResultMarker;

	final StubUpstream stub = new StubUpstream();

	E2eProvider(String fixtures, String chatModel, String embeddingModel, String basePath, String chatPath,
			String streamPath, String embeddingsPath, String toolResultMarker) {
		this.fixtures = fixtures;
		this.chatModel = chatModel;
		this.embeddingModel = embeddingModel;
		this.basePath = basePath;
		this.chatPath = chatPath;
		this.streamPath = streamPath;
		this.embeddingsPath = embeddingsPath;
		this.toolResultMarker = toolResultMarker;
	}

	/** The provider's name in the test profiles ({@code switchboard.providers.<name>}). */
	String providerName() {
		return name().toLowerCase(java.util.Locale.ROOT);
	}

	/** The base URL the test profiles point this provider at. */
	String baseUrl() {
		return "http://127.0.0.1:" + this.stub.port() + this.basePath;
	}

	/** Whether the Anthropic door speaks this provider's protocol natively. */
	boolean isNative() {
		return this == ANTHROPIC;
	}

	String fixture(String name) {
		return Fixtures.text("e2e/" + this.fixtures + "/" + name);
	}

	void answerJson(String fixture) {
		this.stub.reset();
		this.stub.json(this.chatPath, 200, fixture(fixture));
	}

	void answerStream(String fixture) {
		this.stub.reset();
		this.stub.sse(this.streamPath, Flux.just(fixture(fixture)));
	}

}
