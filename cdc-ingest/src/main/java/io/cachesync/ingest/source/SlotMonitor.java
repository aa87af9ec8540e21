package io.cachesync.ingest.source;

import io.cachesync.core.metrics.MetricNames;
import io.cachesync.core.util.Threads;
import io.cachesync.ingest.config.IngestConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The WAL the replication slot holds ({@code cachesync_slot_lag_bytes}: current WAL position minus the slot's confirmed
 * flush position), read every 10 s on its own daemon thread; -1 while the slot does not exist or cannot be read.
 */
public final class SlotMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SlotMonitor.class);

    private final IngestConfig config;
    private final AtomicLong lagBytes = new AtomicLong(-1);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(Threads.daemon("cachesync-ingest-slot"));

    public SlotMonitor(IngestConfig config, MeterRegistry registry) {
        this.config = config;
        Gauge.builder(MetricNames.SLOT_LAG, lagBytes, AtomicLong::get)
                .baseUnit("bytes").tag("slot", config.slotName())
                .description("WAL the replication slot holds: current WAL position minus the slot's confirmed flush position")
                .register(registry);
    }

    public SlotMonitor start() {
        timer.scheduleWithFixedDelay(this::refresh, 1, 10, TimeUnit.SECONDS);
        return this;
    }

    private void refresh() {
        try (Connection c = config.postgres().connect();
             PreparedStatement ps = c.prepareStatement("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn) "
                     + "FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, config.slotName());
            try (ResultSet rs = ps.executeQuery()) {
                lagBytes.set(rs.next() ? rs.getLong(1) : -1);
            }
        } catch (SQLException e) {
            LOG.debug("slot lag query failed: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
