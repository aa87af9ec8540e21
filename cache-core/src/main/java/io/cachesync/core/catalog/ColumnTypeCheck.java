package io.cachesync.core.catalog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The columns of an entity's table whose type cachesync cannot encode identically from a change event and from a JDBC
 * read (docs/types.md). Types are resolved through pg_catalog — a domain to its base type, an array to its element type,
 * enums and ranges by their kind — so that a column is judged by what PostgreSQL stores, not by its declared name.
 * Sensitive and generated columns are skipped: no change event and no document holds them.
 */
public final class ColumnTypeCheck {

    /** Base types whose two paths agree (TypeMatrixIT and ValueCodecTest), by their pg_catalog name. */
    private static final Set<String> SCALARS = Set.of("int2", "int4", "int8", "oid", "numeric", "money", "float4", "float8",
            "bool", "text", "varchar", "bpchar", "uuid", "json", "jsonb", "bytea", "date", "time", "timetz", "timestamp",
            "timestamptz", "interval", "inet", "cidr", "macaddr");

    /** Element types whose arrays agree: as {@link #SCALARS} less those Debezium 3.6 cannot deliver in an array. */
    private static final Set<String> ARRAY_ELEMENTS = Set.of("int2", "int4", "int8", "float4", "float8", "bool", "text",
            "varchar", "bpchar", "uuid", "json", "jsonb", "bytea", "date", "time", "timestamp", "timestamptz");

    /**
     * Types of extensions whose two paths agree (TypeMatrixIT), by name: {@code citext}, case-insensitive text, is text in
     * change events (Debezium maps it to a string) and in a JDBC read.
     */
    private static final Set<String> EXTENSION_SCALARS = Set.of("citext");

    /** Range types written as PostgreSQL's text on both paths, independent of the session. */
    private static final Set<String> RANGES = Set.of("int4range", "int8range", "numrange", "tsrange", "daterange");

    private static final Set<String> GEOMETRIC = Set.of("point", "line", "lseg", "box", "path", "polygon", "circle");

    private ColumnTypeCheck() {
    }

    /** Built-in types a list compares by their text: a document holds them as PostgreSQL's own text (docs/types.md). */
    private static final Set<String> LIST_AS_TEXT = Set.of("text", "varchar", "numeric", "date", "inet", "cidr", "macaddr");

    /** The types a list column may have ({@link #check}), for its refusal. */
    private static final String LIST_TYPES = "smallint, integer, bigint, boolean, uuid, text, varchar, char(n), citext, an enum, "
            + "numeric, date, inet, cidr, macaddr or " + String.join(", ", new TreeSet<>(RANGES));

    /**
     * What one read of {@code e}'s columns found.
     *
     * @param problems  one line per column cachesync cannot cache, and per list column whose type a list cannot follow
     * @param listTypes how each list column is compared ({@link ListColumnType}), by field
     */
    public record Checked(List<String> problems, Map<String, ListColumnType> listTypes) {
    }

    /** One line per column of {@code e}'s table that cachesync cannot cache (or list by); empty when every column can be. */
    public static List<String> problems(Connection c, EntityDefinition e) throws SQLException {
        return check(c, e).problems();
    }

    /**
     * Every column of {@code e}'s table, read once: a problem for each cached column of a type cachesync cannot cache,
     * and for each list column whose type a list cannot follow — its text in a document differs from PostgreSQL's
     * ({@code timestamptz} is {@code 2026-11-26T10:15:30Z} in a document and {@code 2026-11-26 10:15:30+00} to
     * {@code ::text}), so the page of a value would be stored under a generation cache-sync never bumps — and how each
     * list column is compared. A list column the table does not have is left out (the schema check names it).
     */
    public static Checked check(Connection c, EntityDefinition e) throws SQLException {
        Map<Long, PgType> types = new HashMap<>();
        Settings settings = Settings.of(c);
        List<String> out = new ArrayList<>();
        Map<String, ListColumnType> listTypes = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT a.attname, a.atttypid, a.attndims, format_type(a.atttypid, a.atttypmod), a.atttypmod
                FROM pg_attribute a
                JOIN pg_class r ON r.oid = a.attrelid
                JOIN pg_namespace n ON n.oid = r.relnamespace
                WHERE n.nspname = ? AND r.relname = ? AND a.attnum > 0 AND NOT a.attisdropped
                ORDER BY a.attnum""")) {
            ps.setString(1, e.schema());
            ps.setString(2, e.table());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String column = rs.getString(1);
                    if (!e.isCached(column)) {
                        continue;
                    }
                    Optional<String> reason = reason(c, types, settings, rs.getLong(2), rs.getInt(3));
                    if (reason.isPresent()) {
                        out.add("entities." + e.name() + " (" + e.qualifiedTable() + "): column '" + column + "' has type "
                                + rs.getString(4) + ", which cachesync cannot cache: " + reason.get()
                                + "; mark it sensitive to leave it out");
                    }
                    if (e.query().list(column).isPresent()) {
                        Optional<ListColumnType> type = listType(c, types, rs.getLong(2), rs.getInt(5));
                        if (type.isPresent()) {
                            listTypes.put(column, type.get());
                        } else {
                            out.add("entities." + e.name() + ".lists (" + e.qualifiedTable() + "): column '" + column + "' has type "
                                    + rs.getString(4) + ", whose text in a cached document is not PostgreSQL's, so its list pages could"
                                    + " not be kept fresh; list by a column of " + LIST_TYPES);
                        }
                    }
                }
            }
        }
        return new Checked(out, listTypes);
    }

    private static Optional<ListColumnType> listType(Connection c, Map<Long, PgType> types, long oid, int typmod) throws SQLException {
        PgType t = type(c, types, oid);
        if (t.isArray()) {
            return Optional.empty();
        }
        return switch (t.kind()) {
            case 'd' -> listType(c, types, t.baseType(), t.typmod());
            case 'e' -> Optional.of(ListColumnType.TEXT);
            case 'r' -> t.isBuiltIn() && RANGES.contains(t.name()) ? Optional.of(ListColumnType.TEXT) : Optional.empty();
            case 'b' -> {
                if (!t.isBuiltIn()) {
                    yield EXTENSION_SCALARS.contains(t.name()) ? Optional.of(ListColumnType.TEXT) : Optional.empty();
                }
                yield switch (t.name()) {
                    case "int2", "int4", "int8" -> Optional.of(ListColumnType.INTEGER);
                    case "bool" -> Optional.of(ListColumnType.BOOLEAN);
                    case "uuid" -> Optional.of(ListColumnType.UUID);
                    // char(n): typmod is n + 4; a bpchar without a length is not padded
                    case "bpchar" -> Optional.of(typmod > 4 ? ListColumnType.padded(typmod - 4) : ListColumnType.TEXT);
                    default -> LIST_AS_TEXT.contains(t.name()) ? Optional.of(ListColumnType.TEXT) : Optional.empty();
                };
            }
            default -> Optional.empty();
        };
    }

    /** Why a column of this type cannot be cached, or empty. */
    private static Optional<String> reason(Connection c, Map<Long, PgType> types, Settings settings, long oid, int dimensions)
            throws SQLException {
        PgType t = type(c, types, oid);
        if (t.isArray()) {
            if (dimensions > 1) {
                return Optional.of("Debezium 3.6 writes a multi-dimensional array as an array of nulls");
            }
            PgType element = type(c, types, t.element());
            return switch (element.kind()) {
                case 'd' -> Optional.of("Debezium 3.6 leaves an array of a domain out of its change events");
                case 'e' -> Optional.of("Debezium 3.6 turns an enum array with a NULL element into NULL");
                default -> {
                    if (element.isBuiltIn() && "numeric".equals(element.name())) {
                        yield Optional.of("Debezium 3.6 turns a numeric array with a NaN element into NULL");
                    }
                    yield element.isBuiltIn() && ARRAY_ELEMENTS.contains(element.name()) ? Optional.empty()
                            : Optional.of("arrays of " + element.name() + " are not supported");
                }
            };
        }
        return switch (t.kind()) {
            case 'd' -> reason(c, types, settings, t.baseType(), dimensions);
            case 'e' -> Optional.empty();
            case 'r' -> rangeReason(t);
            case 'c' -> Optional.of("a composite (row) type has no representation that both paths share");
            case 'm' -> Optional.of("multiranges are not supported");
            case 'b' -> baseTypeReason(t, settings);
            default -> Optional.of("a pseudo-type cannot be cached");
        };
    }

    private static Optional<String> rangeReason(PgType t) {
        if (t.isBuiltIn() && RANGES.contains(t.name())) {
            return Optional.empty();
        }
        if (t.isBuiltIn() && "tstzrange".equals(t.name())) {
            return Optional.of("its text depends on the session's time zone, which cdc-ingest and the readers need not share");
        }
        return Optional.of("only the ranges " + String.join(", ", RANGES.stream().sorted().toList()) + " are supported");
    }

    private static Optional<String> baseTypeReason(PgType t, Settings settings) {
        if (!t.isBuiltIn() && EXTENSION_SCALARS.contains(t.name())) {
            return Optional.empty();
        }
        if (!t.isBuiltIn()) {
            return Optional.of("a type from an extension or of the user (" + t.name() + ") has no verified representation");
        }
        if (GEOMETRIC.contains(t.name())) {
            return Optional.of("geometric types are not supported");
        }
        if ("tsvector".equals(t.name()) || "tsquery".equals(t.name())) {
            return Optional.of("text search types are not supported");
        }
        if (!SCALARS.contains(t.name())) {
            return Optional.of("its representation in change events is not verified to match a JDBC read");
        }
        if ("money".equals(t.name()) && !settings.moneyReadable()) {
            return Optional.of("lc_monetary is '" + settings.lcMonetary() + "'; money is read in the format of C, POSIX or en_US only");
        }
        if ("interval".equals(t.name()) && !"postgres".equals(settings.intervalStyle())) {
            return Optional.of("IntervalStyle is '" + settings.intervalStyle() + "'; interval is read in the style postgres only");
        }
        return Optional.empty();
    }

    private static PgType type(Connection c, Map<Long, PgType> types, long oid) throws SQLException {
        PgType known = types.get(oid);
        if (known != null) {
            return known;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT t.typname, t.typtype, t.typbasetype, t.typelem, t.typcategory, n.nspname, t.typtypmod
                FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.oid = ?""")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("pg_type has no type " + oid);
                }
                PgType t = new PgType(rs.getString(1), rs.getString(2).charAt(0), rs.getLong(3), rs.getLong(4),
                        rs.getString(5).charAt(0), "pg_catalog".equals(rs.getString(6)), rs.getInt(7));
                types.put(oid, t);
                return t;
            }
        }
    }

    /** A row of pg_type ({@code typmod}: a domain's modifier of its base type, such as char(n)'s length). */
    private record PgType(String name, char kind, long baseType, long element, char category, boolean isBuiltIn, int typmod) {
        boolean isArray() {
            return category == 'A' && element != 0;
        }
    }

    /** The server settings some representations depend on. */
    private record Settings(String lcMonetary, String intervalStyle) {
        static Settings of(Connection c) throws SQLException {
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT current_setting('lc_monetary'), current_setting('IntervalStyle')")) {
                rs.next();
                return new Settings(rs.getString(1), rs.getString(2));
            }
        }

        boolean moneyReadable() {
            String l = lcMonetary.toLowerCase(Locale.ROOT);
            return l.equals("c") || l.equals("posix") || l.startsWith("c.") || l.startsWith("en_us");
        }
    }
}
