package dev.switchboard.autoconfigure;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an IDE shows for {@code switchboard.*}: the metadata the configuration processor generates
 * from the properties' Javadoc, merged with {@code additional-spring-configuration-metadata.json}.
 */
class ConfigurationMetadataTest {

	private static JsonNode metadata() throws Exception {
		try (InputStream in = ConfigurationMetadataTest.class.getClassLoader()
			.getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
			assertThat(in).as("generated metadata on the classpath").isNotNull();
			return JsonMapper.builder().build().readTree(in);
		}
	}

	@Test
	void everyPropertyIsDescribed() throws Exception {
		List<String> undescribed = new ArrayList<>();
		for (JsonNode property : metadata().path("properties")) {
			if (property.path("description").asString("").isBlank()) {
				undescribed.add(property.path("name").asString());
			}
		}
		assertThat(metadata().path("properties").size()).isGreaterThan(90);
		assertThat(undescribed).as("properties without a description (add @param Javadoc)").isEmpty();
	}

	@Test
	void redisConnectionKeysThatMovedPointToTheirReplacement() throws Exception {
		JsonNode moved = null;
		for (JsonNode property : metadata().path("properties")) {
			if ("switchboard.quota.redis.cluster-nodes".equals(property.path("name").asString())) {
				moved = property;
			}
		}
		assertThat(moved).as("switchboard.quota.redis.cluster-nodes in the metadata").isNotNull();
		assertThat(moved.path("deprecation").path("level").asString()).isEqualTo("error");
		assertThat(moved.path("deprecation").path("replacement").asString())
			.isEqualTo("switchboard.redis.cluster-nodes");
	}

}
