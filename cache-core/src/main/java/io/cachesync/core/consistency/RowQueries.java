package io.cachesync.core.consistency;

import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.codec.ValueCodec;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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
