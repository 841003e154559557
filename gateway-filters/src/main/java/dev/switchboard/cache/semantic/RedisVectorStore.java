package dev.switchboard.cache.semantic;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.redisson.api.BatchOptions;
import org.redisson.api.RBatch;
import org.redisson.api.RStreamAsync;
import org.redisson.api.RedissonClient;
import org.redisson.api.stream.StreamAddArgs;
import org.redisson.api.stream.StreamMessageId;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import dev.switchboard.core.Timers;

/**
 * The fleet's vector store on plain Redis (no modules): Redis is the source of truth, each gateway
 * searches an in-memory mirror.
 *
 * <p>Each scope is one Redis stream, {@code <prefix>:{<namespace>}:<scope>}: an entry per indexed
 * prompt with its exact key hash, its vector (384 float32, base64), the embedder, the threshold, the
 * lexical fingerprint and its expiry. The stream is capped ({@code XADD MAXLEN ~ maxPerScope}) and
 * expires with its newest entry's TTL; the namespace in braces keeps a team's keys on one slot of a
 * Redis Cluster. A lookup reads what was appended since this gateway last read the scope ({@code
 * XRANGE} from just after its position, at most 500 entries: one round trip, usually returning nothing), adds it to the mirror's
 * {@link LshIndex}, and searches there; a store is one pipelined {@code XADD} and {@code PEXPIRE}.
 * So an answer stored by one gateway is a semantic hit on every other one at its next lookup, and
 * lookup time follows the LSH buckets, not the store's size.
 *
 * <p>Every call is bounded by {@code timeout}. When Redis is unreachable a lookup searches the mirror
 * as it is (its answer is read from the cache store, which then fails to a miss on its own) and a
 * store is dropped, logged: the cache never fails a request.
 */
public final class RedisVectorStore implements VectorStore {

	private static final Logger log = LoggerFactory.getLogger(RedisVectorStore.class);

	public static final String DEFAULT_PREFIX = "sb:sem";

	/**
	 * Most stream entries read per lookup (about 1 MB): a gateway catching up on a large scope reads
	 * it over several lookups rather than stall the connection it shares with quotas.
	 */
	static final int READ_BATCH = 500;

	private final RedissonClient client;

	private final Duration timeout;

	private final String prefix;

	private final int maxPerScope;

	private final InMemoryVectorStore mirror;

	/**
	 * @param maxPerScope the stream cap per scope in Redis
	 * @param mirrorEntries most vectors this gateway mirrors in memory, all scopes together
	 */
	public RedisVectorStore(RedissonClient client, Duration timeout, String prefix, int maxPerScope, int mirrorEntries) {
		this.client = client;
		this.timeout = timeout;
		this.prefix = prefix;
		this.maxPerScope = maxPerScope;
		this.mirror = new InMemoryVectorStore(mirrorEntries);
	}

	@Override
	public Mono<List<VectorEntry>> candidates(String namespace, String scope, float[] vector) {
		String local = namespace + "/" + scope;
		StreamPosition position = this.mirror.position(local);
		// From just after the last entry read: XRANGE is inclusive, and the next id is the exclusive start.
		StreamMessageId from = (position != null) ? new StreamMessageId(position.millis(), position.sequence() + 1)
				: StreamMessageId.MIN;
		RStreamAsync<String, String> stream = this.client.getStream(key(namespace, scope), StringCodec.INSTANCE);
		return Mono.defer(() -> Mono.fromCompletionStage(stream.rangeAsync(READ_BATCH, from, StreamMessageId.MAX)))
			.timeout(Timers.delay(this.timeout))
			// Decoding and hashing is CPU work: not on Redisson's connection threads.
			.publishOn(Schedulers.parallel())
			.doOnNext(read -> this.mirror.addFromLog(local, decode(read)))
			.then()
			.onErrorResume(error -> {
				log.warn("Semantic index read of {} failed ({}); searching this gateway's copy", local, error.toString());
				return Mono.empty();
			})
			.then(Mono.fromSupplier(() -> this.mirror.candidatesNow(local, vector)));
	}

	@Override
	public Mono<Void> add(String namespace, String scope, VectorEntry entry, Duration ttl) {
		String key = key(namespace, scope);
		return Mono.defer(() -> {
			RBatch batch = this.client.createBatch(BatchOptions.defaults());
			RStreamAsync<String, String> stream = batch.getStream(key, StringCodec.INSTANCE);
			stream.addAsync(StreamAddArgs.entries(encode(entry)).trimNonStrict().maxLen(this.maxPerScope).noLimit());
			stream.expireAsync(ttl);
			return Mono.fromCompletionStage(batch.executeAsync());
		}).timeout(Timers.delay(this.timeout)).then().onErrorResume(error -> {
			log.warn("Semantic index write to {} failed ({}); the answer stays exact-only", key, error.toString());
			return Mono.empty();
		});
	}

	/** How many vectors this gateway mirrors. */
	public int mirrored() {
		return this.mirror.size();
	}

	String key(String namespace, String scope) {
		return this.prefix + ":{" + namespace + "}:" + scope;
	}

	static Map<String, String> encode(VectorEntry entry) {
		ByteBuffer bytes = ByteBuffer.allocate(entry.vector().length * 4).order(ByteOrder.LITTLE_ENDIAN);
		for (float value : entry.vector()) {
			bytes.putFloat(value);
		}
		return Map.of("k", entry.keyHash(), "v", Base64.getEncoder().encodeToString(bytes.array()), "e",
				entry.embedder(), "t", Double.toString(entry.threshold()), "f", entry.fingerprint(), "x",
				Long.toString(entry.expiresAtMillis()));
	}

	static List<Map.Entry<StreamPosition, VectorEntry>> decode(Map<StreamMessageId, Map<String, String>> read) {
		List<Map.Entry<StreamPosition, VectorEntry>> entries = new ArrayList<>(read.size());
		for (Map.Entry<StreamMessageId, Map<String, String>> message : read.entrySet()) {
			StreamPosition position = new StreamPosition(message.getKey().getId0(), message.getKey().getId1());
			try {
				Map<String, String> fields = message.getValue();
				ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(fields.get("v")))
					.order(ByteOrder.LITTLE_ENDIAN);
				float[] vector = new float[bytes.remaining() / 4];
				for (int i = 0; i < vector.length; i++) {
					vector[i] = bytes.getFloat();
				}
				entries.add(Map.entry(position, new VectorEntry(fields.get("k"), vector, fields.get("e"),
						Double.parseDouble(fields.get("t")), fields.get("f"), Long.parseLong(fields.get("x")))));
			}
			catch (RuntimeException ex) {
				// Not ours or damaged: skipped, and the position still moves past it.
				entries.add(Map.entry(position, new VectorEntry("", new float[0], "", 1, "", 0)));
			}
		}
		entries.sort(Map.Entry.comparingByKey());
		return entries;
	}

}
