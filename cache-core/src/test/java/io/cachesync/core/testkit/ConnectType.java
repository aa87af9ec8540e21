package io.cachesync.core.testkit;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The Connect schema type Debezium's PostgreSQL connector gives a column in a change event, with
 * {@code decimal.handling.mode=string}, {@code time.precision.mode=adaptive} and {@code binary.handling.mode=base64}:
 * the Connect type, the Debezium logical type where the column has one, and the element type of an array.
 */
public record ConnectType(String type, String logicalName, ConnectType items) {
    public static final ConnectType INT16 = plain("int16");
    public static final ConnectType INT32 = plain("int32");
    public static final ConnectType INT64 = plain("int64");
    public static final ConnectType FLOAT32 = plain("float32");
    public static final ConnectType FLOAT64 = plain("float64");
    public static final ConnectType BOOLEAN = plain("boolean");
    public static final ConnectType STRING = plain("string");
    /** {@code bytea}: base64 text in the event. */
    public static final ConnectType BYTES = plain("bytes");
    /** {@code numeric}: a plain string with {@code decimal.handling.mode=string}. */
    public static final ConnectType DECIMAL = plain("string");
    /** {@code timestamptz}: ISO-8601 text in UTC. */
    public static final ConnectType ZONED_TIMESTAMP = logical("string", "io.debezium.time.ZonedTimestamp");
    /** {@code timestamp(4..6)}: microseconds since the epoch. */
    public static final ConnectType MICRO_TIMESTAMP = logical("int64", "io.debezium.time.MicroTimestamp");
    /** {@code time(4..6)}: microseconds since midnight. */
    public static final ConnectType MICRO_TIME = logical("int64", "io.debezium.time.MicroTime");
    /** {@code date}: days since the epoch. */
    public static final ConnectType DATE = logical("int32", "io.debezium.time.Date");
    public static final ConnectType UUID = logical("string", "io.debezium.data.Uuid");
    /** {@code json}, {@code jsonb}: the document as text. */
    public static final ConnectType JSON = logical("string", "io.debezium.data.Json");

    private static ConnectType plain(String type) {
        return new ConnectType(type, null, null);
    }

    private static ConnectType logical(String type, String logicalName) {
        return new ConnectType(type, logicalName, null);
    }

    /** A PostgreSQL array of {@code items} (its elements nullable). */
    public static ConnectType arrayOf(ConnectType items) {
        return new ConnectType("array", null, items);
    }

    /** The type's schema as JsonConverter writes it: type, items, optional, name and version, in that order. */
    ObjectNode schema(boolean optional) {
        ObjectNode schema = JsonNodeFactory.instance.objectNode().put("type", type);
        if (items != null) {
            schema.set("items", items.schema(true));
        }
        schema.put("optional", optional);
        if (logicalName != null) {
            schema.put("name", logicalName).put("version", 1);
        }
        return schema;
    }
}
