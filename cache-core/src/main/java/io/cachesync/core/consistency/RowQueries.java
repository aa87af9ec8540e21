package io.cachesync.core.consistency;

import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.catalog.EntityKey;
import io.cachesync.core.codec.ValueCodec;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The SQL cachesync reads rows with, and the one way a row becomes a document (shared by fills, verify and the auditor). */
public final class RowQueries {
    private RowQueries() {
    }

    /** {@code SELECT * FROM "schema"."table"} (identifiers are validated by the catalog, and quoted). */
    public static String selectAll(EntityDefinition e) {
        return "SELECT * FROM " + e.sqlTable();
    }

    /** One row by its key: {@code ... WHERE "a" = ? AND "b" = ?}, bound by {@link #bindId}. */
    public static String selectById(EntityDefinition e) {
        return selectAll(e) + " WHERE " + e.key().whereEquals();
    }

    /** Binds a canonical id's key values to {@link #selectById}'s parameters. */
    public static void bindId(PreparedStatement ps, EntityDefinition e, String canonicalId) throws SQLException {
        List<Object> values = e.key().jdbcValues(canonicalId);
        for (int i = 0; i < values.size(); i++) {
            ps.setObject(i + 1, values.get(i));
        }
    }

    /**
     * The documents of the rows with these canonical ids, by id, in one query (one array per key column:
     * {@code WHERE ("a", "b") IN (SELECT * FROM unnest(?, ?))}); absent rows are missing.
     */
    public static Map<String, String> documents(Connection c, EntityDefinition e, Collection<String> canonicalIds) throws SQLException {
        Map<String, String> out = new HashMap<>();
        if (canonicalIds.isEmpty()) {
            return out;
        }
        EntityKey key = e.key();
        List<Array> arrays = new ArrayList<>();
        try {
            for (int i = 0; i < key.columns().size(); i++) {
                int part = i;
                arrays.add(c.createArrayOf(key.columns().get(i).type().arrayType(),
                        canonicalIds.stream().map(id -> key.jdbcValues(id).get(part)).toArray()));
            }
            String params = String.join(", ", Collections.nCopies(arrays.size(), "?"));
            try (PreparedStatement ps = c.prepareStatement(selectAll(e) + " WHERE (" + key.columnList() + ") IN (SELECT * FROM unnest(" + params + "))")) {
                for (int i = 0; i < arrays.size(); i++) {
                    ps.setArray(i + 1, arrays.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(key.of(rs), ValueCodec.encode(ValueCodec.fromJdbc(e, rs)));
                    }
                }
            }
        } finally {
            for (Array a : arrays) {
                a.free();
            }
        }
        return out;
    }

    /** The row's document, or empty when the database has no such row. */
    public static Optional<String> document(Connection c, EntityDefinition e, String canonicalId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(selectById(e))) {
            bindId(ps, e, canonicalId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(ValueCodec.encode(ValueCodec.fromJdbc(e, rs))) : Optional.empty();
            }
        }
    }
}
