package dev.switchboard.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.netty.handler.codec.http.HttpHeaders;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.JsonNode;

import dev.switchboard.cache.filter.LlmCacheGatewayFilterFactory;
import dev.switchboard.core.Json;

/** Requests of the gateway tests (cache, guardrails) to a gateway on loopback, and what came back. */
final class GatewayHttp {

	private GatewayHttp() {
	}

	/** A chat completion request, JSON or streamed. */
	static Answer chat(int port, String key, String body) {
		return post(port, "/v1/chat/completions", key, body, Map.of());
	}

	static Answer post(int port, String path, String key, String body, Map<String, String> headers) {
		return HttpClient.create()
			.headers(h -> {
				h.set("authorization", "Bearer " + key).set("content-type", "application/json");
				headers.forEach(h::set);
			})
			.post()
			.uri("http://127.0.0.1:" + port + path)
			.send((request, out) -> out.sendString(Mono.just(body)))
			.responseSingle((response, content) -> content.asString()
				.defaultIfEmpty("")
				.map(text -> new Answer(response.status().code(), response.responseHeaders(), text)))
			.block(Duration.ofSeconds(10));
	}

	record Answer(int status, HttpHeaders headers, String body) {

		String cache() {
			return this.headers.get(LlmCacheGatewayFilterFactory.CACHE_HEADER);
		}

		/** The assistant's text, from a JSON answer or by joining a stream's deltas. */
		String content() {
			if (!this.body.startsWith("data:")) {
				return Json.MAPPER.readTree(this.body).path("choices").get(0).path("message").path("content").asString();
			}
			StringBuilder text = new StringBuilder();
			for (String data : events()) {
				if (!data.equals("[DONE]")) {
					for (JsonNode choice : Json.MAPPER.readTree(data).path("choices")) {
						text.append(choice.path("delta").path("content").asString(""));
					}
				}
			}
			return text.toString();
		}

		/** The {@code data:} payloads of a stream, in order. */
		List<String> events() {
			List<String> events = new ArrayList<>();
			for (String line : this.body.split("\n")) {
				if (line.startsWith("data: ")) {
					events.add(line.substring(6));
				}
			}
			return events;
		}

	}

}
