package dev.switchboard.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;
import org.redisson.config.ConstantDelay;
import redis.embedded.RedisServer;
import redis.embedded.core.RedisServerBuilder;

/**
 * A real Redis server for tests, on a free loopback port, started and stopped by the test.
 *
 * <p>Uses {@code redis-server} from {@code PATH} (or {@code $REDIS_SERVER}) when present, else the
 * binary shipped in the {@code embedded-redis} jar. {@link #stop()} and {@link #start()} can be
 * called mid-test to simulate an outage and a recovery on the same port.
 */
public final class RedisTestServer implements AutoCloseable {

	private final int port;

	private RedisServer server;

	private RedisTestServer(int port) {
		this.port = port;
	}

	/** Starts a server on a free port; retries if another process takes the port first. */
	public static RedisTestServer startOnFreePort() {
		IOException last = null;
		for (int i = 0; i < 5; i++) {
			RedisTestServer redis = new RedisTestServer(freePort());
			try {
				redis.start();
				return redis;
			}
			catch (IOException ex) {
				last = ex;
			}
		}
		throw new IllegalStateException("Could not start a Redis server", last);
	}

	public synchronized void start() throws IOException {
		File binary = binaryOnPath();
		RedisServerBuilder builder = RedisServer.newRedisServer()
			.port(this.port)
			.bind("127.0.0.1")
			.setting("save \"\"")
			.setting("appendonly no");
		if (binary != null) {
			builder.executableProvider(() -> binary);
		}
		this.server = builder.build();
		this.server.start();
		awaitPing(Duration.ofSeconds(10));
	}

	public synchronized void stop() throws IOException {
		if (this.server != null) {
			this.server.stop();
			this.server = null;
		}
	}

	public int port() {
		return this.port;
	}

	/** {@code redis://127.0.0.1:<port>}, as Redisson expects. */
	public String address() {
		return "redis://127.0.0.1:" + this.port;
	}

	/**
	 * A Redisson client to a standalone server as the gateway configures its own: bounded commands, no
	 * retries (a retried script could apply twice), and quick reconnection after an outage.
	 */
	public static RedissonClient client(String address, Duration connectTimeout, Duration timeout) {
		Config config = new Config();
		config.useSingleServer()
			.setAddress(address)
			.setConnectTimeout((int) connectTimeout.toMillis())
			.setTimeout((int) timeout.toMillis())
			.setRetryAttempts(0)
			.setReconnectionDelay(new ConstantDelay(Duration.ofMillis(200)));
		return Redisson.create(config);
	}

	@Override
	public void close() throws IOException {
		stop();
	}

	private void awaitPing(Duration timeout) throws IOException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (true) {
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress("127.0.0.1", this.port), 500);
				socket.setSoTimeout(500);
				OutputStream out = socket.getOutputStream();
				out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
				out.flush();
				InputStream in = socket.getInputStream();
				byte[] reply = new byte[7];
				int read = in.read(reply);
				if (read > 0 && new String(reply, 0, read, StandardCharsets.US_ASCII).startsWith("+PONG")) {
					return;
				}
			}
			catch (IOException ex) {
				if (System.nanoTime() > deadline) {
					throw new IOException("Redis did not answer PING on port " + this.port, ex);
				}
			}
			try {
				Thread.sleep(20);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IOException(ex);
			}
		}
	}

	private static File binaryOnPath() {
		String explicit = System.getenv("REDIS_SERVER");
		if (explicit != null && new File(explicit).canExecute()) {
			return new File(explicit);
		}
		String path = System.getenv("PATH");
		if (path == null) {
			return null;
		}
		for (String dir : path.split(File.pathSeparator)) {
			File candidate = new File(dir, "redis-server");
			if (candidate.canExecute()) {
				return candidate;
			}
		}
		return null;
	}

	public static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			socket.setReuseAddress(true);
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
