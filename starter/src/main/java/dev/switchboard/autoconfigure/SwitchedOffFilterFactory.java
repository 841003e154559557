package dev.switchboard.autoconfigure;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;

/**
 * The filter of a capability that is switched off ({@code switchboard.cache.enabled: false},
 * {@code switchboard.quota.enabled: false}): same name, same arguments, and it passes every
 * request through.
 *
 * <p>Without it, a route that still lists {@code LlmCache} fails start-up with Spring Cloud
 * Gateway's bare "Unable to find GatewayFilterFactory with name LlmCache", or, with
 * {@code fail-on-route-definition-error: false}, is dropped and every request to it is a 404: a
 * switch meant to turn off one capability would take down the route. So turning a capability off
 * keeps the route, and says so once in the log with the property that did it. The route's
 * arguments still bind to the capability's own {@code Config}, so a typo in them fails as it would
 * with the capability on.
 *
 * @param <C> the switched-off filter's configuration class
 */
final class SwitchedOffFilterFactory<C> extends AbstractGatewayFilterFactory<C> {

	private static final Logger log = LoggerFactory.getLogger(SwitchedOffFilterFactory.class);

	private final String name;

	private final List<String> shortcutFields;

	private final String property;

	private final AtomicBoolean logged = new AtomicBoolean();

	private final ShortcutType shortcutType;

	/**
	 * @param name the filter's name in route definitions, e.g. {@code LlmCache}
	 * @param config the capability's own configuration class, so the route's arguments bind as usual
	 * @param shortcutFields the capability's shortcut argument order
	 * @param property the property that switched the capability off, for the log line
	 */
	SwitchedOffFilterFactory(String name, Class<C> config, List<String> shortcutFields, String property) {
		this(name, config, shortcutFields, ShortcutType.DEFAULT, property);
	}

	/** @param shortcutType how the capability's shortcut binds ({@code GATHER_LIST} for a list of names) */
	SwitchedOffFilterFactory(String name, Class<C> config, List<String> shortcutFields, ShortcutType shortcutType,
			String property) {
		super(config);
		this.name = name;
		this.shortcutFields = List.copyOf(shortcutFields);
		this.shortcutType = shortcutType;
		this.property = property;
	}

	@Override
	public ShortcutType shortcutType() {
		return this.shortcutType;
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public List<String> shortcutFieldOrder() {
		return this.shortcutFields;
	}

	@Override
	public GatewayFilter apply(C config) {
		if (this.logged.compareAndSet(false, true)) {
			log.warn("Routes with the {} filter pass requests through it: {} is false", this.name, this.property);
		}
		return (exchange, chain) -> chain.filter(exchange);
	}

}
