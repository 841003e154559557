package dev.switchboard.autoconfigure;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.ActiveProfiles;

import dev.switchboard.cache.CacheService;
import dev.switchboard.core.Json;
import dev.switchboard.guard.GuardService;
import dev.switchboard.quota.admission.TokenQuotaService;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A route that lists {@code LlmQuota}, {@code LlmCache} and {@code LlmGuard} (with shortcut
 * arguments) while the three capabilities are switched off: the gateway starts, the route serves,
 * and none of them acts.
 */
@SpringBootTest(classes = GatewayTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "switchboard.cache.enabled=false", "switchboard.quota.enabled=false",
				"switchboard.guard.enabled=false",
				// The whole route: a list binds from one property source, so this one replaces the profile's.
				"spring.cloud.gateway.server.webflux.routes[0].id=llm",
				"spring.cloud.gateway.server.webflux.routes[0].uri=no://op",
				"spring.cloud.gateway.server.webflux.routes[0].predicates[0]=Path=/v1/**",
				"spring.cloud.gateway.server.webflux.routes[0].filters[0]=LlmEndpoint",
				"spring.cloud.gateway.server.webflux.routes[0].filters[1]=LlmQuota=true",
				"spring.cloud.gateway.server.webflux.routes[0].filters[2]=LlmCache=5m",
				"spring.cloud.gateway.server.webflux.routes[0].filters[3]=LlmGuard=pii,secrets" })
@ActiveProfiles("hostile-it")
@ExtendWith(OutputCaptureExtension.class)
class SwitchedOffCapabilitiesIntegrationTest {

	@LocalServerPort
	int port;

	@Autowired
	ApplicationContext context;

	@Test
	void routesNamingASwitchedOffFilterStillServeAndTheCapabilityDoesNotAct(CapturedOutput output) {
		assertThat(this.context.getBeanNamesForType(CacheService.class)).isEmpty();
		assertThat(this.context.getBeanNamesForType(TokenQuotaService.class)).isEmpty();
		assertThat(this.context.getBeanNamesForType(GuardService.class)).isEmpty();
		String body = "{\"model\":\"sim-model\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}";
		for (int i = 0; i < 2; i++) {
			var response = HttpClient.create()
				.headers(h -> h.set("authorization", "Bearer team-a-key").set("content-type", "application/json"))
				.post()
				.uri("http://127.0.0.1:" + this.port + "/v1/chat/completions")
				.send((request, out) -> out.sendString(Mono.just(body)))
				.responseSingle((r, content) -> content.asString().map(text -> new Object[] { r, text }))
				.block(Duration.ofSeconds(10));
			reactor.netty.http.client.HttpClientResponse r = (reactor.netty.http.client.HttpClientResponse) response[0];
			assertThat(r.status().code()).isEqualTo(200);
			assertThat(Json.MAPPER.readTree((String) response[1]).path("choices").isArray()).isTrue();
			assertThat(r.responseHeaders().get("x-switchboard-cache")).as("no cache lookup").isNull();
			assertThat(r.responseHeaders().names()).as("no quota headers")
				.noneMatch(name -> name.toLowerCase().startsWith("x-ratelimit"));
		}
		for (String[] filter : new String[][] { { "LlmQuota", "switchboard.quota.enabled" },
				{ "LlmCache", "switchboard.cache.enabled" }, { "LlmGuard", "switchboard.guard.enabled" } }) {
			String line = "Routes with the " + filter[0] + " filter pass requests through it: " + filter[1] + " is false";
			assertThat(output.getAll().split(java.util.regex.Pattern.quote(line), -1))
				.as("said once, naming the property: %s", line).hasSize(2);
		}
	}

}
