package dev.switchboard.autoconfigure.compare;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Model comparisons ({@code POST /v1/compare}): one prompt to several models in one call.
 *
 * @param enabled Whether /v1/compare is served; off, it is a 404 like any path the gateway does
 * not serve
 * @param maxModels Most models one comparison may name
 * @param deadline Longest a comparison runs, whatever the request asks (compare.deadline_ms may
 * ask less); legs still running then are cancelled and reported as deadline_exceeded
 * @param page Whether a browser that opens /v1/compare gets the comparison page (static HTML and
 * script that shows nothing until a person enters a team key)
 */
@Validated
@ConfigurationProperties("switchboard.compare")
public record CompareProperties(@DefaultValue("true") boolean enabled, @DefaultValue("8") @Min(1) @Max(32) int maxModels,
		@DefaultValue("60s") Duration deadline, @DefaultValue("true") boolean page) {
}
