package dev.switchboard.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A UTC clock the test moves, read from any thread. */
public final class MovingClock extends Clock {

	private volatile long millis;

	public MovingClock(Instant start) {
		this.millis = start.toEpochMilli();
	}

	public void advance(Duration by) {
		advanceMillis(by.toMillis());
	}

	public synchronized void advanceMillis(long by) {
		this.millis += by;
	}

	@Override
	public ZoneId getZone() {
		return ZoneOffset.UTC;
	}

	@Override
	public Clock withZone(ZoneId zone) {
		return this;
	}

	@Override
	public long millis() {
		return this.millis;
	}

	@Override
	public Instant instant() {
		return Instant.ofEpochMilli(this.millis);
	}

}
