package io.cachesync.sync.envelope;

import io.cachesync.core.catalog.EntityDefinition;

/**
 * One change to apply to the cache.
 *
 * @param entity            the entity the row belongs to
 * @param id                the canonical id ({@link io.cachesync.core.catalog.KeyType#canonical})
 * @param op                upsert or delete
 * @param version           a decimal integer &gt; 0 (the PostgreSQL LSN of the change)
 * @param document          the row's document (cached columns only), null for a delete
 * @param sourceTimestampMs commit time in PostgreSQL ({@code source.ts_ms})
 * @param snapshot          true for snapshot reads (their lag is not commit → apply and is not measured)
 */
public record CacheMutation(EntityDefinition entity, String id, Op op, String version, String document,
                            long sourceTimestampMs, boolean snapshot) {
    public enum Op { UPSERT, DELETE }
}
