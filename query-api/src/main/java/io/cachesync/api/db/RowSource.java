package io.cachesync.api.db;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cachesync.core.catalog.EntityDefinition;

import java.util.Optional;

/** Where a miss reads the truth from. */
public interface RowSource {
    /** The row's document (cached columns only), or empty when the database has no such row. */
    Optional<ObjectNode> load(EntityDefinition entity, String canonicalId) throws DatabaseException;

    /** True when the database answers. */
    boolean ping();
}
