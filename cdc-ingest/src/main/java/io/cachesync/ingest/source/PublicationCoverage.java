package io.cachesync.ingest.source;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Whether a publication an administrator created ({@code ingest.publication-autocreate=disabled}) lists every table
 * cdc-ingest captures. Debezium uses such a publication as it is: a table missing from it would be snapshotted, but
 * its changes would never be streamed, and nothing would say so. The same holds for a partitioned table in a
 * publication without {@code publish_via_partition_root}: PostgreSQL publishes its changes as those of the partition
 * each row is in, a table no include list names.
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

    /** The tables ({@code schema.table}) of {@code captured} that are partitioned. */
    public static List<String> partitioned(Connection c, Collection<String> captured) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT n.nspname || '.' || r.relname FROM pg_class r "
                + "JOIN pg_namespace n ON n.oid = r.relnamespace WHERE r.relkind = 'p'")) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (captured.contains(rs.getString(1))) {
                        out.add(rs.getString(1));
                    }
                }
            }
        }
        return out;
    }

    /** Whether the publication exists. */
    public static boolean exists(Connection c, String publication) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
            ps.setString(1, publication);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Whether the publication exists and publishes a partition's changes as its partitioned table's. */
    public static boolean existsWithoutPartitionRoot(Connection c, String publication) throws SQLException {
        return existsWithout(c, publication, "pubviaroot");
    }

    /** Whether the publication exists and leaves TRUNCATE out ({@code publish} without {@code truncate}). */
    public static boolean existsWithoutTruncate(Connection c, String publication) throws SQLException {
        return existsWithout(c, publication, "pubtruncate");
    }

    /** Whether the publication exists with its boolean {@code flag} (a pg_publication column, not user input) false. */
    private static boolean existsWithout(Connection c, String publication, String flag) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT NOT " + flag + " FROM pg_publication WHERE pubname = ?")) {
            ps.setString(1, publication);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    /** The statement that makes the publication publish partitions' changes as their partitioned table's. */
    public static String viaPartitionRoot(String publication) {
        return "ALTER PUBLICATION " + publication + " SET (publish_via_partition_root = true)";
    }

    /**
     * Makes sure the publication, where it exists, publishes the changes of the captured partitioned tables as theirs.
     * Where it does not, {@code mayAlter} (cdc-ingest keeps the publication, {@code ingest.publication-autocreate=filtered})
     * changes it; otherwise, or when changing it fails, this fails naming the statement to run.
     *
     * @return the captured partitioned tables whose changes were not captured until now (the publication was changed), or
     *         nothing
     */
    public static List<String> requirePartitionRoot(Connection c, String publication, Collection<String> captured, boolean mayAlter)
            throws SQLException {
        List<String> partitioned = partitioned(c, captured);
        if (partitioned.isEmpty() || !existsWithoutPartitionRoot(c, publication)) {
            return List.of();
        }
        String alter = viaPartitionRoot(publication);
        String why = "the publication " + publication + " publishes the changes of the partitioned table(s) " + partitioned
                + " as those of their partitions, which cdc-ingest does not capture";
        if (!mayAlter) {
            throw new SQLException(why + " (ingest.publication-autocreate=disabled: cdc-ingest does not change it); run " + alter
                    + " as its owner");
        }
        try (Statement st = c.createStatement()) {
            st.execute(alter);
        } catch (SQLException e) {
            throw new SQLException(why + ", and cdc-ingest cannot change it (" + e.getMessage() + "); run " + alter + " as its owner", e);
        }
        return partitioned;
    }

    /** {@code schema.table} as SQL names it: a part that is not plain lower case quoted ({@code public."OrderItems"}). */
    static String sqlName(String qualifiedTable) {
        int dot = qualifiedTable.indexOf('.');
        return part(qualifiedTable.substring(0, dot)) + "." + part(qualifiedTable.substring(dot + 1));
    }

    private static String part(String name) {
        return name.matches("[a-z_][a-z0-9_$]*") ? name : "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** Fails, naming the tables and the statement that adds them, when the publication misses any. */
    public static void require(Connection c, String publication, Collection<String> captured) throws SQLException {
        List<String> missing = missing(c, publication, captured);
        if (!missing.isEmpty()) {
            throw new SQLException("the publication " + publication + " does not list " + missing + " (ingest.publication-autocreate=disabled:"
                    + " cdc-ingest does not change it, and the changes of a table missing from it would never be captured); run"
                    + " ALTER PUBLICATION " + publication + " ADD TABLE " + String.join(", ", missing.stream().map(PublicationCoverage::sqlName).toList())
                    + " (or CREATE PUBLICATION … FOR TABLE …) as its owner; the rows such a table already holds are then read by"
                    + " POST /admin/resync/<entity>");
        }
    }
}
