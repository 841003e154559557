package dev.switchboard.cache.semantic;

/**
 * A Redis stream entry id, {@code <milliseconds>-<sequence>}, compared as the pair of numbers it is.
 */
record StreamPosition(long millis, long sequence) implements Comparable<StreamPosition> {

	static StreamPosition parse(String id) {
		int dash = id.indexOf('-');
		return (dash < 0) ? new StreamPosition(Long.parseLong(id), 0)
				: new StreamPosition(Long.parseLong(id.substring(0, dash)), Long.parseLong(id.substring(dash + 1)));
	}

	@Override
	public int compareTo(StreamPosition other) {
		int byMillis = Long.compare(this.millis, other.millis);
		return (byMillis != 0) ? byMillis : Long.compare(this.sequence, other.sequence);
	}

	@Override
	public String toString() {
		return this.millis + "-" + this.sequence;
	}

}
