package dev.switchboard.autoconfigure.live;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

import dev.switchboard.core.ConfigSnapshot;
import dev.switchboard.live.ChangeSummary;
import dev.switchboard.live.LiveConfig;
import dev.switchboard.route.Rollouts;

/**
 * {@code /actuator/llmconfig}: the configuration version serving now, the versions before it (when,
 * from where, what each changed, by name), the canary rollouts (share, running, completed or aborted
 * and why), and the last refused candidate with its problems;
 * {@code POST} with {@code {"version": "<id>"}} goes back to an earlier version ({@code {}}: the one
 * before the current). It shows model, alias, pool and team names and never a key or key hash; it
 * is not exposed over the web unless the application adds it to
 * {@code management.endpoints.web.exposure.include}, and belongs behind the management port.
 */
@Endpoint(id = "llmconfig")
public class LlmConfigEndpoint {

	private final LiveConfig live;

	private final Rollouts rollouts;

	public LlmConfigEndpoint(LiveConfig live, Rollouts rollouts) {
		this.live = live;
		this.rollouts = rollouts;
	}

	@ReadOperation
	public Map<String, Object> config() {
		Map<String, Object> body = new LinkedHashMap<>();
		List<LiveConfig.Version> history = this.live.history();
		body.put("current", version(history.get(0)));
		List<Object> versions = new ArrayList<>();
		history.forEach(version -> versions.add(version(version)));
		body.put("history", versions);
		List<Object> rollouts = new ArrayList<>();
		for (Rollouts.Status status : this.rollouts.status()) {
			Map<String, Object> rollout = new LinkedHashMap<>();
			rollout.put("name", status.name());
			rollout.put("to", status.to());
			rollout.put("state", status.state());
			rollout.put("share", status.share());
			rollout.put("startedAt", status.startedAt().toString());
			if (status.reason() != null) {
				rollout.put("reason", status.reason());
			}
			rollout.put("samples", Map.of("new", status.newSamples(), "old", status.oldSamples()));
			rollouts.add(rollout);
		}
		body.put("rollouts", rollouts);
		LiveConfig.Rejection rejection = this.live.lastRejection();
		if (rejection != null) {
			Map<String, Object> rejected = new LinkedHashMap<>();
			rejected.put("at", rejection.at().toString());
			rejected.put("source", rejection.source());
			rejected.put("problems", rejection.problems());
			body.put("lastRejected", rejected);
		}
		return body;
	}

	/**
	 * Rolls back to {@code version}, or to the version before the current one when none is named; a
	 * version the history does not hold is a 400 that says which versions it does.
	 */
	@WriteOperation
	public WebEndpointResponse<Map<String, Object>> rollback(@Nullable String version) {
		String target = version;
		List<LiveConfig.Version> history = this.live.history();
		if (target == null || target.isBlank()) {
			if (history.size() < 2) {
				return refused("No earlier version to roll back to");
			}
			target = history.get(1).snapshot().version();
		}
		try {
			LiveConfig.Change change = this.live.rollback(target);
			Map<String, Object> body = new LinkedHashMap<>();
			body.put("version", change.current().version());
			body.put("replaced", change.previous().version());
			body.put("changes", changes(change.summary()));
			return new WebEndpointResponse<>(body);
		}
		catch (IllegalArgumentException ex) {
			return refused(ex.getMessage());
		}
	}

	private static WebEndpointResponse<Map<String, Object>> refused(String why) {
		return new WebEndpointResponse<>(Map.of("error", why), WebEndpointResponse.STATUS_BAD_REQUEST);
	}

	private static Map<String, Object> version(LiveConfig.Version version) {
		ConfigSnapshot snapshot = version.snapshot();
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("version", snapshot.version());
		body.put("createdAt", snapshot.createdAt().toString());
		body.put("source", snapshot.source());
		body.put("summary", version.summary().toString());
		body.put("changes", changes(version.summary()));
		return body;
	}

	private static Map<String, Object> changes(ChangeSummary summary) {
		Map<String, Object> sections = new LinkedHashMap<>();
		summary.sections().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry -> {
			Map<String, Object> section = new LinkedHashMap<>();
			section.put("added", entry.getValue().added());
			section.put("removed", entry.getValue().removed());
			section.put("changed", entry.getValue().changed());
			sections.put(entry.getKey(), section);
		});
		return sections;
	}

}
