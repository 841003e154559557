package dev.switchboard.autoconfigure.live;

import java.nio.file.Path;
import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Live configuration: how {@code switchboard.*} changes without a restart.
 *
 * @param history Versions kept for /actuator/llmconfig and for rollback, the current one included
 * @param watch A YAML file of switchboard.* settings, read at start-up and whenever it changes; its
 * settings take precedence over the application's
 */
@ConfigurationProperties("switchboard.config")
public record LiveConfigProperties(@DefaultValue("10") int history, @DefaultValue Watch watch) {

	/**
	 * @param file The YAML file to watch (for example a mounted ConfigMap); unset, no file is watched
	 * @param interval How often the file is checked for a change of content
	 */
	public record Watch(@Nullable Path file, @DefaultValue("1s") Duration interval) {
	}

	void validate() {
		if (this.history < 2) {
			throw new IllegalArgumentException(
					"switchboard.config.history: must be at least 2 (the current version and one to go back to), was "
							+ this.history);
		}
		if (this.watch.interval().isZero() || this.watch.interval().isNegative()) {
			throw new IllegalArgumentException("switchboard.config.watch.interval: must be positive, was "
					+ this.watch.interval());
		}
	}

}
