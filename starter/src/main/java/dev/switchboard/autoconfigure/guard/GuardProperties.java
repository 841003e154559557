package dev.switchboard.autoconfigure.guard;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Guardrails ({@code LlmGuard} on a route): checks of what goes to a provider. Values are checked
 * at start-up; every problem is reported with the property to fix.
 *
 * @param enabled Whether guardrails run; off, routes that list LlmGuard pass requests through
 * unchecked (and say so once in the log)
 * @param guardrails The built-in guardrails by name, as routes name them (LlmGuard=pii,secrets)
 */
@ConfigurationProperties("switchboard.guard")
public record GuardProperties(@DefaultValue("true") boolean enabled, Map<String, Guardrail> guardrails) {

	public GuardProperties {
		guardrails = (guardrails != null) ? guardrails : Map.of();
	}

	/**
	 * One built-in guardrail.
	 *
	 * @param type What checks: regex (patterns: deny and mask)
	 * @param deny Patterns that refuse a request (400 content_policy_violation): built-in (email,
	 * phone, card, iban, api-key) or the guardrail's own
	 * @param mask Patterns whose matches are replaced by a placeholder ([EMAIL], [CARD]) before the
	 * cache, the quota and the provider see the request
	 * @param patterns The guardrail's own patterns by name, regular expressions (a keyword:
	 * (?i)\bproject atlas\b)
	 * @param timeout Longest a check may take before its fail mode applies
	 * @param failMode What a check that fails or times out does: closed refuses the request (503),
	 * open lets it pass unchecked by this guardrail (said in the decision record and metrics)
	 */
	public record Guardrail(@DefaultValue("regex") String type, List<String> deny, List<String> mask,
			Map<String, String> patterns, @DefaultValue("2s") Duration timeout, @DefaultValue("closed") FailMode failMode) {

		public Guardrail {
			deny = (deny != null) ? deny : List.of();
			mask = (mask != null) ? mask : List.of();
			patterns = (patterns != null) ? patterns : Map.of();
		}

	}

	public enum FailMode {

		OPEN, CLOSED

	}

}
