package dev.switchboard.live;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.switchboard.core.ConfigSnapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class LiveConfigTest {

	private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-07T10:00:00Z"), ZoneOffset.UTC);

	/** A snapshot whose one part is a string, with the given models (name = digest). */
	static ConfigSnapshot snapshot(String version, String part, String... models) {
		ConfigSnapshot.Builder builder = new ConfigSnapshot.Builder().part(String.class, part);
		for (String model : models) {
			String[] nameAndDigest = model.split("=");
			builder.item("models", nameAndDigest[0], nameAndDigest[1]);
		}
		return builder.build(version, CLOCK.instant(), "test");
	}

	@Test
	void aNewVersionIsSwappedInWithWhatChangedAndTheSameContentChangesNothing() {
		LiveConfig live = new LiveConfig(snapshot("v1", "one", "gpt-4o=a", "claude=b"), 5, CLOCK);
		List<LiveConfig.Change> heard = new ArrayList<>();
		live.addListener(new LiveConfig.Listener() {
			@Override
			public void applied(LiveConfig.Change change) {
				heard.add(change);
			}
		});

		LiveConfig.Change change = live.apply(snapshot("v2", "two", "gpt-4o=a2", "gpt-5=c"));
		assertThat(live.current().part(String.class)).isEqualTo("two");
		assertThat(change.summary().toString()).isEqualTo("models +gpt-5 -claude ~gpt-4o");
		assertThat(heard).containsExactly(change);
		assertThat(live.history()).extracting(version -> version.snapshot().version()).containsExactly("v2", "v1");

		assertThat(live.apply(snapshot("v2", "again", "gpt-4o=a2", "gpt-5=c"))).as("same content").isNull();
		assertThat(live.current().part(String.class)).isEqualTo("two");
		assertThat(heard).hasSize(1);
	}

	@Test
	void aRefusedCandidateLeavesTheCurrentVersionAndIsRecordedWithItsProblems() {
		LiveConfig live = new LiveConfig(snapshot("v1", "one"), 5, CLOCK);
		List<LiveConfig.Rejection> heard = new ArrayList<>();
		live.addListener(new LiveConfig.Listener() {
			@Override
			public void rejected(LiveConfig.Rejection rejection) {
				heard.add(rejection);
			}
		});
		live.reject("file:/etc/switchboard.yml", List.of("switchboard.models[0].provider: 'nope' is not a provider"));
		assertThat(live.current().version()).isEqualTo("v1");
		assertThat(live.lastRejection().problems()).containsExactly("switchboard.models[0].provider: 'nope' is not a provider");
		assertThat(live.lastRejection().source()).isEqualTo("file:/etc/switchboard.yml");
		assertThat(heard).hasSize(1);
	}

	@Test
	void rollbackReinstallsAnEarlierVersionAsItWas() {
		LiveConfig live = new LiveConfig(snapshot("v1", "one", "gpt-4o=a"), 5, CLOCK);
		live.apply(snapshot("v2", "two", "gpt-4o=b"));
		LiveConfig.Change back = live.rollback("v1");
		assertThat(live.current().version()).isEqualTo("v1");
		assertThat(live.current().part(String.class)).isEqualTo("one");
		assertThat(live.current().source()).isEqualTo("rollback");
		assertThat(back.previous().version()).isEqualTo("v2");
		assertThat(back.summary().toString()).isEqualTo("models ~gpt-4o");
		assertThat(live.history()).extracting(version -> version.snapshot().version()).containsExactly("v1", "v2", "v1");

		assertThatIllegalArgumentException().isThrownBy(() -> live.rollback("v1")).withMessageContaining("current");
		assertThatIllegalArgumentException().isThrownBy(() -> live.rollback("v9"))
			.withMessageContaining("No version v9 in the last 3 versions");
	}

	@Test
	void theHistoryIsBoundedAndAListenerThatThrowsDoesNotStopTheOthers() {
		LiveConfig live = new LiveConfig(snapshot("v0", "zero"), 3, CLOCK);
		List<String> heard = new ArrayList<>();
		live.addListener(new LiveConfig.Listener() {
			@Override
			public void applied(LiveConfig.Change change) {
				throw new IllegalStateException("broken listener");
			}
		});
		live.addListener(new LiveConfig.Listener() {
			@Override
			public void applied(LiveConfig.Change change) {
				heard.add(change.current().version());
			}
		});
		for (int i = 1; i <= 5; i++) {
			live.apply(snapshot("v" + i, "n" + i));
		}
		assertThat(heard).containsExactly("v1", "v2", "v3", "v4", "v5");
		assertThat(live.history()).extracting(version -> version.snapshot().version()).containsExactly("v5", "v4", "v3");
		assertThatIllegalArgumentException().isThrownBy(() -> live.rollback("v1")).as("gone from the history");
	}

	@Test
	void parallelChangesApplyOneAfterTheOther() throws InterruptedException {
		LiveConfig live = new LiveConfig(snapshot("v0", "zero"), 100, CLOCK);
		List<Thread> threads = new ArrayList<>();
		for (int i = 1; i <= 20; i++) {
			int n = i;
			Thread thread = new Thread(() -> live.apply(snapshot("v" + n, "n" + n)));
			thread.start();
			threads.add(thread);
		}
		for (Thread thread : threads) {
			thread.join();
		}
		List<LiveConfig.Version> history = live.history();
		assertThat(history).hasSize(21);
		assertThat(history.get(0).snapshot()).isSameAs(live.current());
		// Each change replaced the version just before it in the history: none was lost or applied twice.
		assertThat(history.stream().map(version -> version.snapshot().version()).distinct()).hasSize(21);
	}

}
