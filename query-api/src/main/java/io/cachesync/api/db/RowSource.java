package io.cachesync.api.db;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.codec.ValueCodec;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a miss reads the truth from: a row of an entity, or the document of a view ({@code EntityDefinition.Source.VIEW},
 * keyed by its root's id), as the cache stores it.
 */
public interface RowSource {
    /** The row's document (cached columns only), or empty when the database has no such row. */
    Optional<ObjectNode> load(EntityDefinition entity, String canonicalId) throws DatabaseException;

    /**
     * The row's document as the cache stores it (the string a fill writes), or empty when the database has no such row.
     * A source that composes documents as strings (views) returns them as they are, so no re-encoding can change a value.
     */
    default Optional<String> document(EntityDefinition entity, String canonicalId) throws DatabaseException {
        return load(entity, canonicalId).map(ValueCodec::encode);
    }

    /** The documents of the rows that exist among {@code canonicalIds}, by id, in one query. */
    Map<String, String> loadMany(EntityDefinition entity, Collection<String> canonicalIds) throws DatabaseException;

    /** Runs a query whose rows are documents of the entity (lists, search); {@code binder} sets the parameters. */
    List<String> query(EntityDefinition entity, String sql, SqlBinder binder) throws DatabaseException;

    /** Sets the parameters of a prepared statement. */
    @FunctionalInterface
    interface SqlBinder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    /** True when the database answers. */
    boolean ping();
}
