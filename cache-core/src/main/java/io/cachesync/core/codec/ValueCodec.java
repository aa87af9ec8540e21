package io.cachesync.core.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cachesync.core.catalog.EntityDefinition;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.AbstractMap;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one place that decides how a PostgreSQL value is represented in a cached document, whether the row
 * arrived as a Debezium change event (cache-sync) or was read with JDBC (query-api fills, verify).
 *
 * <table>
 * <caption>Representation</caption>
 * <tr><th>PostgreSQL</th><th>JSON</th></tr>
 * <tr><td>smallint, integer, bigint</td><td>number</td></tr>
 * <tr><td>real, double precision</td><td>number</td></tr>
 * <tr><td>numeric</td><td>string, exact, scale kept ("19.90")</td></tr>
 * <tr><td>boolean</td><td>true / false</td></tr>
 * <tr><td>text, varchar, char, uuid, enums</td><td>string</td></tr>
 * <tr><td>json, jsonb</td><td>the JSON value itself</td></tr>
 * <tr><td>bytea</td><td>base64 string</td></tr>
 * <tr><td>date / time / timestamp</td><td>ISO-8601 local string</td></tr>
 * <tr><td>timestamp with time zone</td><td>ISO-8601 instant in UTC ("2026-11-26T12:00:00.123456Z")</td></tr>
 * <tr><td>arrays</td><td>JSON arrays of the element representation</td></tr>
 * <tr><td>NULL</td><td>null</td></tr>
 * </table>
 * Documents list their columns in name order, so equal rows encode to equal strings on both paths.
 * Sensitive columns of the entity are dropped here, on both paths.
 */
public final class ValueCodec {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ValueCodec() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Serialises a document compactly, columns in name order. */
    public static String encode(ObjectNode document) {
        try {
            return MAPPER.writeValueAsString(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree could not be serialised", e);
        }
    }

    // ---------------------------------------------------------------- Debezium (JsonConverter with schemas)

    /**
     * Converts the {@code before} or {@code after} struct of a Debezium envelope.
     *
     * @param entity      the entity (for sensitive columns)
     * @param fieldSchema the Connect schema of the struct ({@code {"type":"struct","fields":[...]}})
     * @param row         the struct's value
     */
    public static ObjectNode fromDebezium(EntityDefinition entity, JsonNode fieldSchema, JsonNode row) {
        return fromDebezium(entity, columnSchemas(fieldSchema), row);
    }

    /**
     * The Connect schemas of a struct's fields by column name (the last one where a name repeats), so that a caller
     * converting many rows of one schema builds it once.
     *
     * @param fieldSchema the Connect schema of the struct, or null
     */
    public static Map<String, JsonNode> columnSchemas(JsonNode fieldSchema) {
        JsonNode fields = fieldSchema == null ? null : fieldSchema.get("fields");
        if (fields == null) {
            return Map.of();
        }
        Map<String, JsonNode> schemas = new HashMap<>();
        for (JsonNode f : fields) {
            schemas.put(f.path("field").asText(), f);
        }
        return Collections.unmodifiableMap(schemas);
    }

    /**
     * Converts the {@code before} or {@code after} struct of a Debezium envelope.
     *
     * @param entity        the entity (for sensitive columns)
     * @param columnSchemas the struct's {@link #columnSchemas}
     * @param row           the struct's value
     * @throws IllegalArgumentException naming the column, when a value does not fit its schema (a time out of range,
     *                                  a malformed timestamp)
     */
    public static ObjectNode fromDebezium(EntityDefinition entity, Map<String, JsonNode> columnSchemas, JsonNode row) {
        // converted in the row's order (so the first bad value is the one reported), written in name order
        @SuppressWarnings("unchecked")
        Map.Entry<String, JsonNode>[] columns = new Map.Entry[row.size()];
        int n = 0;
        Iterator<Map.Entry<String, JsonNode>> it = row.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (entity.isCached(e.getKey())) {
                JsonNode schema = columnSchemas.get(e.getKey());
                JsonNode value;
                try {
                    value = debeziumValue(schema, e.getValue());
                } catch (java.time.DateTimeException | ArithmeticException | IllegalArgumentException ex) {
                    throw new IllegalArgumentException("column '" + e.getKey() + "'"
                            + (schema == null ? "" : " (" + schema.path("name").asText(schema.path("type").asText()) + ")")
                            + " has a value that does not fit its type: " + ex.getMessage(), ex);
                }
                columns[n++] = new AbstractMap.SimpleImmutableEntry<>(e.getKey(), value);
            }
        }
        Arrays.sort(columns, 0, n, Map.Entry.comparingByKey());
        ObjectNode out = NODES.objectNode();
        for (int i = 0; i < n; i++) {
            out.set(columns[i].getKey(), columns[i].getValue());
        }
        return out;
    }

    static JsonNode debeziumValue(JsonNode schema, JsonNode value) {
        if (value == null || value.isNull()) {
            return NODES.nullNode();
        }
        if (schema == null) {
            return value;
        }
        String type = schema.path("type").asText();
        String name = schema.path("name").asText("");
        switch (name) {
            case "io.debezium.time.ZonedTimestamp":
                return NODES.textNode(ZonedTimestamps.toInstantText(value.asText()));
            case "io.debezium.time.MicroTimestamp":
                return NODES.textNode(localDateTime(value.asLong(), 1_000L).toString());
            case "io.debezium.time.Timestamp":
                return NODES.textNode(localDateTime(value.asLong(), 1_000_000L).toString());
            case "io.debezium.time.NanoTimestamp":
                return NODES.textNode(localDateTime(value.asLong(), 1L).toString());
            case "io.debezium.time.Date":
                return NODES.textNode(LocalDate.ofEpochDay(value.asLong()).toString());
            case "io.debezium.time.MicroTime":
                return NODES.textNode(LocalTime.ofNanoOfDay(value.asLong() * 1_000L).toString());
            case "io.debezium.time.Time":
                return NODES.textNode(LocalTime.ofNanoOfDay(value.asLong() * 1_000_000L).toString());
            case "io.debezium.time.NanoTime":
                return NODES.textNode(LocalTime.ofNanoOfDay(value.asLong()).toString());
            case "io.debezium.data.Json":
                return parseJson(value.asText());
            case "io.debezium.data.Uuid":
                return NODES.textNode(value.asText());
            default:
                break;
        }
        switch (type) {
            case "int8", "int16", "int32", "int64":
                return NODES.numberNode(value.asLong());
            case "float32":
                return NODES.numberNode(value.floatValue());
            case "float64":
                return NODES.numberNode(value.doubleValue());
            case "boolean":
                return NODES.booleanNode(value.asBoolean());
            case "array": {
                ArrayNode out = NODES.arrayNode();
                for (JsonNode item : value) {
                    out.add(debeziumValue(schema.get("items"), item));
                }
                return out;
            }
            default:
                return value.isTextual() ? NODES.textNode(value.asText()) : value;
        }
    }

    private static LocalDateTime localDateTime(long amount, long nanosPerUnit) {
        long nanos = Math.multiplyExact(amount, nanosPerUnit);
        long seconds = Math.floorDiv(nanos, 1_000_000_000L);
        int nano = (int) Math.floorMod(nanos, 1_000_000_000L);
        return LocalDateTime.ofEpochSecond(seconds, nano, ZoneOffset.UTC);
    }

    // ---------------------------------------------------------------- JDBC

    /** Converts the current row of a result set (all its columns, sensitive ones dropped). */
    public static ObjectNode fromJdbc(EntityDefinition entity, ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        Map<String, JsonNode> columns = new TreeMap<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            String column = md.getColumnName(i);
            if (entity.isCached(column)) {
                columns.put(column, jdbcValue(rs, i, md.getColumnTypeName(i)));
            }
        }
        return ordered(columns);
    }

    /**
     * @param declaredType the type name PgJDBC gives the column. It names an integer column with a sequence default by
     *                     its declaration ({@code bigserial}, {@code serial}, {@code smallserial}), where Debezium reads
     *                     the integer type: those are mapped back (a domain needs nothing: PostgreSQL describes a
     *                     result column of a domain by its base type)
     */
    static JsonNode jdbcValue(ResultSet rs, int i, String declaredType) throws SQLException {
        if (rs.getObject(i) == null) {
            return NODES.nullNode();
        }
        String typeName = switch (declaredType) {
            case "bigserial" -> "int8";
            case "serial" -> "int4";
            case "smallserial" -> "int2";
            default -> declaredType;
        };
        if (typeName.startsWith("_")) {
            // element by element through the array's result set, so that each element gets exactly the
            // representation of a scalar column (the objects of getArray() are java.sql.Time / Timestamp / byte[],
            // whose toString() drops microseconds or differs in shape)
            Array array = rs.getArray(i);
            ArrayNode out = NODES.arrayNode();
            try (ResultSet items = array.getResultSet()) {
                String itemType = items.getMetaData().getColumnTypeName(2);
                while (items.next()) {
                    out.add(jdbcValue(items, 2, itemType));
                }
            } finally {
                array.free();
            }
            return out;
        }
        return switch (typeName) {
            case "int2", "int4", "int8", "oid" -> NODES.numberNode(rs.getLong(i));
            case "float4" -> NODES.numberNode(rs.getFloat(i));
            case "float8" -> NODES.numberNode(rs.getDouble(i));
            case "numeric" -> NODES.textNode(rs.getBigDecimal(i).toPlainString());
            case "bool" -> NODES.booleanNode(rs.getBoolean(i));
            case "json", "jsonb" -> parseJson(rs.getString(i));
            case "bytea" -> NODES.textNode(Base64.getEncoder().encodeToString(rs.getBytes(i)));
            case "date" -> NODES.textNode(rs.getObject(i, LocalDate.class).toString());
            case "time" -> NODES.textNode(rs.getObject(i, LocalTime.class).toString());
            case "timestamp" -> NODES.textNode(rs.getObject(i, LocalDateTime.class).toString());
            case "timestamptz" -> NODES.textNode(rs.getObject(i, OffsetDateTime.class).toInstant().toString());
            default -> NODES.textNode(rs.getString(i));
        };
    }

    // ---------------------------------------------------------------- helpers

    private static JsonNode parseJson(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            return NODES.textNode(text);
        }
    }

    private static ObjectNode ordered(Map<String, JsonNode> columns) {
        ObjectNode out = NODES.objectNode();
        columns.forEach(out::set);
        return out;
    }
}
