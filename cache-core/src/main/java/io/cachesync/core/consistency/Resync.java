package io.cachesync.core.consistency;

import io.cachesync.core.catalog.EntityDefinition;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;

/**
 * Asks cdc-ingest to re-read tables: a row in Debezium's signal table starts an incremental snapshot, whose reads
 * flow through Kafka and cache-sync like any change (without downtime, without skipping concurrent changes).
 */
public final class Resync {
    private Resync() {
    }

    /** Inserts the signal; returns its id. */
    public static String request(Connection c, String signalTable, EntityDefinition entity) throws SQLException {
        String id = UUID.randomUUID().toString();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + signalTable + " (id, type, data) VALUES (?, 'execute-snapshot', ?)")) {
            ps.setString(1, id);
            ps.setString(2, "{\"data-collections\": [\"" + entity.qualifiedTable() + "\"], \"type\": \"incremental\"}");
            ps.executeUpdate();
        }
        return id;
    }
}
