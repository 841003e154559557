package dev.switchboard.guard.webhook;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.switchboard.catalog.Secret;
import dev.switchboard.core.Json;
import dev.switchboard.guard.GuardAnswer;
import dev.switchboard.guard.GuardCalls;
import dev.switchboard.guard.GuardRequest;
import dev.switchboard.guard.GuardVerdict;
import dev.switchboard.guard.Guardrail;
import dev.switchboard.guard.Stage;

/**
 * A guardrail that asks a service of the platform team's own: the texts go out as JSON, signed,
 * and the answer says allow, deny or rewrite.
 *
 * <pre>
 * POST {url}
 * X-Switchboard-Timestamp: 1765000000
 * X-Switchboard-Signature: sha256=hex(HMAC-SHA256(secret, timestamp + "." + body))
 * {"guardrail":"moderation","stage":"post","team":"search","model":"fast","complete":true,
 *  "texts":["..."]}
 *
 * 200 {"action":"allow"} | {"action":"deny","reason":"..."} | {"action":"rewrite","texts":[...]}
 * </pre>
 *
 * The signature covers the timestamp, so a receiver that checks both (and refuses a timestamp more
 * than a few minutes old) can tell a call from the gateway from a forged or replayed one. Anything
 * else than such an answer (another status, a body that is not this JSON, a rewrite with another
 * number of texts, more than {@value #MAX_ANSWER} bytes) is a failed check, which the guardrail's
 * fail mode decides; so is a service that does not answer within its timeout, which cancels the
 * call.
 */
public final class WebhookGuardrail implements Guardrail {

	public static final String SIGNATURE_HEADER = "X-Switchboard-Signature";

	public static final String TIMESTAMP_HEADER = "X-Switchboard-Timestamp";

	static final int MAX_ANSWER = 1 << 20;

	private final String name;

	private final URI url;

	private final Secret secret;

	private final Set<Stage> stages;

	private final HttpClient client;

	private final Clock clock;

	public WebhookGuardrail(String name, URI url, Secret secret, Set<Stage> stages, HttpClient client, Clock clock) {
		this.url = GuardCalls.httpUrl(url, "url");
		if (secret.isEmpty()) {
			throw new IllegalArgumentException("secret: set the key the calls are signed with (HMAC-SHA256), "
					+ "e.g. secret: ${GUARD_WEBHOOK_SECRET}");
		}
		this.name = name;
		this.secret = secret;
		this.stages = Set.copyOf(stages);
		this.client = client;
		this.clock = clock;
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public Set<Stage> stages() {
		return this.stages;
	}

	@Override
	public Mono<GuardVerdict> checkRequest(GuardRequest request) {
		return call(request.stage(), request.team(), request.model(), request.texts(), true);
	}

	@Override
	public Mono<GuardVerdict> checkAnswer(GuardAnswer answer) {
		return call(Stage.POST, answer.team(), answer.model(), answer.texts(), answer.complete());
	}

	private Mono<GuardVerdict> call(Stage stage, String team, String model, List<String> texts, boolean complete) {
		ObjectNode payload = Json.object()
			.put("guardrail", this.name)
			.put("stage", stage.name().toLowerCase(Locale.ROOT))
			.put("team", team)
			.put("model", model)
			.put("complete", complete);
		ArrayNode array = payload.putArray("texts");
		texts.forEach(array::add);
		byte[] body = Json.MAPPER.writeValueAsBytes(payload);
		String timestamp = Long.toString(this.clock.instant().getEpochSecond());
		String signature = "sha256=" + sign(this.secret, timestamp, body);
		return GuardCalls.postJson(this.client, this.url, body,
				Map.of(TIMESTAMP_HEADER, timestamp, SIGNATURE_HEADER, signature), MAX_ANSWER, "the webhook")
			.map(answer -> verdict(answer, texts.size()));
	}

	/** The verdict an answer says; an answer that says none of the three is a failed check. */
	static GuardVerdict verdict(byte[] answer, int texts) {
		JsonNode json;
		try {
			json = Json.MAPPER.readTree(answer);
		}
		catch (RuntimeException ex) {
			throw new IllegalStateException("the webhook's answer is not JSON");
		}
		String reason = json.path("reason").isString() ? json.path("reason").stringValue() : "";
		String action = json.path("action").asString("");
		switch (action) {
			case "allow":
				return GuardVerdict.allow();
			case "deny":
				return GuardVerdict.deny(reason.isBlank() ? "the policy service refused it" : reason);
			case "rewrite":
				JsonNode rewritten = json.path("texts");
				if (!rewritten.isArray() || rewritten.size() != texts) {
					throw new IllegalStateException("the webhook's rewrite has no texts array of " + texts + " texts");
				}
				List<String> out = new ArrayList<>(texts);
				for (JsonNode text : rewritten) {
					if (!text.isString()) {
						throw new IllegalStateException("the webhook's rewrite has a text that is not a string");
					}
					out.add(text.stringValue());
				}
				return GuardVerdict.rewrite(out, reason.isBlank() ? "rewritten by the policy service" : reason);
			default:
				throw new IllegalStateException("the webhook's answer has no action allow, deny or rewrite");
		}
	}

	/** The hex HMAC-SHA256 of {@code timestamp + "." + body}: what a receiver recomputes to verify. */
	public static String sign(Secret secret, String timestamp, byte[] body) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(secret.reveal().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
			mac.update(timestamp.getBytes(StandardCharsets.US_ASCII));
			mac.update((byte) '.');
			return HexFormat.of().formatHex(mac.doFinal(body));
		}
		catch (NoSuchAlgorithmException | InvalidKeyException ex) {
			throw new IllegalStateException("HmacSHA256 is not available", ex);
		}
	}

	@Override
	public String toString() {
		return "WebhookGuardrail[" + this.name + " -> " + this.url + "]";
	}

}
