package io.cachesync.core.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cachesync.core.catalog.EntityDefinition;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.AbstractMap;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The one place that decides how a PostgreSQL value is represented in a cached document, whether the row
 * arrived as a Debezium change event (cache-sync) or was read with JDBC (query-api fills, verify).
 *
 * <table>
 * <caption>Representation (docs/types.md gives the reasons)</caption>
 * <tr><th>PostgreSQL</th><th>JSON</th></tr>
 * <tr><td>smallint, integer, bigint</td><td>number</td></tr>
 * <tr><td>real, double precision</td><td>number; "NaN", "Infinity", "-Infinity"</td></tr>
 * <tr><td>numeric</td><td>string, exact, plain, scale kept ("19.90"); "NaN", "Infinity", "-Infinity"</td></tr>
 * <tr><td>money</td><td>string, two decimals, no symbol ("-1000.50")</td></tr>
 * <tr><td>boolean</td><td>true / false</td></tr>
 * <tr><td>text, varchar, char, uuid, enums, inet, cidr, macaddr, ranges</td><td>string</td></tr>
 * <tr><td>json, jsonb</td><td>the JSON value itself, numbers exact</td></tr>
 * <tr><td>bytea</td><td>base64 string</td></tr>
 * <tr><td>date / time / timestamp</td><td>ISO-8601 local string; "infinity", "-infinity"; time "24:00"</td></tr>
 * <tr><td>timestamp with time zone</td><td>ISO-8601 instant in UTC ("2026-11-26T12:00:00.123456Z"); "infinity"</td></tr>
 * <tr><td>time with time zone</td><td>ISO-8601 time in UTC ("04:45:30.123456Z")</td></tr>
 * <tr><td>interval</td><td>ISO-8601 duration of PostgreSQL's fields ("P1Y2M-3DT4H5M6.5S")</td></tr>
 * <tr><td>arrays</td><td>JSON arrays of the element representation</td></tr>
 * <tr><td>NULL</td><td>null</td></tr>
 * </table>
 * Documents list their columns in name order, so equal rows encode to equal strings on both paths.
 * Sensitive columns of the entity are dropped here, on both paths.
 *
 * <p>Longer than our ~250-line guide on purpose: both paths of every type sit side by side, so that a reader checks the
 * two encodings of one type against each other in one place (docs/types.md, TypeMatrixIT).
 */
public final class ValueCodec {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    /**
     * Reads json / jsonb values: numbers with a fraction or an exponent as exact decimals (as PostgreSQL keeps them:
     * {@code 1.10} stays {@code 1.10}, {@code 1e400} does not become Infinity), no limit on a number's or a string's length.
     */
    private static final ObjectMapper JSON_VALUES = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNumberLength(Integer.MAX_VALUE).maxStringLength(Integer.MAX_VALUE).build())
                    .build())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();
    /** The Connect schema parameter that carries the column's PostgreSQL type. */
    static final String SOURCE_TYPE = "__debezium.source.column.type";
    private static final long MICROS_PER_DAY = 86_400_000_000L;
    /*
     * Debezium 3.6 writes a timestamp 'infinity' as PgJDBC's infinity constants (milliseconds) taken for microseconds,
     * and a date 'infinity' as an overflowed day count, one in snapshots and another while streaming. All but the first
     * lie outside PostgreSQL's range; the first is 294247-01-10 04:00:25.2, which no real row holds.
     */
    private static final long MICROS_INFINITY = 9_223_372_036_825_200_000L;
    private static final long MICROS_MINUS_INFINITY = -9_223_372_036_832_400_000L;
    private static final Set<Long> DAYS_INFINITY = Set.of(-622_191_234L, -2_147_472_692L);
    private static final Set<Long> DAYS_MINUS_INFINITY = Set.of(-625_821_272L, -2_147_472_691L);
    /** PostgreSQL's {@code time '24:00:00'}, which {@link LocalTime} cannot hold. */
    private static final String END_OF_DAY = "24:00";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ValueCodec() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /**
     * The mapper that reads documents back exactly as {@link #encode} wrote them (decimals as written, {@code 1.10}
     * stays {@code 1.10}): read with {@link #mapper()}, a jsonb number would come back a double and encode differently.
     */
    public static ObjectMapper documentMapper() {
        return JSON_VALUES;
    }

    /** A document {@link #encode} wrote, read back exactly (see {@link #documentMapper()}). */
    public static ObjectNode parse(String document) {
        try {
            return (ObjectNode) JSON_VALUES.readTree(document);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new IllegalArgumentException("not a document: " + e.getMessage(), e);
        }
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
                } catch (DateTimeException | ArithmeticException | IllegalArgumentException ex) {
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
                return isInfinity(value.asText()) ? NODES.textNode(value.asText())
                        : NODES.textNode(ZonedTimestamps.toInstantText(value.asText()));
            case "io.debezium.time.ZonedTime":
                return NODES.textNode(OffsetTime.parse(value.asText()).withOffsetSameInstant(ZoneOffset.UTC).toString());
            case "io.debezium.time.MicroTimestamp":
                return value.asLong() == MICROS_INFINITY ? NODES.textNode("infinity")
                        : value.asLong() == MICROS_MINUS_INFINITY ? NODES.textNode("-infinity")
                        : NODES.textNode(localDateTime(value.asLong(), 1_000L).toString());
            case "io.debezium.time.Timestamp":
                return NODES.textNode(localDateTime(value.asLong(), 1_000_000L).toString());
            case "io.debezium.time.NanoTimestamp":
                return NODES.textNode(localDateTime(value.asLong(), 1L).toString());
            case "io.debezium.time.Date":
                return DAYS_INFINITY.contains(value.asLong()) ? NODES.textNode("infinity")
                        : DAYS_MINUS_INFINITY.contains(value.asLong()) ? NODES.textNode("-infinity")
                        : NODES.textNode(LocalDate.ofEpochDay(value.asLong()).toString());
            case "io.debezium.time.MicroTime":
                return value.asLong() == MICROS_PER_DAY ? NODES.textNode(END_OF_DAY)
                        : NODES.textNode(LocalTime.ofNanoOfDay(value.asLong() * 1_000L).toString());
            case "io.debezium.time.Time":
                return NODES.textNode(LocalTime.ofNanoOfDay(value.asLong() * 1_000_000L).toString());
            case "io.debezium.time.NanoTime":
                return NODES.textNode(LocalTime.ofNanoOfDay(value.asLong()).toString());
            case "io.debezium.data.Json":
                return parseJson(value.asText());
            case "io.debezium.time.Interval":
                return NODES.textNode(value.asText());
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
            case "string":
                return isNumeric(schema) ? NODES.textNode(numericText(value.asText())) : NODES.textNode(value.asText());
            default:
                return value.isTextual() ? NODES.textNode(value.asText()) : value;
        }
    }

    /** Whether Debezium marked the column {@code numeric} ({@code datatype.propagate.source.type}, set by cdc-ingest). */
    private static boolean isNumeric(JsonNode schema) {
        return "NUMERIC".equalsIgnoreCase(schema.path("parameters").path(SOURCE_TYPE).asText());
    }

    /** Debezium's {@code decimal.handling.mode=string} names numeric's special values by their Java enum constants. */
    private static String numericText(String debezium) {
        return switch (debezium) {
            case "NAN" -> "NaN";
            case "POSITIVE_INFINITY" -> "Infinity";
            case "NEGATIVE_INFINITY" -> "-Infinity";
            default -> debezium;
        };
    }

    private static LocalDateTime localDateTime(long amount, long nanosPerUnit) {
        long unitsPerSecond = 1_000_000_000L / nanosPerUnit;
        long seconds = Math.floorDiv(amount, unitsPerSecond);
        int nano = (int) (Math.floorMod(amount, unitsPerSecond) * nanosPerUnit);
        return LocalDateTime.ofEpochSecond(seconds, nano, ZoneOffset.UTC);
    }

    // ---------------------------------------------------------------- JDBC

    /** Converts the current row of a result set (all its columns, sensitive ones dropped). */
    public static ObjectNode fromJdbc(EntityDefinition entity, ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        Map<String, JsonNode> columns = new TreeMap<>();
        int sensitive = 0;
        for (int i = 1; i <= md.getColumnCount(); i++) {
            String column = md.getColumnName(i);
            if (entity.isCached(column)) {
                columns.put(column, jdbcValue(rs, i, md.getColumnTypeName(i)));
            } else if (entity.sensitive().contains(column)) {
                sensitive++;
            }
        }
        if (sensitive < entity.sensitive().size()) {
            throw new SensitiveColumnMissingException(entity, columnNames(md));
        }
        return ordered(columns);
    }

    private static Set<String> columnNames(ResultSetMetaData md) throws SQLException {
        Set<String> out = new HashSet<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            out.add(md.getColumnName(i));
        }
        return out;
    }

    /**
     * @param declaredType the type name PgJDBC gives the column. It names an integer column with a sequence default by
     *                     its declaration ({@code bigserial}, {@code serial}, {@code smallserial}), where Debezium reads
     *                     the integer type: those are mapped back (a domain needs nothing: PostgreSQL describes a
     *                     result column of a domain by its base type)
     */
    static JsonNode jdbcValue(ResultSet rs, int i, String declaredType) throws SQLException {
        // getString, not getObject: PgJDBC's getObject fails on some values (money, numeric NaN)
        String text = rs.getString(i);
        if (text == null) {
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
            // PgJDBC's text of a binary numeric is BigDecimal.toString() ("1E-100"): written plain, as Debezium does
            case "numeric" -> NODES.textNode(isSpecialNumber(text) ? text : new BigDecimal(text).toPlainString());
            case "money" -> NODES.textNode(moneyText(text));
            case "bool" -> NODES.booleanNode(rs.getBoolean(i));
            case "json", "jsonb" -> parseJson(text);
            case "bytea" -> NODES.textNode(Base64.getEncoder().encodeToString(rs.getBytes(i)));
            case "date" -> NODES.textNode(isInfinity(text) ? text : rs.getObject(i, LocalDate.class).toString());
            case "time" -> NODES.textNode(text.startsWith("24:") ? END_OF_DAY : rs.getObject(i, LocalTime.class).toString());
            case "timetz" -> NODES.textNode(rs.getObject(i, OffsetTime.class).withOffsetSameInstant(ZoneOffset.UTC).toString());
            case "timestamp" -> NODES.textNode(isInfinity(text) ? text : rs.getObject(i, LocalDateTime.class).toString());
            case "timestamptz" -> NODES.textNode(isInfinity(text) ? text : rs.getObject(i, OffsetDateTime.class).toInstant().toString());
            case "interval" -> NODES.textNode(isInfinity(text) ? text : Intervals.isoText(text));
            default -> NODES.textNode(text);
        };
    }

    private static boolean isInfinity(String text) {
        return "infinity".equals(text) || "-infinity".equals(text);
    }

    private static boolean isSpecialNumber(String text) {
        return "NaN".equals(text) || "Infinity".equals(text) || "-Infinity".equals(text);
    }

    /**
     * {@code money} as Debezium writes it with {@code decimal.handling.mode=string}: the amount with its two decimals,
     * without currency symbol or grouping ({@code -$1,000.50} is {@code -1000.50}). PostgreSQL formats money by
     * {@code lc_monetary}; ColumnTypeCheck refuses money columns unless it is C / POSIX / en_US, whose format this reads.
     */
    static String moneyText(String text) {
        boolean negative = text.startsWith("-") || text.startsWith("(");
        String digits = text.replaceAll("[^0-9.]", "");
        return (negative ? "-" : "") + new BigDecimal(digits).setScale(2, RoundingMode.UNNECESSARY).toPlainString();
    }

    // ---------------------------------------------------------------- helpers

    private static JsonNode parseJson(String text) {
        try {
            return JSON_VALUES.readTree(text);
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
