package io.cachesync.sync.envelope;

import com.fasterxml.jackson.databind.JsonNode;
import io.cachesync.core.codec.ValueCodec;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The Connect schema of a change event ({@code "schema"} of a JsonConverter envelope) and what the parser derives
 * from it: computed once per schema, and reused for every event that carries the same schema
 * ({@link EnvelopeReader}).
 */
final class EventSchema {
    /**
     * The {@code before} or {@code after} struct of the schema.
     *
     * @param columns       its column names, for schema-change detection; null when the schema has no such struct
     * @param columnSchemas its {@link ValueCodec#columnSchemas}
     */
    record Struct(Set<String> columns, Map<String, JsonNode> columnSchemas) {
        static final Struct ABSENT = new Struct(null, Map.of());

        static Struct of(JsonNode struct) {
            if (struct == null) {
                return ABSENT;
            }
            Set<String> columns = new TreeSet<>();
            struct.path("fields").forEach(f -> columns.add(f.path("field").asText()));
            return new Struct(Collections.unmodifiableSet(columns), ValueCodec.columnSchemas(struct));
        }
    }

    private final JsonNode node;
    private final Struct before;
    private final Struct after;

    private EventSchema(JsonNode node, Struct before, Struct after) {
        this.node = node;
        this.before = before;
        this.after = after;
    }

    /** @param node the {@code "schema"} of an envelope (any JSON value) */
    static EventSchema of(JsonNode node) {
        Struct before = Struct.of(struct(node, "before"));
        Struct after = Struct.of(struct(node, "after"));
        if (before.columns() != null && before.columns().equals(after.columns())) {
            // one set for both images: deletes and updates then compare as the same columns at no cost
            after = new Struct(before.columns(), after.columnSchemas());
        }
        return new EventSchema(node, before, after);
    }

    JsonNode node() {
        return node;
    }

    Struct before() {
        return before;
    }

    Struct after() {
        return after;
    }

    /** The first field of the schema named {@code field}, or null. */
    private static JsonNode struct(JsonNode schema, String field) {
        for (JsonNode f : schema.path("fields")) {
            if (field.equals(f.path("field").asText())) {
                return f;
            }
        }
        return null;
    }
}
