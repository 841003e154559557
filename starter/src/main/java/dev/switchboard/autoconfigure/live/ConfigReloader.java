package dev.switchboard.autoconfigure.live;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ByteArrayResource;

import dev.switchboard.autoconfigure.SnapshotAssembler;
import dev.switchboard.catalog.CatalogException;
import dev.switchboard.core.ConfigSnapshot;
import dev.switchboard.live.LiveConfig;

/**
 * Turns a change of settings into a new configuration version, or a refusal: binds the
 * application's environment (with the watched file's settings on top) through the
 * {@link SnapshotAssembler}, and hands the result to the {@link LiveConfig}. Reloads are serialized,
 * so two refreshes at once are built and applied one after the other, each from the settings as
 * they are when it runs.
 */
public final class ConfigReloader {

	private static final Logger log = LoggerFactory.getLogger(ConfigReloader.class);

	private final ConfigurableEnvironment environment;

	private final SnapshotAssembler assembler;

	private final @Nullable Path file;

	private final LiveConfig live;

	/** The watched file's settings as last read whole; what a refresh builds on while the file is broken. */
	private volatile List<PropertySource<?>> fileSources = List.of();

	/**
	 * Builds the start-up version; a problem in it fails start-up, as any configuration problem does.
	 * @param file the watched YAML file, or {@code null}
	 */
	public ConfigReloader(ConfigurableEnvironment environment, SnapshotAssembler assembler, @Nullable Path file,
			int history, List<LiveConfig.Listener> listeners) {
		this.environment = environment;
		this.assembler = assembler;
		this.file = file;
		if (file != null) {
			try {
				this.fileSources = parse(Files.readAllBytes(file));
			}
			catch (IOException ex) {
				log.warn("switchboard.config.watch.file {} cannot be read ({}); starting on the application's settings "
						+ "and watching for it", file, ex.toString());
			}
			catch (RuntimeException ex) {
				throw new CatalogException(List.of("switchboard.config.watch.file " + file + ": " + notYaml(ex)));
			}
		}
		this.live = new LiveConfig(this.assembler.assemble(binder(), (file != null) ? "start-up, " + source() : "start-up"),
				history, Clock.systemUTC());
		listeners.forEach(this.live::addListener);
	}

	public LiveConfig live() {
		return this.live;
	}

	/**
	 * Builds a version from the settings as they are now and makes it current, or records why not.
	 * @param source what changed them, e.g. {@code refresh}
	 * @return the change, or {@code null} when refused or when nothing changed
	 */
	public synchronized LiveConfig.@Nullable Change reload(String source) {
		ConfigSnapshot candidate;
		try {
			candidate = this.assembler.assemble(binder(), source);
		}
		catch (CatalogException ex) {
			this.live.reject(source, ex.problems());
			return null;
		}
		catch (RuntimeException ex) {
			this.live.reject(source, List.of(String.valueOf(ex.getMessage())));
			return null;
		}
		return this.live.apply(candidate);
	}

	/** The watched file has new content: refused if it is not YAML (a half-written file), else reloaded. */
	public synchronized LiveConfig.@Nullable Change fileChanged(byte[] content) {
		try {
			this.fileSources = parse(content);
		}
		catch (RuntimeException ex) {
			this.live.reject(source(), List.of(notYaml(ex)));
			return null;
		}
		return reload(source());
	}

	public @Nullable Path file() {
		return this.file;
	}

	private String source() {
		return "file:" + this.file;
	}

	/** The watched file's settings first, then the application's; placeholders resolve against the application's. */
	private Binder binder() {
		List<ConfigurationPropertySource> sources = new ArrayList<>();
		ConfigurationPropertySources.from(this.fileSources).forEach(sources::add);
		ConfigurationPropertySources.get(this.environment).forEach(sources::add);
		return new Binder(sources, new PropertySourcesPlaceholdersResolver(this.environment),
				ApplicationConversionService.getSharedInstance());
	}

	private static final Pattern POSITION = Pattern.compile("line (\\d+), column (\\d+)");

	/**
	 * Where the file stops being YAML, without the parser's message: that quotes the lines around the
	 * problem, which may hold a provider key.
	 */
	static String notYaml(Throwable error) {
		String last = null;
		for (Throwable cause = error; cause != null; cause = cause.getCause()) {
			Matcher position = POSITION.matcher(String.valueOf(cause.getMessage()));
			while (position.find()) {
				last = "line " + position.group(1) + ", column " + position.group(2);
			}
		}
		return "not valid YAML" + ((last != null) ? " at " + last : "") + " (a file being written, or a syntax error)";
	}

	/** The documents of a YAML file, the last one first (later documents override earlier ones). */
	static List<PropertySource<?>> parse(byte[] content) {
		try {
			List<PropertySource<?>> documents = new ArrayList<>(new YamlPropertySourceLoader()
				.load("switchboard.config.watch.file", new ByteArrayResource(content)));
			Collections.reverse(documents);
			return List.copyOf(documents);
		}
		catch (IOException ex) {
			throw new IllegalArgumentException(ex.getMessage(), ex);
		}
	}

}
