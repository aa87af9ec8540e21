package io.cachesync.sync.envelope;

import com.fasterxml.jackson.databind.JsonNode;
import io.cachesync.core.catalog.EntityDefinition;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * One change to apply to the cache.
 *
 * @param entity            the entity the row belongs to
 * @param id                the canonical id ({@link io.cachesync.core.catalog.EntityKey#canonical}); null for a truncate
 * @param op                upsert, delete, invalidate or truncate
 * @param version           the version apply.lua compares: {@link CommitOrderVersion} for a captured change, the publisher's decimal
 *                          version for a command
 * @param document          the row's document (cached columns only), null for a delete
 * @param sourceTimestampMs commit time in PostgreSQL ({@code source.ts_ms})
 * @param snapshot          true for snapshot reads (their lag is not commit → apply and is not measured)
 * @param listValues        for each list index of the entity, the values of that column before and after the change
 *                          (the list pages that may hold the row); empty when the entity has no list index
 * @param origin            the Kafka record it came from (for the dead-letter topic), or null
 * @param carried           for an invalidation whose event lacked some columns (an untouched TOASTed value): the document
 *                          of the columns it did carry — never cached, but enough for the view topology to tell which
 *                          parent or reference the row belongs to; null otherwise
 */
public record CacheMutation(EntityDefinition entity, String id, Op op, String version, String document,
                            long sourceTimestampMs, boolean snapshot, Map<String, Set<String>> listValues, Origin origin, String carried) {
    /**
     * {@code INVALIDATE}: a change whose row is not to be cached (its event or document was too large, or it lacks an
     * untouched TOASTed column); versioned like any change, the key keeps only its version, and the next read fills it
     * from PostgreSQL at that version.
     */
    public enum Op {
        UPSERT, DELETE, INVALIDATE,
        /**
         * A TRUNCATE of the entity's table ({@code id} null): every cached row of the entity older than {@code version}
         * is deleted, versioned like any delete (cdc-ingest publishes it to every partition of the topic, so each
         * partition's older changes are applied before it and none after).
         */
        TRUNCATE
    }

    /** The record a mutation was parsed from: where it sits, and its key and value as they came. */
    public record Origin(String topic, int partition, long offset, byte[] key, byte[] value) {
    }

    public CacheMutation {
        listValues = Map.copyOf(listValues);
    }

    public CacheMutation(EntityDefinition entity, String id, Op op, String version, String document, long sourceTimestampMs,
                         boolean snapshot, Map<String, Set<String>> listValues, Origin origin) {
        this(entity, id, op, version, document, sourceTimestampMs, snapshot, listValues, origin, null);
    }

    public CacheMutation(EntityDefinition entity, String id, Op op, String version, String document, long sourceTimestampMs,
                         boolean snapshot, Map<String, Set<String>> listValues) {
        this(entity, id, op, version, document, sourceTimestampMs, snapshot, listValues, null);
    }

    public CacheMutation(EntityDefinition entity, String id, Op op, String version, String document, long sourceTimestampMs, boolean snapshot) {
        this(entity, id, op, version, document, sourceTimestampMs, snapshot, Map.of(), null);
    }

    /**
     * The source epoch of a captured change (its version's first digits, hex), checked against the source floor; null
     * for a command, whose publisher's version has no epoch.
     */
    public String sourceEpoch() {
        return entity.source() != EntityDefinition.Source.COMMANDS ? CommitOrderVersion.epochOf(version) : null;
    }

    /** This change as an invalidation: same row and version, no document (see {@link Op#INVALIDATE}). */
    public CacheMutation asInvalidation() {
        return new CacheMutation(entity, id, Op.INVALIDATE, version, null, sourceTimestampMs, snapshot, listValues, origin, carried);
    }

    /** This mutation, remembering the record it was parsed from. */
    public CacheMutation withOrigin(Origin o) {
        return new CacheMutation(entity, id, op, version, document, sourceTimestampMs, snapshot, listValues, o, carried);
    }

    /** The list values of the indexed columns in {@code rows} (documents as JSON trees; nulls and absent columns skipped). */
    public static Map<String, Set<String>> listValues(EntityDefinition entity, JsonNode... rows) {
        if (entity.query().lists().isEmpty()) {
            return Map.of();
        }
        Map<String, Set<String>> out = new HashMap<>();
        for (var index : entity.query().lists()) {
            Set<String> values = new LinkedHashSet<>();
            for (var row : rows) {
                if (row != null && row.hasNonNull(index.field()) && !row.get(index.field()).isContainerNode()) {
                    values.add(row.get(index.field()).asText());
                }
            }
            out.put(index.field(), values);
        }
        return out;
    }
}
