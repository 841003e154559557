package dev.switchboard.autoconfigure.guard;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import dev.switchboard.guard.Stage;
import dev.switchboard.guard.presidio.PresidioGuardrail;

/**
 * Guardrails ({@code LlmGuard} on a route): checks of what goes to a provider and what comes
 * back. Values are checked at start-up; every problem is reported with the property to fix.
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
	 * @param type What checks: regex (patterns: deny and mask), presidio (a Presidio analyzer,
	 * optionally its anonymizer) or webhook (a service of your own, called with signed JSON)
	 * @param stages When it runs: pre (before the call: may mask or deny), during (beside the call,
	 * the answer waits for it: may deny), post (on the answer before the client or the cache sees
	 * it: may mask or deny)
	 * @param teams The teams it applies to; empty for every team
	 * @param models The models, as clients name them, it applies to; empty for every model
	 * @param deny regex: patterns that refuse (400 content_policy_violation): built-in (email,
	 * phone, card, iban, api-key) or the guardrail's own
	 * @param mask regex: patterns whose matches are replaced by a placeholder ([EMAIL], [CARD])
	 * before the cache, the quota and the provider see the request
	 * @param patterns regex: the guardrail's own patterns by name, regular expressions (a keyword:
	 * (?i)\bproject atlas\b)
	 * @param reversible regex, presidio: masks are numbered ([EMAIL_1], &lt;EMAIL_ADDRESS_1&gt;) and the
	 * answer gets the client's own text back in their place, after the cache (which keeps the
	 * masked answer)
	 * @param url webhook: where the texts are posted
	 * @param secret webhook: the key calls are signed with (X-Switchboard-Signature: sha256=HMAC of
	 * timestamp.body)
	 * @param analyzerUrl presidio: the analyzer's base URL (POST /analyze)
	 * @param anonymizerUrl presidio: the anonymizer's base URL (POST /anonymize), whose operators
	 * then write the masks; without it the gateway writes &lt;ENTITY_TYPE&gt; placeholders
	 * @param language presidio: the texts' language
	 * @param scoreThreshold presidio: the lowest score of an entity acted on, from 0 to 1
	 * @param entities presidio: each entity type to act on and how (mask or block), e.g.
	 * {EMAIL_ADDRESS: mask, US_SSN: block}
	 * @param operators presidio: the anonymizer's operators by entity type (DEFAULT for all), e.g.
	 * {PHONE_NUMBER: {type: mask, masking_char: "*", chars_to_mask: 4, from_end: true}}
	 * @param streamWindow For answer checks on a stream: end holds the whole answer until it is
	 * checked (nothing unchecked leaves); a number of characters releases it in windows of that size,
	 * each checked with up to a window of the text before it (the first words leave sooner; a window already sent stays
	 * sent when a later one is refused)
	 * @param timeout Longest a check may take before its fail mode applies
	 * @param failMode What a check that fails or times out does: closed refuses (503), open lets
	 * the text pass unchecked by this guardrail (said in the decision record and metrics)
	 */
	public record Guardrail(@DefaultValue("regex") String type, @DefaultValue("pre") List<Stage> stages,
			List<String> teams, List<String> models, List<String> deny, List<String> mask,
			Map<String, String> patterns, @DefaultValue("false") boolean reversible, @Nullable URI url,
			@Nullable String secret, @Nullable URI analyzerUrl, @Nullable URI anonymizerUrl,
			@DefaultValue("en") String language, @DefaultValue("0.5") double scoreThreshold,
			Map<String, PresidioGuardrail.Action> entities, Map<String, Map<String, String>> operators,
			@DefaultValue("end") String streamWindow, @DefaultValue("2s") Duration timeout, @DefaultValue("closed") FailMode failMode) {

		public Guardrail {
			teams = (teams != null) ? teams : List.of();
			models = (models != null) ? models : List.of();
			deny = (deny != null) ? deny : List.of();
			mask = (mask != null) ? mask : List.of();
			patterns = (patterns != null) ? patterns : Map.of();
			entities = (entities != null) ? entities : Map.of();
			operators = (operators != null) ? operators : Map.of();
		}

	}

	public enum FailMode {

		OPEN, CLOSED

	}

}
