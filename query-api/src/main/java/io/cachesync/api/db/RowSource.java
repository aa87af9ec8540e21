package io.cachesync.api.db;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cachesync.core.catalog.EntityDefinition;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Where a miss reads the truth from. */
public interface RowSource {
    /** The row's document (cached columns only), or empty when the database has no such row. */
    Optional<ObjectNode> load(EntityDefinition entity, String canonicalId) throws DatabaseException;

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
