package io.cachesync.sync.envelope;

import com.fasterxml.jackson.databind.JsonNode;

/** Where the Connect schemas of compact change events are found by their id ({@link io.cachesync.core.topics.CompactEnvelope}). */
@FunctionalInterface
public interface SchemaSource {
    /** Knows no schema: every compact event is refused (for parsers of Debezium's envelope only). */
    SchemaSource NONE = id -> null;

    /**
     * The schema of {@code id}, or null when it does not exist.
     *
     * @throws IllegalStateException when the source cannot be read (the record is then retried, not refused)
     */
    JsonNode schema(String id);
}
