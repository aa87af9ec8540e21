package io.cachesync.ingest.source;

import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.catalog.SchemaCheck;
import io.cachesync.core.consistency.Resync;
import io.cachesync.core.metrics.MetricNames;
import io.cachesync.core.util.Threads;
import io.cachesync.ingest.config.IngestConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Notices a captured table that no longer exists under its configured name, every 10 s. Debezium captures tables by
 * name: the changes of a renamed table are not captured, and its cached rows are not updated (a read of a missing row
 * fails). While one is missing, {@code cachesync_source_tables_missing} counts it and the log says so (ERROR, once);
 * when it exists again (renamed back), it is read again by an incremental snapshot, which rewrites the rows changed
 * meanwhile. A rename shorter than the interval goes unnoticed; a table renamed for good needs its new name in
 * {@code entities.<name>.table}, a restart, and {@code POST /admin/resync/<entity>}.
 */
public final class CapturedTablesWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CapturedTablesWatch.class);

    private final IngestConfig config;
    private final Set<String> missing = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(Threads.daemon("cachesync-ingest-tables"));

    public CapturedTablesWatch(IngestConfig config, MeterRegistry registry) {
        this.config = config;
        Gauge.builder(MetricNames.SOURCE_TABLES_MISSING, missing, Set::size)
                .description("Captured tables that do not exist under their configured name (renamed or dropped): their changes are "
                        + "not captured and their cached rows not updated").register(registry);
    }

    public CapturedTablesWatch start() {
        timer.scheduleWithFixedDelay(() -> {
            try (Connection c = config.postgres().connect()) {
                check(c);
            } catch (SQLException e) {
                LOG.debug("captured tables check failed: {}", e.getMessage());
            }
        }, 10, 10, TimeUnit.SECONDS);
        return this;
    }

    /** Compares the captured tables with the database once. */
    void check(Connection c) throws SQLException {
        for (EntityDefinition e : config.catalog().cdcFed()) {
            boolean exists = SchemaCheck.exists(c, e);
            if (!exists && missing.add(e.qualifiedTable())) {
                LOG.error("cdc-ingest: {} (entities.{}) does not exist any more (renamed or dropped?): its changes are not captured "
                        + "and its cached rows are not updated; rename it back, or configure its new name, restart and POST "
                        + "/admin/resync/{}", e.qualifiedTable(), e.name(), e.name());
            } else if (exists && missing.remove(e.qualifiedTable())) {
                LOG.warn("cdc-ingest: {} exists again; changes made while it did not were not captured: it is read again",
                        e.qualifiedTable());
                Resync.request(c, config.signalTable(), e);
            }
        }
    }

    /** The captured tables now missing, {@code schema.table}. */
    Set<String> missing() {
        return Set.copyOf(missing);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
