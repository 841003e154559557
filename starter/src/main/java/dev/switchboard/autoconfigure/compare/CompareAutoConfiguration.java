package dev.switchboard.autoconfigure.compare;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

import dev.switchboard.endpoint.compare.ComparePolicy;

/**
 * Model comparisons ({@code switchboard.compare.enabled}, on by default): the {@link ComparePolicy}
 * that the {@code LlmEndpoint} serves {@code /v1/compare} by. Without it, the path is a 404. A
 * comparison's legs are requests of the team like any other, so nothing else is configured here:
 * quotas, the cache and metering apply to each leg as the route declares them.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "switchboard.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "switchboard.compare.enabled", matchIfMissing = true)
@EnableConfigurationProperties(CompareProperties.class)
public class CompareAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ComparePolicy switchboardComparePolicy(CompareProperties properties) {
		try {
			return new ComparePolicy(properties.maxModels(), properties.deadline(), properties.page());
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalStateException("switchboard.compare." + ex.getMessage(), ex);
		}
	}

}
