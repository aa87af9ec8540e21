package io.cachesync.ingest.source;

import io.cachesync.core.config.PostgresEndpoint;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Which database cdc-ingest reads, as PostgreSQL names it: the system identifier (new for every {@code initdb}, so a
 * new cluster has another) and the timeline (new after a point-in-time restore or a promotion). WAL positions are
 * comparable only within one identity.
 */
public record SourceIdentity(String systemIdentifier, long timeline) {
    /** Asks the server ({@code IDENTIFY_SYSTEM} on a replication connection: no privilege beyond REPLICATION). */
    public static SourceIdentity read(PostgresEndpoint postgres) throws SQLException {
        try (Connection c = postgres.connectForReplication();
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("IDENTIFY_SYSTEM")) {
            if (!rs.next()) {
                throw new SQLException("IDENTIFY_SYSTEM returned no row");
            }
            return new SourceIdentity(rs.getString("systemid"), rs.getLong("timeline"));
        }
    }

    @Override
    public String toString() {
        return "system identifier " + systemIdentifier + ", timeline " + timeline;
    }
}
