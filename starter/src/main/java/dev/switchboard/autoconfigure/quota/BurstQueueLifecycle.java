package dev.switchboard.autoconfigure.quota;

import org.springframework.context.SmartLifecycle;

import dev.switchboard.quota.admission.BurstQueue;

/**
 * Empties the burst queue when the gateway shuts down: every waiting request gets a clean 503 at
 * once. Stops before the web server's graceful shutdown (a higher phase stops first), so requests
 * that would otherwise wait out their {@code max-wait} do not hold the shutdown up, while requests
 * already admitted and streams already flowing finish within it.
 */
class BurstQueueLifecycle implements SmartLifecycle {

	private final BurstQueue queue;

	private volatile boolean running;

	BurstQueueLifecycle(BurstQueue queue) {
		this.queue = queue;
	}

	@Override
	public void start() {
		this.queue.open();
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
		this.queue.close();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		// Above WebServerGracefulShutdownLifecycle (DEFAULT_PHASE - 1024): stopped before it.
		return DEFAULT_PHASE;
	}

}
