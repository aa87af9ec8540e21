package io.cachesync.core.consistency;

import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.codec.ValueCodec;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** The SQL cachesync reads rows with, and the one way a row becomes a document (shared by fills, verify and the auditor). */
public final class RowQueries {
    private RowQueries() {
    }

    /** {@code SELECT * FROM "schema"."table"} (identifiers are validated by the catalog, and quoted). */
    public static String selectAll(EntityDefinition e) {
        return "SELECT * FROM \"" + e.schema() + "\".\"" + e.table() + "\"";
    }

    public static String selectById(EntityDefinition e) {
        return selectAll(e) + " WHERE \"" + e.keyColumn() + "\" = ?";
    }

    /** The documents of the rows with these canonical ids, by id, in one query ({@code = ANY(?)}); absent rows are missing. */
    public static Map<String, String> documents(Connection c, EntityDefinition e, Collection<String> canonicalIds) throws SQLException {
        Map<String, String> out = new HashMap<>();
        if (canonicalIds.isEmpty()) {
            return out;
        }
        String arrayType = switch (e.keyType()) {
            case BIGINT -> "int8";
            case UUID_TYPE -> "uuid";
            case TEXT -> "text";
        };
        Array keys = c.createArrayOf(arrayType, canonicalIds.stream().map(e.keyType()::jdbcValue).toArray());
        try (PreparedStatement ps = c.prepareStatement(selectAll(e) + " WHERE \"" + e.keyColumn() + "\" = ANY(?)")) {
            ps.setArray(1, keys);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(e.keyType().canonical(rs.getString(e.keyColumn())).orElseThrow(), ValueCodec.encode(ValueCodec.fromJdbc(e, rs)));
                }
            }
        } finally {
            keys.free();
        }
        return out;
    }

    /** The row's document, or empty when the database has no such row. */
    public static Optional<String> document(Connection c, EntityDefinition e, String canonicalId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(selectById(e))) {
            ps.setObject(1, e.keyType().jdbcValue(canonicalId));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(ValueCodec.encode(ValueCodec.fromJdbc(e, rs))) : Optional.empty();
            }
        }
    }
}
