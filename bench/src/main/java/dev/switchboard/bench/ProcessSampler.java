package dev.switchboard.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Watches another process (the gateway) during the measured window: samples its resident set size
 * ({@code VmRSS} in {@code /proc/PID/status}) every 100 ms and keeps the peak, and reads the CPU time
 * it used from the window's start to its end. Linux only.
 *
 * <p>CPU time per request shows a cost from the gateway's side: throughput also moves with whatever
 * else the shared cores are doing (the stub, the load generator), the gateway's CPU time does not.
 */
final class ProcessSampler {

	private static final long INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

	private final Path status;

	private final ProcessHandle process;

	private final Thread thread;

	private volatile long peakKb;

	private volatile Duration cpuAtStart = Duration.ZERO;

	private volatile Duration cpuAtEnd = Duration.ZERO;

	private ProcessSampler(long pid, long fromNanos, long untilNanos) {
		this.status = Path.of("/proc", Long.toString(pid), "status");
		this.process = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no process " + pid));
		readKb(); // fail now, not after the run, if the process is not there
		this.thread = new Thread(() -> sample(fromNanos, untilNanos), "process-sampler");
		this.thread.setDaemon(true);
	}

	static ProcessSampler start(long pid, long fromNanos, long untilNanos) {
		ProcessSampler sampler = new ProcessSampler(pid, fromNanos, untilNanos);
		sampler.thread.start();
		return sampler;
	}

	/** Waits for the window to close and returns the CPU time the process used inside it (zero if it died). */
	Duration awaitCpu() {
		awaitPeakMb();
		return this.cpuAtEnd.isZero() ? Duration.ZERO : this.cpuAtEnd.minus(this.cpuAtStart);
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
			this.cpuAtStart = cpu();
			while (System.nanoTime() < untilNanos) {
				this.peakKb = Math.max(this.peakKb, readKb());
				TimeUnit.NANOSECONDS.sleep(Math.min(INTERVAL_NANOS, Math.max(0, untilNanos - System.nanoTime())));
			}
			this.cpuAtEnd = cpu();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (UncheckedIOException ex) {
			// The process died mid-run: keep the peak seen so far; the run's errors tell the story.
		}
	}

	private Duration cpu() {
		return this.process.info().totalCpuDuration().orElseThrow(() -> new UncheckedIOException(
				new IOException("no CPU time for process " + this.process.pid())));
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
