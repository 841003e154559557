package dev.switchboard.observe.log;

import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import dev.switchboard.catalog.ModelCatalog;
import dev.switchboard.core.LlmExchange;
import dev.switchboard.core.Operation;
import dev.switchboard.testing.TestCatalogs;

import static org.assertj.core.api.Assertions.assertThat;

/** The request log's lines leave the completing thread; a log that cannot keep up drops, never stalls. */
class RequestLogWriterTest {

	private static final ModelCatalog CATALOG = TestCatalogs.catalog(URI.create("http://127.0.0.1:1/v1"));

	private static final String CHAT = "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

	private final CountDownLatch release = new CountDownLatch(1);

	private final List<ILoggingEvent> written = new CopyOnWriteArrayList<>();

	/** An appender as slow as a stuck pipe until released. */
	private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
		@Override
		protected void append(ILoggingEvent event) {
			try {
				RequestLogWriterTest.this.release.await(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			RequestLogWriterTest.this.written.add(event);
		}
	};

	@BeforeEach
	void attach() {
		this.appender.start();
		((Logger) LoggerFactory.getLogger(RequestLog.LOGGER)).addAppender(this.appender);
	}

	@AfterEach
	void detach() {
		this.release.countDown();
		((Logger) LoggerFactory.getLogger(RequestLog.LOGGER)).detachAppender(this.appender);
	}

	@Test
	void aStuckAppenderNeitherBlocksTheRequestNorGrowsTheQueueAndClosingWritesWhatWaits() {
		RequestLog log = new RequestLog(10, 0, 1);
		String first = complete(log);
		// The writer has taken the first line and is stuck in the appender.
		Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> writerBlocked());
		String second = complete(log);
		String third = complete(log);

		assertThat(log.dropped()).as("one waits in the queue of one, the next is dropped").isEqualTo(1);
		assertThat(log.find(third)).as("the recent window has it all the same").isNotNull();
		assertThat(ours(first, second, third)).isEmpty();

		this.release.countDown();
		log.close();
		assertThat(ours(first, second, third)).map(ILoggingEvent::getFormattedMessage)
			.hasSize(2)
			.anySatisfy(line -> assertThat(line).contains(first))
			.anySatisfy(line -> assertThat(line).contains(second))
			.allSatisfy(line -> assertThat(line).startsWith("{\"request_id\":\"").doesNotContain("\"" + third + "\""));
	}

	@Test
	void linesAreWrittenByTheWriterThread() {
		this.release.countDown();
		RequestLog log = new RequestLog(10);
		String id = complete(log);
		// Other tests' writers log to the same logger: look for this request's line.
		ILoggingEvent line = Awaitility.await()
			.atMost(java.time.Duration.ofSeconds(5))
			.until(() -> List.copyOf(this.written).stream()
				.filter(event -> event.getFormattedMessage().contains("\"" + id + "\""))
				.findFirst()
				.orElse(null), java.util.Objects::nonNull);
		assertThat(line.getThreadName()).isEqualTo(RequestLog.THREAD);
		log.close();
	}

	/** The lines of these requests: other tests' writers may still log to the same logger. */
	private List<ILoggingEvent> ours(String... ids) {
		return this.written.stream()
			.filter(event -> java.util.Arrays.stream(ids)
				.anyMatch(id -> event.getFormattedMessage().contains("\"" + id + "\"")))
			.toList();
	}

	private static boolean writerBlocked() {
		return Thread.getAllStackTraces().entrySet().stream()
			.anyMatch(e -> e.getKey().getName().equals(RequestLog.THREAD)
					&& e.getKey().getState() == Thread.State.TIMED_WAITING
					&& List.of(e.getValue()).stream().anyMatch(f -> f.getClassName().contains("RequestLogWriterTest")));
	}

	private final java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();

	private String complete(RequestLog log) {
		LlmExchange exchange = TestCatalogs.exchange("req_" + this.requests.incrementAndGet(), CATALOG, Operation.CHAT,
				CHAT);
		exchange.addListener(log);
		exchange.complete(LlmExchange.Completion.SUCCESS, null);
		return exchange.requestId();
	}

}
