package dev.switchboard.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Samples another process's resident set size ({@code VmRSS} in {@code /proc/PID/status}) every
 * 100 ms while the measured window is open, and keeps the peak. Linux only.
 */
final class RssSampler {

	private static final long INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

	private final Path status;

	private final Thread thread;

	private volatile long peakKb;

	private RssSampler(long pid, long fromNanos, long untilNanos) {
		this.status = Path.of("/proc", Long.toString(pid), "status");
		readKb(); // fail now, not after the run, if the process is not there
		this.thread = new Thread(() -> sample(fromNanos, untilNanos), "rss-sampler");
		this.thread.setDaemon(true);
	}

	static RssSampler start(long pid, long fromNanos, long untilNanos) {
		RssSampler sampler = new RssSampler(pid, fromNanos, untilNanos);
		sampler.thread.start();
		return sampler;
	}

	/** Waits for the window to close and returns the peak in MiB. */
	double awaitPeakMb() {
		try {
			this.thread.join();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		return this.peakKb / 1024.0;
	}

	private void sample(long fromNanos, long untilNanos) {
		try {
			TimeUnit.NANOSECONDS.sleep(fromNanos - System.nanoTime());
			while (System.nanoTime() < untilNanos) {
				this.peakKb = Math.max(this.peakKb, readKb());
				TimeUnit.NANOSECONDS.sleep(INTERVAL_NANOS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (UncheckedIOException ex) {
			// The process died mid-run: keep the peak seen so far; the run's errors tell the story.
		}
	}

	private long readKb() {
		try {
			for (String line : Files.readAllLines(this.status)) {
				if (line.startsWith("VmRSS:")) {
					return Long.parseLong(line.replaceAll("[^0-9]", ""));
				}
			}
			throw new IllegalStateException("no VmRSS in " + this.status);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
