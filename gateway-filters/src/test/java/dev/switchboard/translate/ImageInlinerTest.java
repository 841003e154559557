package dev.switchboard.translate;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Base64;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

import dev.switchboard.core.LlmApiException;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.Operation;
import dev.switchboard.core.TranslationNotes;
import dev.switchboard.testing.StubUpstream;
import dev.switchboard.testing.TestCatalogs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class ImageInlinerTest {

	private static final byte[] PNG = { (byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 1, 2, 3 };

	private static final StubUpstream images = new StubUpstream()
		.on("/cat.png", (request, response) -> response.header("content-type", "image/png").sendByteArray(Mono.just(PNG)))
		.on("/page.html", (request, response) -> response.header("content-type", "text/html").sendString(Mono.just("<p>")))
		.on("/huge.png", (request, response) -> response.header("content-type", "image/png")
			.sendByteArray(Flux.range(0, 64).map(i -> new byte[1024])))
		.on("/missing.png", (request, response) -> response.status(404).send());

	@AfterAll
	static void stop() {
		images.close();
	}

	@ParameterizedTest(name = "{0} public={1}")
	@CsvSource({ "127.0.0.1,false", "10.1.2.3,false", "172.16.0.1,false", "192.168.1.1,false",
			"169.254.169.254,false", "100.64.0.1,false", "0.0.0.0,false", "224.0.0.1,false", "::1,false",
			"fe80::1,false", "fc00::1,false", "::ffff:127.0.0.1,false", "::ffff:10.0.0.1,false", "8.8.8.8,true",
			"1.1.1.1,true", "2001:4860:4860::8888,true", "::ffff:8.8.8.8,true", "64:ff9b::a9fe:a9fe,false",
			"64:ff9b::808:808,true", "2002:0a00:0001::1,false", "2002:0808:0808::1,true", "::a9fe:a9fe,false",
			"::127.0.0.1,false", "::8.8.8.8,false" })
	void onlyPublicUnicastAddressesAreFetched(String address, boolean expected) throws Exception {
		assertThat(ImageInliner.isPublic(InetAddress.getByName(address))).isEqualTo(expected);
	}

	@Test
	void refusesLoopbackByDefaultWithoutConnecting() {
		int before = images.received().size();
		for (String host : new String[] { "127.0.0.1", "localhost" }) {
			LlmExchange exchange = exchangeWithImage("http://" + host + ":" + images.port() + "/cat.png");
			assertThatExceptionOfType(LlmApiException.class)
				.isThrownBy(() -> inliner(false, 1024).inline(exchange).block(Duration.ofSeconds(5)))
				.satisfies(ex -> {
					assertThat(ex.status()).isEqualTo(400);
					assertThat(ex.param()).isEqualTo("messages[0].content[1].image_url.url");
					assertThat(ex.getMessage()).contains("public address");
				});
		}
		assertThat(images.received()).hasSize(before);
	}

	/**
	 * Spellings of loopback and private addresses that a resolver would have sent to DNS: each is
	 * refused from the literal itself, before any lookup or connection.
	 */
	@ParameterizedTest(name = "{0}")
	@CsvSource({ "2130706433", "0x7f000001", "0x7F.0.0.1", "0177.0.0.1", "127.1", "127.0.1", "017700000001",
			"[::1]", "[::ffff:7f00:1]", "[::127.0.0.1]", "localhost.", "LOCALHOST", "api.localhost", "0", "10.1", "0xa9fea9fe",
			"3232235777" })
	void refusesPrivateAddressesSpelledAnyWayWithoutALookup(String host) {
		int before = images.received().size();
		LlmExchange exchange = exchangeWithImage("http://" + host + ":" + images.port() + "/cat.png");
		// a resolver that fails the test: a literal must be decided before anything is looked up
		HttpClient noLookups = HttpClient.create().resolver(new io.netty.resolver.AddressResolverGroup<>() {
			@Override
			protected io.netty.resolver.AddressResolver<java.net.SocketAddress> newResolver(
					io.netty.util.concurrent.EventExecutor executor) {
				throw new AssertionError("looked up " + host);
			}
		});
		assertThatExceptionOfType(LlmApiException.class)
			.isThrownBy(() -> new ImageInliner(noLookups, 1024, Duration.ofSeconds(3), false).inline(exchange)
				.block(Duration.ofSeconds(5)))
			.satisfies(ex -> {
				assertThat(ex.status()).isEqualTo(400);
				assertThat(ex.getMessage()).contains("public address");
			});
		assertThat(images.received()).hasSize(before);
	}

	@ParameterizedTest(name = "{0} -> {1}")
	@CsvSource({ "2130706433,127.0.0.1", "0x7f000001,127.0.0.1", "0177.0.0.1,127.0.0.1", "127.1,127.0.0.1",
			"8.8.8.8.,8.8.8.8", "134744072,8.8.8.8", "0x8.0x8.0x8.0x8,8.8.8.8" })
	void readsIpv4LiteralsAsUrlParsersDo(String host, String address) {
		assertThat(ImageInliner.literalAddress(host).getHostAddress()).isEqualTo(address);
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource({ "example.com", "1.2.3.4.5", "256.1.1.1", "1.2.3.4294967296", "08.1.1.1", "0xg.1.1.1", "1..1",
			"cdn.127.0.0.1.example" })
	void namesAreNotLiterals(String host) {
		assertThat(ImageInliner.literalAddress(host)).isNull();
	}

	@Test
	void aPublicAddressInAnOddSpellingIsFetchedAtItsCanonicalForm() {
		// allowed private networks: 2130706433 is fetched as 127.0.0.1, not handed to DNS
		LlmExchange exchange = exchangeWithImage("http://2130706433:" + images.port() + "/cat.png?size=a%20b");
		inliner(true, 1024).inline(exchange).block(Duration.ofSeconds(5));
		assertThat(exchange.translation().inlined("http://2130706433:" + images.port() + "/cat.png?size=a%20b")).isNotNull();
	}

	@Test
	void fetchesAnImageOnceAndStoresItOnTheExchange() {
		String url = "http://127.0.0.1:" + images.port() + "/cat.png";
		LlmExchange exchange = exchangeWithImage(url);
		int before = images.received().size();
		ImageInliner inliner = inliner(true, 1024);
		inliner.inline(exchange).block(Duration.ofSeconds(5));
		inliner.inline(exchange).block(Duration.ofSeconds(5));
		assertThat(exchange.translation().inlined(url)).isEqualTo(new TranslationNotes.InlineData("image/png",
				Base64.getEncoder().encodeToString(PNG)));
		assertThat(images.received()).as("a second attempt reuses the bytes").hasSize(before + 1);
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			/page.html   | did not return an image
			/huge.png    | larger than the gateway's limit of 4096 bytes
			/missing.png | HTTP 404
			""")
	void badImagesAreClientErrors(String path, String message) {
		LlmExchange exchange = exchangeWithImage("http://127.0.0.1:" + images.port() + path);
		assertThatExceptionOfType(LlmApiException.class)
			.isThrownBy(() -> inliner(true, 4096).inline(exchange).block(Duration.ofSeconds(5)))
			.satisfies(ex -> {
				assertThat(ex.status()).isEqualTo(400);
				assertThat(ex.getMessage()).contains(message);
			});
	}

	@Test
	void aRequestMayNotMakeTheGatewayFetchWithoutBound() {
		StringBuilder parts = new StringBuilder();
		for (int i = 0; i < 3; i++) {
			parts.append(",{\"type\":\"image_url\",\"image_url\":{\"url\":\"http://127.0.0.1:")
				.append(images.port()).append("/cat.png?").append(i).append("\"}}");
		}
		LlmExchange exchange = TestCatalogs.exchange(TestCatalogs.catalog(images.baseUrl()), Operation.CHAT,
				"{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"x\"}"
						+ parts + "]}]}");
		int before = images.received().size();
		assertThatExceptionOfType(LlmApiException.class)
			.isThrownBy(() -> new ImageInliner(HttpClient.create(), 1024, Duration.ofSeconds(3), true, 2).inline(exchange)
				.block(Duration.ofSeconds(5)))
			.satisfies(ex -> assertThat(ex.getMessage()).contains("at most 2"));
		assertThat(images.received()).hasSize(before);
	}

	@Test
	void dataUrlsAreNeverFetched() {
		LlmExchange exchange = exchangeWithImage("data:image/png;base64,iVBORw0KGgo=");
		assertThat(ImageInliner.imageUrls(exchange.body())).isEmpty();
	}

	private static ImageInliner inliner(boolean allowPrivate, long maxBytes) {
		return new ImageInliner(HttpClient.create(), maxBytes, Duration.ofSeconds(3), allowPrivate);
	}

	private static LlmExchange exchangeWithImage(String url) {
		return TestCatalogs.exchange(TestCatalogs.catalog(images.baseUrl()), Operation.CHAT, """
				{"model":"fast","messages":[{"role":"user","content":[{"type":"text","text":"what is this?"},
				{"type":"image_url","image_url":{"url":"%s"}}]}]}""".formatted(url));
	}

}
