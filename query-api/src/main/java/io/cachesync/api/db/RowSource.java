package io.cachesync.api.db;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cachesync.core.catalog.EntityDefinition;

import java.util.Optional;

/** Where a miss reads the truth from. */
public interface RowSource {
    /** The row's document (cached columns only), or empty when the database has no such row. */
    Optional<ObjectNode> load(EntityDefinition entity, String canonicalId) throws DatabaseException;

    /** The documents of the rows that exist among {@code canonicalIds}, by id, in one query. */
    java.util.Map<String, String> loadMany(EntityDefinition entity, java.util.Collection<String> canonicalIds) throws DatabaseException;

    /** Runs a query whose rows are documents of the entity (lists, search); {@code binder} sets the parameters. */
    java.util.List<String> query(EntityDefinition entity, String sql, SqlBinder binder) throws DatabaseException;

    /** Sets the parameters of a prepared statement. */
    @FunctionalInterface
    interface SqlBinder {
        void bind(java.sql.PreparedStatement ps) throws java.sql.SQLException;
    }

    /** True when the database answers. */
    boolean ping();
}
