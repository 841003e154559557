package dev.switchboard.testing;

import java.util.Map;

import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.cloud.gateway.filter.FilterDefinition;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.cloud.gateway.support.ConfigurationService;
import org.springframework.core.env.StandardEnvironment;

/**
 * Filter arguments bound the way Spring Cloud Gateway binds a route's: through its own
 * {@link ConfigurationService}, shortcut ({@code LlmFailover=2, 15s}) or named arguments, SpEL
 * bean references ({@code #{@name}}) resolved against the beans given here. So a factory test
 * proves what a route in YAML gets, not what a hand-built config holds.
 */
public final class RouteFilters {

	private final DefaultListableBeanFactory beans = new DefaultListableBeanFactory();

	public RouteFilters() {
		// Spring Cloud Gateway's SpEL context reads the environment, as arguments may.
		this.beans.registerSingleton("environment", new StandardEnvironment());
	}

	private final ConfigurationService configuration = new ConfigurationService(this.beans,
			ApplicationConversionService::getSharedInstance, () -> null);

	/** A bean that {@code #{@name}} in an argument refers to. */
	public RouteFilters bean(String name, Object bean) {
		this.beans.registerSingleton(name, bean);
		return this;
	}

	/** The config of a shortcut definition, as in {@code filters: - LlmCache=10m}. */
	public <C> C bind(AbstractGatewayFilterFactory<C> factory, String shortcut) {
		FilterDefinition definition = new FilterDefinition(shortcut);
		if (!definition.getName().equals(factory.name())) {
			throw new IllegalArgumentException(shortcut + " does not name " + factory.name());
		}
		return bind(factory, definition.getArgs());
	}

	/** The config of named arguments, as in {@code - name: LlmCache, args: {ttl: 10m}}. */
	public <C> C bind(AbstractGatewayFilterFactory<C> factory, Map<String, String> args) {
		return this.configuration.with(factory).name(factory.name()).properties(args).bind();
	}

	/** The filter a shortcut definition builds, its checks included. */
	public <C> GatewayFilter apply(AbstractGatewayFilterFactory<C> factory, String shortcut) {
		return factory.apply(bind(factory, shortcut));
	}

}
