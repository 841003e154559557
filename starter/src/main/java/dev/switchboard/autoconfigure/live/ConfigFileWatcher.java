package dev.switchboard.autoconfigure.live;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

import org.springframework.context.SmartLifecycle;

import dev.switchboard.core.Hashes;

/**
 * Checks the watched file every {@code interval} and reloads when its content changed. Polling on a
 * timer of Reactor's bounded-elastic scheduler (a file read blocks), not a {@code WatchService}: a
 * Kubernetes ConfigMap is swapped through a symbolic link, which many watch services report late or
 * not at all, and content is compared rather than timestamps, so touching the file changes nothing.
 * A file that disappears or cannot be read leaves the current version serving, with one log line.
 */
public final class ConfigFileWatcher implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(ConfigFileWatcher.class);

	private final ConfigReloader reloader;

	private final Path file;

	private final Duration interval;

	private byte @Nullable [] lastHash;

	private boolean missing;

	private volatile @Nullable Disposable polling;

	public ConfigFileWatcher(ConfigReloader reloader, Path file, Duration interval) {
		this.reloader = reloader;
		this.file = file;
		this.interval = interval;
		this.lastHash = hash(read());
	}

	@Override
	public void start() {
		this.polling = Flux.interval(this.interval, this.interval, Schedulers.boundedElastic())
			.onBackpressureDrop()
			.subscribe(tick -> check(), error -> log.error("Watching {} stopped", this.file, error));
	}

	@Override
	public void stop() {
		Disposable current = this.polling;
		if (current != null) {
			current.dispose();
			this.polling = null;
		}
	}

	@Override
	public boolean isRunning() {
		return this.polling != null;
	}

	/** One check: reloads when the content differs from the last content seen. */
	synchronized void check() {
		byte[] content = read();
		if (content == null) {
			return;
		}
		byte[] hash = hash(content);
		if (Arrays.equals(hash, this.lastHash)) {
			return;
		}
		this.lastHash = hash;
		try {
			this.reloader.fileChanged(content);
		}
		catch (RuntimeException ex) {
			log.warn("Reloading {} failed; the current version stays", this.file, ex);
		}
	}

	private byte @Nullable [] read() {
		try {
			byte[] content = Files.readAllBytes(this.file);
			if (this.missing) {
				log.info("{} is back", this.file);
				this.missing = false;
			}
			return content;
		}
		catch (NoSuchFileException ex) {
			if (!this.missing) {
				this.missing = true;
				// Once per outage: logged, counted and shown as a refusal, the current version staying.
				this.reloader.live().reject("file:" + this.file, List.of(this.file
						+ " is gone; the current configuration version stays until it is back"));
			}
			return null;
		}
		catch (IOException ex) {
			log.warn("{} cannot be read ({}); the current configuration version stays", this.file, ex.toString());
			return null;
		}
	}

	private static byte @Nullable [] hash(byte @Nullable [] content) {
		return (content != null) ? Hashes.sha256Hex(content).getBytes(StandardCharsets.US_ASCII) : null;
	}

}
