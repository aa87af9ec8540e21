package io.cachesync.core.catalog;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How a list column's value from a request ({@code GET /v1/orders?customer_id=42}) is read, compared and named.
 *
 * <p>A list page is stored under the generation of its value, {@code cs:_gen:<entity>:<field>=<value>}, which cache-sync
 * bumps with the value's text in the cached document ({@code CacheMutation.listValues}). So the value a request gives
 * is first turned into that text — {@code 007} into {@code 42}'s form {@code 7}, {@code TRUE} into {@code true}, an upper
 * case UUID into lower case — or refused when the column cannot hold it; otherwise a page stored under {@code 007} would
 * never be invalidated. The query then compares the column with a parameter of its own type, so that PostgreSQL can use
 * an index on it: {@code "customer_id"::text = ?} read the whole table on every miss.
 *
 * <p>Columns whose document text differs from PostgreSQL's (timestamps, times, intervals, floats, money, bytea, JSON,
 * arrays) are refused as list columns at start ({@link ColumnTypeCheck#check}); all other accepted types compare
 * their text exactly ({@link Kind#TEXT}), as documents hold it.
 *
 * @param kind  how the value is read
 * @param width for {@link Kind#PADDED}, the column's declared length ({@code char(n)}), else 0
 */
public record ListColumnType(Kind kind, int width) {
    /** The type of a list column whose type is not known (the database could not be read at start): its text, exactly. */
    public static final ListColumnType TEXT = new ListColumnType(Kind.TEXT, 0);
    public static final ListColumnType INTEGER = new ListColumnType(Kind.INTEGER, 0);
    public static final ListColumnType BOOLEAN = new ListColumnType(Kind.BOOLEAN, 0);
    public static final ListColumnType UUID = new ListColumnType(Kind.UUID, 0);

    private static final Pattern UUID_TEXT = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    public enum Kind {
        /** {@code smallint}, {@code integer}, {@code bigint}: a whole number, compared as a number. */
        INTEGER,
        /** {@code boolean}: {@code true} or {@code false}. */
        BOOLEAN,
        /** {@code uuid}: the hyphenated form, in either case. */
        UUID,
        /** {@code char(n)}: blank-padded to its width, as PostgreSQL stores and documents hold it. */
        PADDED,
        /** Every other accepted type: the column's text, exactly. */
        TEXT
    }

    public ListColumnType {
        if ((kind == Kind.PADDED) != (width > 0)) {
            throw new IllegalArgumentException("a width is given for char(n) only: " + kind + " " + width);
        }
    }

    /** A {@code char(n)} column. */
    public static ListColumnType padded(int width) {
        return new ListColumnType(Kind.PADDED, width);
    }

    /**
     * {@code raw} as the cached documents write it (and cache-sync names the list's generation), or empty when a value of
     * this column cannot be written so.
     */
    public Optional<String> canonical(String raw) {
        return switch (kind) {
            case INTEGER -> {
                try {
                    yield Optional.of(Long.toString(Long.parseLong(raw)));
                } catch (NumberFormatException e) {
                    yield Optional.empty();
                }
            }
            case BOOLEAN -> raw.equalsIgnoreCase("true") || raw.equalsIgnoreCase("false")
                    ? Optional.of(raw.toLowerCase(Locale.ROOT)) : Optional.empty();
            case UUID -> UUID_TEXT.matcher(raw).matches() ? Optional.of(raw.toLowerCase(Locale.ROOT)) : Optional.empty();
            case PADDED -> {
                String trimmed = raw.replaceFirst(" +$", "");
                yield trimmed.length() > width ? Optional.empty() : Optional.of(trimmed + " ".repeat(width - trimmed.length()));
            }
            case TEXT -> Optional.of(raw);
        };
    }

    /** What a value must be, for a refusal: "a whole number". */
    public String expected() {
        return switch (kind) {
            case INTEGER -> "a whole number";
            case BOOLEAN -> "true or false";
            case UUID -> "a UUID (8-4-4-4-12 hexadecimal digits)";
            case PADDED -> "at most " + width + " characters";
            case TEXT -> "any text";
        };
    }

    /** The condition on {@code column} (quoted already) with one parameter, {@link #bind bound} to a canonical value. */
    public String predicate(String column) {
        return switch (kind) {
            case INTEGER, BOOLEAN, UUID -> column + " = ?";
            case PADDED -> column + " = CAST(? AS bpchar)";
            case TEXT -> column + "::text = ?";
        };
    }

    /** Binds {@code canonical} (from {@link #canonical}) as the parameter of {@link #predicate}. */
    public void bind(PreparedStatement ps, int index, String canonical) throws SQLException {
        switch (kind) {
            case INTEGER -> ps.setLong(index, Long.parseLong(canonical));
            case BOOLEAN -> ps.setBoolean(index, Boolean.parseBoolean(canonical));
            case UUID -> ps.setObject(index, java.util.UUID.fromString(canonical));
            case PADDED, TEXT -> ps.setString(index, canonical);
        }
    }
}
