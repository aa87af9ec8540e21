package io.cachesync.core.testkit;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * Debezium change events of one PostgreSQL table, for tests and benchmarks, as the PostgreSQL connector of Debezium 3.6
 * writes them through Kafka Connect's JsonConverter (topic prefix {@code cachesync}). The table is declared once, its key
 * and columns with their Connect types, and then makes rows, change events ({@link ChangeEvent}) and record keys
 * ({@link KeyRecord}):
 *
 * <pre>{@code
 * ChangeEvents users = ChangeEvents.table("public.users").key("id", ConnectType.INT64).column("name", ConnectType.STRING);
 * byte[] value = users.update(users.row(42, "Ada"), users.row(42, "Grace")).lastCommit(400L).lsn(480L).bytes();
 * byte[] key = users.keyOf(42).bytes();
 * }</pre>
 *
 * <p>A table is immutable: declaring a column gives a new one.
 */
public final class ChangeEvents {
    /** Debezium's {@code topic.prefix} as cachesync sets it: the first part of topic and schema names, {@code source.name}. */
    static final String SERVER = "cachesync";

    private record Column(String name, ConnectType type, boolean optional, boolean key) {
    }

    private final String schema;
    private final String table;
    private final List<Column> columns;

    private ChangeEvents(String schema, String table, List<Column> columns) {
        this.schema = schema;
        this.table = table;
        this.columns = columns;
    }

    /** The table {@code qualifiedName} ({@code schema.table}), without columns yet. */
    public static ChangeEvents table(String qualifiedName) {
        int dot = qualifiedName.indexOf('.');
        if (dot <= 0 || dot == qualifiedName.length() - 1) {
            throw new IllegalArgumentException("a table is named schema.table, was '" + qualifiedName + "'");
        }
        return new ChangeEvents(qualifiedName.substring(0, dot), qualifiedName.substring(dot + 1), List.of());
    }

    /** The table with a further primary-key column (never null). */
    public ChangeEvents key(String name, ConnectType type) {
        return with(new Column(name, type, false, true));
    }

    /** The table with a further {@code NOT NULL} column. */
    public ChangeEvents column(String name, ConnectType type) {
        return with(new Column(name, type, false, false));
    }

    /** The table with a further nullable column. */
    public ChangeEvents optionalColumn(String name, ConnectType type) {
        return with(new Column(name, type, true, false));
    }

    private ChangeEvents with(Column column) {
        List<Column> more = new ArrayList<>(columns);
        more.add(column);
        return new ChangeEvents(schema, table, List.copyOf(more));
    }

    /** A row image as the event carries it, compact JSON: one value a column, in the order they were declared. */
    public String row(Object... values) {
        if (values.length != columns.size()) {
            throw new IllegalArgumentException(schema + "." + table + " has " + columns.size() + " columns, " + values.length + " values given");
        }
        ObjectNode row = ConnectJson.object();
        for (int i = 0; i < values.length; i++) {
            row.set(columns.get(i).name(), ConnectJson.value(values[i]));
        }
        return row.toString();
    }

    /** An insert ({@code op=c}) of the row {@code after}. */
    public ChangeEvent insert(String after) {
        return change("c", null, after);
    }

    /** A snapshot read ({@code op=r}) of the row {@code after}. */
    public ChangeEvent read(String after) {
        return change("r", null, after);
    }

    /** An update; {@code before} is null where the table's replica identity does not give the old row. */
    public ChangeEvent update(String before, String after) {
        return change("u", before, after);
    }

    /** A delete of the row {@code before}. */
    public ChangeEvent delete(String before) {
        return change("d", before, null);
    }

    /** An event with any {@code op}; a row image is JSON text, or null for none. */
    public ChangeEvent change(String op, String before, String after) {
        return new ChangeEvent(this, op, before, after);
    }

    /** The key of the record of a change of the row whose key columns hold {@code values}, in their order. */
    public KeyRecord keyOf(Object... values) {
        List<Column> keys = columns.stream().filter(Column::key).toList();
        if (values.length != keys.size()) {
            throw new IllegalArgumentException(schema + "." + table + " has " + keys.size() + " key columns, " + values.length + " values given");
        }
        ObjectNode payload = ConnectJson.object();
        List<ObjectNode> fields = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            payload.set(keys.get(i).name(), ConnectJson.value(values[i]));
            fields.add(ConnectJson.field(keys.get(i).name(), keys.get(i).type(), false));
        }
        return new KeyRecord(ConnectJson.struct(fields, false, schemaName("Key"), null), payload);
    }

    String schema() {
        return schema;
    }

    String table() {
        return table;
    }

    /** The Connect schema name of the table's {@code Key}, {@code Value} or {@code Envelope}. */
    String schemaName(String kind) {
        return SERVER + "." + schema + "." + table + "." + kind;
    }

    /** The schema of a row image, the envelope's field {@code field} ({@code before} or {@code after}). */
    ObjectNode rowSchema(String field) {
        List<ObjectNode> fields = columns.stream().map(c -> ConnectJson.field(c.name(), c.type(), c.optional())).toList();
        return ConnectJson.struct(fields, true, schemaName("Value"), null).put("field", field);
    }
}
