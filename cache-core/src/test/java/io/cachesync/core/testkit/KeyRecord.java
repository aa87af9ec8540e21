package io.cachesync.core.testkit;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;

/**
 * The Kafka key of a change event's record as Debezium writes it through JsonConverter: the primary-key columns of the
 * row, {@code {"schema":{…Key struct…},"payload":{"id":42}}}, or {@code {"id":42}} alone {@link #withoutSchema()}.
 */
public final class KeyRecord {
    private final ObjectNode schema;
    private final ObjectNode payload;
    private boolean withSchema = true;

    KeyRecord(ObjectNode schema, ObjectNode payload) {
        this.schema = schema;
        this.payload = payload;
    }

    /** The key columns alone, as JsonConverter writes them with {@code schemas.enable=false}. */
    public KeyRecord withoutSchema() {
        this.withSchema = false;
        return this;
    }

    public String json() {
        return ConnectJson.write(withSchema ? schema : null, payload);
    }

    public byte[] bytes() {
        return json().getBytes(StandardCharsets.UTF_8);
    }
}
