package io.cachesync.ingest.source;

import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.catalog.SchemaCheck;
import io.cachesync.core.consistency.Resync;
import io.cachesync.core.consistency.SourceEpoch;
import io.cachesync.ingest.config.IngestConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the database must be before the engine starts: the signal table exists (once, at service start), and before every
 * engine start the database's identity is resolved to its source epoch (a restore, a promotion, a new cluster or a slot
 * that no longer continues the stored offsets starts a new one), an existing slot is dropped before a start that re-reads
 * every table, a publication an administrator owns covers every captured table, and a publication that holds a captured
 * partitioned table publishes its changes as the table's.
 */
public final class SourceSetup {
    private static final Logger LOG = LoggerFactory.getLogger(SourceSetup.class);

    private final IngestConfig config;
    private final DebeziumOffsets offsets;
    private final SourceEpochs epochs;
    private final LongAdder slotGaps;

    public SourceSetup(IngestConfig config, DebeziumOffsets offsets, SourceEpochs epochs, LongAdder slotGaps) {
        this.config = config;
        this.offsets = offsets;
        this.epochs = epochs;
        this.slotGaps = slotGaps;
    }

    private Connection connect() throws SQLException {
        return config.postgres().connect();
    }

    /**
     * The Debezium signal table (resync requests are rows in it); created when missing. A least-privileged ingest user
     * cannot create tables: there the administrator creates it, and it is only checked here.
     */
    public void createSignalTable() {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT to_regclass('" + config.signalTable() + "') IS NOT NULL")) {
                if (rs.next() && rs.getBoolean(1)) {
                    return;
                }
            }
            st.execute("CREATE TABLE IF NOT EXISTS " + config.signalTable()
                    + " (id varchar(64) PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048))");
        } catch (SQLException e) {
            LOG.warn("cdc-ingest: cannot create the signal table {} ({}); resync will not work until it exists",
                    config.signalTable(), e.getMessage());
        }
    }

    /** Prepares one engine start; returns the source epoch the engine's events carry. */
    public SourceEpoch beforeEngineStart() throws SQLException {
        SourceEpoch epoch = epochs.resolve(SourceIdentity.read(config.postgres()),
                slotGap());
        Map<String, byte[]> stored = offsets.read();   // once more: resolving a new epoch resets them
        recreateSlotForSnapshot(stored);
        checkPublication(!stored.isEmpty());
        return epoch;
    }

    /** The slot's confirmed flush position as a number (0 when the slot does not exist yet). */
    public long confirmedFlushLsn() {
        try (Connection c = connect();
             PreparedStatement ps = c.prepareStatement("SELECT confirmed_flush_lsn - '0/0'::pg_lsn FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, config.slotName());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        } catch (SQLException e) {
            LOG.debug("cannot read the slot position: {}", e.getMessage());
            return 0;
        }
    }

    /** Why the slot no longer continues the stored offsets (a new source epoch is then started), or empty. */
    private Optional<String> slotGap() throws SQLException {
        try (Connection c = connect()) {
            Optional<String> gap = SlotContinuity.broken(c, config.slotName(), offsets.read());
            gap.ifPresent(why -> {
                slotGaps.increment();
                LOG.error("cdc-ingest: {}; every table is read again under a new source epoch", why);
            });
            return gap;
        }
    }

    /**
     * A captured partitioned table's changes must be published as the table's (Debezium creates a publication that way; an
     * earlier one is changed, or with a publication an administrator owns, cdc-ingest refuses to start naming the
     * statement); with a publication an administrator owns, every captured table must be in it (a missing one is never
     * streamed).
     */
    private void checkPublication(boolean hasOffsets) throws SQLException {
        boolean administered = "disabled".equals(config.publicationAutocreate());
        try (Connection c = connect()) {
            List<String> added = administered || !hasOffsets ? List.of() : newlyCaptured(c);
            if (!added.isEmpty()) {
                LOG.warn("cdc-ingest: {} captured from now on (added to entities since the last start): their rows are read by an "
                        + "incremental snapshot", added);
                readAgain(c, added);
            }
            List<String> uncaptured = PublicationCoverage.requirePartitionRoot(c, config.publicationName(), config.capturedTables(),
                    !administered);
            if (!uncaptured.isEmpty()) {
                LOG.warn("cdc-ingest: the publication {} published the changes of {} as those of their partitions, which were not "
                        + "captured: it publishes them as the tables' now ({}), and they are read again", config.publicationName(),
                        uncaptured, PublicationCoverage.viaPartitionRoot(config.publicationName()));
                readAgain(c, uncaptured);
            }
            if (administered) {
                PublicationCoverage.require(c, config.publicationName(), config.capturedTables());
            }
            if (PublicationCoverage.existsWithoutTruncate(c, config.publicationName())) {
                LOG.warn("cdc-ingest: the publication {} does not publish TRUNCATE: the cached rows of a truncated table stay until "
                        + "their TTL (ALTER PUBLICATION {} SET (publish = 'insert, update, delete, truncate') publishes it)",
                        config.publicationName(), config.publicationName());
            }
        }
    }

    /**
     * The captured tables a publication Debezium keeps ({@code filtered}) does not list yet although Debezium has offsets:
     * tables added to {@code entities} since the last start. Debezium adds them to the publication and streams their
     * changes, but with offsets it reads no table again ({@code snapshot.mode} initial or when_needed), so their rows
     * would be cached only when first read, and verify would report them missing. Empty at the first start (the initial
     * snapshot reads every table) and with other snapshot modes.
     */
    private List<String> newlyCaptured(Connection c) throws SQLException {
        if (!List.of("initial", "when_needed").contains(config.snapshotMode()) || !PublicationCoverage.exists(c, config.publicationName())) {
            return List.of();
        }
        return PublicationCoverage.missing(c, config.publicationName(), config.capturedTables()).stream()
                .filter(t -> !t.equals(config.signalTable())).toList();
    }

    /** Asks for the captured tables {@code tables} to be read again (an incremental snapshot each). */
    private void readAgain(Connection c, List<String> tables) {
        for (EntityDefinition e : config.catalog().cdcFed()) {
            if (tables.contains(e.qualifiedTable())) {
                try {
                    Resync.request(c, config.signalTable(), e);
                } catch (SQLException ex) {
                    LOG.error("cdc-ingest: could not ask for {} to be read again ({}); POST /admin/resync/{} does it", e.qualifiedTable(),
                            ex.getMessage(), e.name());
                }
            }
        }
    }

    /** The captured tables' generated columns, {@code schema.table.column}: no change event holds them. */
    public List<String> generatedColumns() throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = connect()) {
            for (EntityDefinition e : config.catalog().cdcFed()) {
                SchemaCheck.generatedColumns(c, e.schema(), e.table()).forEach(col -> out.add(e.qualifiedTable() + "." + col));
            }
        }
        return out;
    }

    /** Drops an existing slot before a start that re-reads every table, so that the snapshot is the slot's own. */
    private void recreateSlotForSnapshot(Map<String, byte[]> stored) throws SQLException {
        try (Connection c = connect()) {
            SlotContinuity.dropBeforeFreshSnapshot(c, config.slotName(), stored, config.snapshotMode()).ifPresent(position ->
                    LOG.warn("cdc-ingest: dropped the replication slot {} (at position {}) before reading every table: Debezium creates it "
                            + "again and reads the tables in the snapshot it exports, so that no change committed meanwhile is missed",
                            config.slotName(), position));
        }
    }
}
