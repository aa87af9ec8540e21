package io.cachesync.ingest.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Whether the replication slot still continues where Debezium's offsets stopped. A slot that was dropped (and would be
 * created afresh by the engine) or dropped and recreated (its confirmed position is past the stored one) has skipped
 * every change in between: Debezium would stream on from the new slot and the gap would never be read. A slot's
 * confirmed position never passes the stored offsets (Debezium confirms a position only after storing it).
 */
public final class SlotContinuity {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private SlotContinuity() {
    }

    /** Why the slot does not continue the offsets, or empty when it does (or there are no offsets to continue). */
    public static Optional<String> broken(Connection c, String slot, Map<String, byte[]> offsets) throws SQLException {
        long stored = storedPosition(offsets);
        if (stored <= 0) {
            return Optional.empty();
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT confirmed_flush_lsn - '0/0'::pg_lsn FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.of("the replication slot " + slot + " is gone (dropped?): the changes after position " + stored
                            + " were never read");
                }
                long confirmed = rs.getLong(1);
                if (!rs.wasNull() && confirmed > stored) {
                    return Optional.of("the replication slot " + slot + " was recreated: it starts at position " + confirmed
                            + ", past the stored position " + stored + ", so the changes in between were never read");
                }
                return Optional.empty();
            }
        }
    }

    /**
     * Before a start that will read every table afresh (no stored offsets, a snapshot mode that snapshots): drops the
     * slot when one exists, so that Debezium creates it and reads the tables in the snapshot the slot exports. From a
     * slot it did not create, Debezium's snapshot opens its transaction, reads table metadata and only then takes the
     * current WAL position as where streaming resumes; a transaction that commits in between is in neither (a delete
     * lost that way left a deleted row cached for good). Nothing is lost by the drop: the re-read covers everything the
     * slot held.
     *
     * @return the slot's confirmed position when it was dropped, empty when there was nothing to do
     * @throws SQLException when the slot is in use (another process streams from it: the start is retried)
     */
    public static Optional<Long> dropBeforeFreshSnapshot(Connection c, String slot, Map<String, byte[]> offsets, String snapshotMode)
            throws SQLException {
        if (storedPosition(offsets) > 0 || !SNAPSHOTTING_MODES.contains(snapshotMode)) {
            return Optional.empty();
        }
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT confirmed_flush_lsn - '0/0'::pg_lsn, active_pid FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                long confirmed = rs.getLong(1);
                int activePid = rs.getInt(2);
                if (!rs.wasNull()) {
                    throw new SQLException("the replication slot " + slot + " is in use by process " + activePid
                            + ": it cannot be recreated for the snapshot; retrying");
                }
                try (PreparedStatement drop = c.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
                    drop.setString(1, slot);
                    drop.execute();
                }
                return Optional.of(confirmed);
            }
        }
    }

    /** Debezium's snapshot modes that read every table when there are no offsets ({@code no_data} does not). */
    static final Set<String> SNAPSHOTTING_MODES = Set.of("initial", "when_needed", "always", "initial_only");

    /** The furthest position Debezium stored ({@code lsn}, {@code lsn_proc}, {@code lsn_commit}), 0 when none. */
    static long storedPosition(Map<String, byte[]> offsets) {
        long max = 0;
        for (byte[] value : offsets.values()) {
            try {
                JsonNode n = MAPPER.readTree(value);
                for (String field : new String[] {"lsn", "lsn_proc", "lsn_commit"}) {
                    if (n != null && n.path(field).canConvertToLong()) {
                        max = Math.max(max, n.get(field).longValue());
                    }
                }
            } catch (IOException e) {
                // not an offset this class understands: no claim about it
            }
        }
        return max;
    }
}
