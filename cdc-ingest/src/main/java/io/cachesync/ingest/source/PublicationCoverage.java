package io.cachesync.ingest.source;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Whether a publication an administrator created ({@code ingest.publication-autocreate=disabled}) lists every table
 * cdc-ingest captures. Debezium uses such a publication as it is: a table missing from it would be snapshotted, but
 * its changes would never be streamed, and nothing would say so.
 */
public final class PublicationCoverage {
    private PublicationCoverage() {
    }

    /** The tables ({@code schema.table}) of {@code captured} the publication does not list; all of them when it does not exist. */
    public static List<String> missing(Connection c, String publication, Collection<String> captured) throws SQLException {
        Set<String> listed = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT schemaname || '.' || tablename FROM pg_publication_tables WHERE pubname = ?")) {
            ps.setString(1, publication);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    listed.add(rs.getString(1));
                }
            }
        }
        List<String> missing = new ArrayList<>();
        for (String table : captured) {
            if (!listed.contains(table)) {
                missing.add(table);
            }
        }
        return missing;
    }

    /** Fails, naming the tables and the statement that adds them, when the publication misses any. */
    public static void require(Connection c, String publication, Collection<String> captured) throws SQLException {
        List<String> missing = missing(c, publication, captured);
        if (!missing.isEmpty()) {
            throw new SQLException("the publication " + publication + " does not list " + missing + " (ingest.publication-autocreate=disabled:"
                    + " cdc-ingest does not change it, and the changes of a table missing from it would never be captured); run"
                    + " ALTER PUBLICATION " + publication + " ADD TABLE " + String.join(", ", missing)
                    + " (or CREATE PUBLICATION … FOR TABLE …) as its owner");
        }
    }
}
