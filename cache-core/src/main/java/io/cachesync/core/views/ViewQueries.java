package io.cachesync.core.views;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.catalog.ViewDefinition;
import io.cachesync.core.codec.ValueCodec;
import io.cachesync.core.consistency.RowQueries;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A view's document read from PostgreSQL, from the same declaration the view topology keeps it by: the root row, each
 * referenced row and each child collection, read in one {@code REPEATABLE READ} transaction (one snapshot, so the parts
 * agree with each other as they did at one instant), composed by {@link ViewDocument}. Statements:
 * <pre>
 * SELECT * FROM root WHERE key = ?
 * SELECT * FROM referenced WHERE key = ?            (per reference whose column is not null)
 * SELECT * FROM child WHERE parent = ?              (per child collection)
 * </pre>
 * The read-through fill, {@code verify} and the bench's SQL side use it.
 */
public final class ViewQueries {
    private ViewQueries() {
    }

    /** The document of the view row {@code rootId}, or empty when the root has no such row. */
    public static Optional<String> document(Connection c, EntityCatalog catalog, ViewDefinition v, String rootId) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        int isolation = c.getTransactionIsolation();
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        try {
            Optional<String> doc = read(c, catalog, v, rootId);
            c.commit();
            return doc;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setTransactionIsolation(isolation);
            c.setAutoCommit(autoCommit);
        }
    }

    /**
     * The documents of those of {@code rootIds} whose root exists, by id, on one connection, each in its own snapshot
     * ({@link #document}).
     */
    public static Map<String, String> documents(Connection c, EntityCatalog catalog, ViewDefinition v, Collection<String> rootIds)
            throws SQLException {
        Map<String, String> out = new HashMap<>();
        for (String id : rootIds) {
            document(c, catalog, v, id).ifPresent(d -> out.put(id, d));
        }
        return out;
    }

    private static Optional<String> read(Connection c, EntityCatalog catalog, ViewDefinition v, String rootId) throws SQLException {
        EntityDefinition root = catalog.byName(v.root()).orElseThrow();
        Optional<ObjectNode> rootDoc = row(c, root, rootId);
        if (rootDoc.isEmpty()) {
            return Optional.empty();
        }
        Map<String, JsonNode> refs = new HashMap<>();
        for (ViewDefinition.Reference r : v.references()) {
            EntityDefinition e = catalog.byName(r.entity()).orElseThrow();
            String id = ViewDocument.idIn(e, rootDoc.get(), r.via());
            refs.put(r.name(), id == null ? null : row(c, e, id).orElse(null));
        }
        Map<String, ViewDocument.Children> children = new HashMap<>();
        for (ViewDefinition.Child ch : v.children()) {
            EntityDefinition e = catalog.byName(ch.entity()).orElseThrow();
            children.put(ch.name(), new ViewDocument.Items(childrenOf(c, e, ch.parent(), root, rootId)));
        }
        return Optional.of(ViewDocument.compose(catalog, v, rootDoc.get(), refs, children));
    }

    private static Optional<ObjectNode> row(Connection c, EntityDefinition e, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(RowQueries.selectById(e))) {
            RowQueries.bindId(ps, e, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(asStreamed(ValueCodec.fromJdbc(e, rs))) : Optional.empty();
            }
        }
    }

    /**
     * A row's document as the view topology holds it: encoded, and read back exactly ({@link ValueCodec#parse}). A
     * double read from JDBC encodes as {@code 1.0E10}; read back as a decimal it encodes as {@code 1.0E+10} — so both
     * paths compose from read-back documents, and give the same text.
     */
    private static ObjectNode asStreamed(ObjectNode row) {
        return ValueCodec.parse(ValueCodec.encode(row));
    }

    /** {@code SELECT * FROM child WHERE "parent" = ?}: the children's documents by canonical id. */
    public static String selectChildren(EntityDefinition child, String parentColumn) {
        return RowQueries.selectAll(child) + " WHERE \"" + parentColumn + "\" = ?";
    }

    private static Map<String, JsonNode> childrenOf(Connection c, EntityDefinition child, String parentColumn, EntityDefinition root,
                                                    String rootId) throws SQLException {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(selectChildren(child, parentColumn))) {
            ps.setObject(1, root.key().jdbcValues(rootId).get(0));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    // a child whose key does not fit is never cached (its events are dead-lettered): in no document
                    Optional<String> id = child.key().ofRow(rs);
                    if (id.isPresent()) {
                        out.put(id.get(), asStreamed(ValueCodec.fromJdbc(child, rs)));
                    }
                }
            }
        }
        return out;
    }
}
