package dev.switchboard.endpoint.responses.store;

import reactor.core.publisher.Mono;

/**
 * Where the Responses door keeps the responses it answered with {@code store} on, so that a later
 * request can continue one ({@code previous_response_id}) and a client can read or delete it
 * ({@code GET}/{@code DELETE /v1/responses/{id}}). Every record belongs to one team: a team reads,
 * continues and deletes only its own, and another team's id is simply not there.
 *
 * <p>A record is opaque bytes here ({@code StoredResponse} writes and reads them); each store
 * bounds what it keeps by a time to live, and the one in memory also by size.
 */
public interface ResponseStore {

	/** A team's record, or empty when there is none (never stored, expired, evicted, deleted, or another team's). */
	Mono<byte[]> read(String team, String id);

	/**
	 * Keeps a record for the store's time to live. Completes when it is kept, so that the client
	 * can continue it as soon as it has the answer; a store that cannot keep it logs that and
	 * completes anyway: the answer itself is not lost for it.
	 */
	Mono<Void> write(String team, String id, byte[] record);

	/** Deletes a team's record; {@code true} when there was one. */
	Mono<Boolean> delete(String team, String id);

}
