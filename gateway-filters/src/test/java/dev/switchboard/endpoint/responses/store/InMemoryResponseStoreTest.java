package dev.switchboard.endpoint.responses.store;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The embedded response store: per team, until its TTL, within its byte budget, oldest out first. */
class InMemoryResponseStoreTest {

	private final AtomicLong now = new AtomicLong();

	@Test
	void keepsARecordForItsTeamUntilItsTimeToLive() {
		InMemoryResponseStore store = new InMemoryResponseStore(1_000, Duration.ofMinutes(10), this.now::get);
		store.write("team-a", "resp_1", bytes(10)).block();
		assertThat(store.read("team-a", "resp_1").block()).hasSize(10);
		assertThat(store.read("team-b", "resp_1").block()).as("another team's").isNull();

		this.now.addAndGet(Duration.ofMinutes(10).toNanos() - 1);
		assertThat(store.read("team-a", "resp_1").block()).isNotNull();
		this.now.addAndGet(1);
		assertThat(store.read("team-a", "resp_1").block()).as("expired").isNull();
		assertThat(store.bytes()).as("and its bytes given back").isZero();
	}

	@Test
	void theOldestLeaveFirstWhenANewRecordNeedsTheRoom() {
		InMemoryResponseStore store = new InMemoryResponseStore(100, Duration.ofMinutes(10), this.now::get);
		for (int i = 1; i <= 4; i++) {
			store.write("team-a", "resp_" + i, bytes(30)).block();
			this.now.addAndGet(1);
		}
		assertThat(store.read("team-a", "resp_1").block()).isNull();
		assertThat(store.read("team-a", "resp_2").block()).isNotNull();
		assertThat(store.read("team-a", "resp_4").block()).isNotNull();
		assertThat(store.bytes()).isEqualTo(90);
		assertThat(store.size()).isEqualTo(3);
	}

	@Test
	void expiredRecordsMakeRoomBeforeLiveOnesDo() {
		InMemoryResponseStore store = new InMemoryResponseStore(100, Duration.ofSeconds(1), this.now::get);
		store.write("team-a", "old", bytes(60)).block();
		this.now.addAndGet(Duration.ofSeconds(2).toNanos());
		store.write("team-a", "new", bytes(10)).block();
		assertThat(store.bytes()).as("the expired one went with the next write").isEqualTo(10);
		assertThat(store.size()).isEqualTo(1);
	}

	@Test
	void aRecordLargerThanTheWholeStoreIsNotKeptAndEvictsNothing() {
		InMemoryResponseStore store = new InMemoryResponseStore(100, Duration.ofMinutes(10), this.now::get);
		store.write("team-a", "small", bytes(50)).block();
		store.write("team-a", "huge", bytes(101)).block();
		assertThat(store.read("team-a", "huge").block()).isNull();
		assertThat(store.read("team-a", "small").block()).isNotNull();
	}

	@Test
	void deletesOnlyWhatIsThere() {
		InMemoryResponseStore store = new InMemoryResponseStore(100, Duration.ofSeconds(1), this.now::get);
		store.write("team-a", "resp_1", bytes(5)).block();
		assertThat(store.delete("team-b", "resp_1").block()).as("another team's").isFalse();
		assertThat(store.delete("team-a", "resp_1").block()).isTrue();
		assertThat(store.delete("team-a", "resp_1").block()).isFalse();
		store.write("team-a", "resp_2", bytes(5)).block();
		this.now.addAndGet(Duration.ofSeconds(1).toNanos());
		assertThat(store.delete("team-a", "resp_2").block()).as("expired already").isFalse();
		assertThat(store.bytes()).isZero();
	}

	@Test
	void refusesABudgetOrTtlThatKeepsNothing() {
		assertThatThrownBy(() -> new InMemoryResponseStore(0, Duration.ofMinutes(1))).hasMessageContaining("maxBytes");
		assertThatThrownBy(() -> new InMemoryResponseStore(1, Duration.ZERO)).hasMessageContaining("ttl");
	}

	private static byte[] bytes(int n) {
		return new byte[n];
	}

}
