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
     * @param columns       its columns, each with what decides how its values are written ({@link #shape}), for
     *                      schema-change detection; null when the schema has no such struct
     * @param columnSchemas its {@link ValueCodec#columnSchemas}
     */
    record Struct(Set<String> columns, Map<String, JsonNode> columnSchemas) {
        static final Struct ABSENT = new Struct(null, Map.of());

        static Struct of(JsonNode struct) {
            if (struct == null) {
                return ABSENT;
            }
            Set<String> columns = new TreeSet<>();
            struct.path("fields").forEach(f -> columns.add(shape(f)));
            return new Struct(Collections.unmodifiableSet(columns), ValueCodec.columnSchemas(struct));
        }

        /**
         * A column as far as its cached values depend on it: its name, Connect type and logical name (an array's:
         * of its elements), and a numeric's scale. A column whose type changed (ALTER COLUMN … TYPE) is then a change of
         * columns like an added or dropped one, so rows cached before are read again in the new form. Left out: whether it
         * is optional, its default, an enum's values, a numeric's precision — and a missing scale is 0, because
         * Debezium's snapshot and its stream describe an unconstrained numeric differently (length 0 without a scale,
         * 131089 with scale 0), which would otherwise look like a change at every switch between them.
         */
        static String shape(JsonNode field) {
            StringBuilder b = new StringBuilder(field.path("field").asText()).append(' ').append(field.path("type").asText())
                    .append(' ').append(field.path("name").asText(""));
            JsonNode items = field.get("items");
            if (items != null) {
                b.append(" of ").append(items.path("type").asText()).append(' ').append(items.path("name").asText(""));
            }
            JsonNode parameters = field.path("parameters");
            if ("NUMERIC".equalsIgnoreCase(parameters.path("__debezium.source.column.type").asText(""))) {
                b.append(" scale ").append(parameters.path("__debezium.source.column.scale").asText("0"));
            }
            return b.toString();
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
