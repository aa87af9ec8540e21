package io.cachesync.core.catalog;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * An entity's primary key — one column or several — and the one canonical form of its ids, used alike by URLs, batch
 * reads, Redis keys, commands, verify and the admin API.
 * <ul>
 *   <li><b>One column</b>: the value itself, as {@link KeyType#canonical} writes it ({@code 42}, {@code ab-7},
 *       a lower-case UUID).</li>
 *   <li><b>Composite</b>: the parts in primary-key order, joined by {@code ,}; each part is its canonical value with
 *       every byte outside {@code A-Z a-z 0-9 - . _ ~} percent-encoded (UTF-8, upper-case hex). A part can therefore never
 *       hold a literal {@code ,} (nor {@code ;}, {@code :}, {@code /}, {@code %} or a space): tenant {@code acme, inc} and
 *       line {@code 42} is {@code acme%2C%20inc,42}. Reading an id accepts any percent-encoding (lower-case hex, or
 *       characters left unencoded other than {@code ,}) and writes it canonically.</li>
 * </ul>
 * In a URL an id is URL-encoded like any value: {@code acme,42} can be written as is, and {@code acme%2C%20inc,42}
 * becomes {@code acme%252C%2520inc,42}.
 *
 * @param columns the key columns in primary-key order (at least one)
 * @param origin  where the columns and their types come from: what is not declared is read from the table's primary
 *                key at start ({@link SchemaCheck#resolve}); until then it is an assumption
 */
public record EntityKey(List<Column> columns, Origin origin) {
    /** Separates the parts of a composite id. */
    public static final char PART_SEPARATOR = ',';
    /** Separates the ids of a composite-key entity in a batch read ({@code ?ids=a,1;a,2}); single-column ids use {@code ,}. */
    public static final char COMPOSITE_ID_SEPARATOR = ';';
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** Where a key's columns and types come from. */
    public enum Origin {
        /** Nothing configured: {@code id bigint} assumed until the table's primary key is read. */
        ASSUMED,
        /** {@code entities.<name>.key} configured, the types assumed until they are read. */
        COLUMNS_DECLARED,
        /** Columns and {@code key-type} configured (checked against the table when it can be read). */
        DECLARED,
        /** Read from the table's primary key. */
        CATALOG;

        /** Whether the column names are known (configured or read), not assumed. */
        public boolean columnsKnown() {
            return this != ASSUMED;
        }

        /** Whether the column types are known (configured or read), not assumed. */
        public boolean typesKnown() {
            return this == DECLARED || this == CATALOG;
        }
    }

    /** One key column and its type. */
    public record Column(String name, KeyType type) {
    }

    public EntityKey {
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("a key has at least one column");
        }
        columns = List.copyOf(columns);
    }

    /** A single-column key. */
    public static EntityKey single(String column, KeyType type) {
        return new EntityKey(List.of(new Column(column, type)), Origin.DECLARED);
    }

    public boolean composite() {
        return columns.size() > 1;
    }

    public List<String> names() {
        return columns.stream().map(Column::name).toList();
    }

    /** The canonical id of an id as a client or a publisher writes it, or empty when it is malformed. */
    public Optional<String> canonical(String raw) {
        if (raw == null) {
            return Optional.empty();
        }
        if (!composite()) {
            return columns.get(0).type().canonical(raw);
        }
        String[] parts = raw.split(String.valueOf(PART_SEPARATOR), -1);
        if (parts.length != columns.size()) {
            return Optional.empty();
        }
        List<String> values = new ArrayList<>(parts.length);
        for (String part : parts) {
            Optional<String> decoded = percentDecode(part);
            if (decoded.isEmpty()) {
                return Optional.empty();
            }
            values.add(decoded.get());
        }
        return ofValues(values);
    }

    /** The canonical id of a row whose key columns hold {@code values} (in key order, unencoded), or empty when one does not fit. */
    public Optional<String> ofValues(List<String> values) {
        if (values.size() != columns.size()) {
            return Optional.empty();
        }
        if (!composite()) {
            return columns.get(0).type().canonical(values.get(0));
        }
        StringBuilder id = new StringBuilder();
        for (int i = 0; i < values.size(); i++) {
            Optional<String> part = canonicalPart(columns.get(i).type(), values.get(i));
            if (part.isEmpty()) {
                return Optional.empty();
            }
            id.append(i == 0 ? "" : String.valueOf(PART_SEPARATOR)).append(percentEncode(part.get()));
        }
        return Optional.of(id.toString());
    }

    /** The canonical id of the current row of {@code rs}, which selected the key columns. */
    public String of(ResultSet rs) throws SQLException {
        List<String> values = rowValues(rs);
        return ofValues(values).orElseThrow(() -> new SQLException("key " + values + " does not fit " + describe()));
    }

    /**
     * The canonical id of the current row of {@code rs}, or empty when its key does not fit {@link #describe()} (an empty or
     * over-long text): such a row is never cached — its change events are dead-lettered — nor can it be asked for.
     */
    public Optional<String> ofRow(ResultSet rs) throws SQLException {
        return ofValues(rowValues(rs));
    }

    /** The key values of the current row of {@code rs}, in key order. */
    private List<String> rowValues(ResultSet rs) throws SQLException {
        List<String> values = new ArrayList<>(columns.size());
        for (Column c : columns) {
            values.add(rs.getString(c.name()));
        }
        return values;
    }

    /** The unencoded values of a canonical id, in key order. */
    public List<String> values(String canonicalId) {
        if (!composite()) {
            return List.of(canonicalId);
        }
        List<String> out = new ArrayList<>(columns.size());
        for (String part : canonicalId.split(String.valueOf(PART_SEPARATOR), -1)) {
            out.add(percentDecode(part).orElseThrow(() -> new IllegalArgumentException("not a canonical id: " + canonicalId)));
        }
        return out;
    }

    /** The JDBC parameters of a canonical id, in key order. */
    public List<Object> jdbcValues(String canonicalId) {
        List<String> values = values(canonicalId);
        List<Object> out = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            out.add(columns.get(i).type().jdbcValue(values.get(i)));
        }
        return out;
    }

    /** {@code "a" = ? AND "b" = ?} */
    public String whereEquals() {
        return columns.stream().map(c -> quote(c.name()) + " = ?").collect(Collectors.joining(" AND "));
    }

    /** {@code "a", "b"} */
    public String columnList() {
        return columns.stream().map(c -> quote(c.name())).collect(Collectors.joining(", "));
    }

    /** What a well-formed id of this key is, for error messages. */
    public String describe() {
        if (!composite()) {
            return columns.get(0).type().describe();
        }
        return columns.size() + " parts separated by ',' (" + columns.stream().map(c -> c.name() + ": " + c.type().describe())
                .collect(Collectors.joining("; ")) + "), each percent-encoded where it holds anything but letters, digits, -._~";
    }

    /** {@code id bigint} or {@code (tenant text, id bigint)}. */
    @Override
    public String toString() {
        String cols = columns.stream().map(c -> c.name() + " " + c.type().configName()).collect(Collectors.joining(", "));
        return composite() ? "(" + cols + ")" : cols;
    }

    /** A part of a composite key: as {@link KeyType#canonical}, except that a text part may be empty. */
    private static Optional<String> canonicalPart(KeyType type, String value) {
        if (type == KeyType.TEXT && value != null && value.isEmpty()) {
            return Optional.of("");
        }
        return type.canonical(value);
    }

    static String percentEncode(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return out.toString();
    }

    static Optional<String> percentDecode(String part) {
        if (part.indexOf('%') < 0) {
            return Optional.of(part);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(part.length());
        for (int i = 0; i < part.length(); i++) {
            char ch = part.charAt(i);
            if (ch == '%') {
                if (i + 2 >= part.length()) {
                    return Optional.empty();
                }
                int hi = Character.digit(part.charAt(i + 1), 16);
                int lo = Character.digit(part.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return Optional.empty();
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else {
                byte[] utf8 = String.valueOf(ch).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(ch) && i + 1 < part.length()) {
                    utf8 = part.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                bytes.write(utf8, 0, utf8.length);
            }
        }
        String decoded = bytes.toString(StandardCharsets.UTF_8);
        // a byte sequence that is not UTF-8 decodes to U+FFFD and would name another id: malformed
        return decoded.indexOf('\uFFFD') >= 0 && !part.contains("\uFFFD") ? Optional.empty() : Optional.of(decoded);
    }

    private static String quote(String column) {
        return "\"" + column + "\"";
    }
}
