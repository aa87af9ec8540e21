package io.cachesync.core.metrics;

import java.util.List;

/**
 * Every metric cachesync exports, as Micrometer names (Prometheus turns {@code cachesync.e2e.lag} into
 * {@code cachesync_e2e_lag_seconds}, counters get {@code _total}). docs/metrics.md explains each one.
 */
public final class MetricNames {
    // cdc-ingest
    public static final String EVENTS_CAPTURED = "cachesync.events.captured";
    public static final String SLOT_LAG = "cachesync.replication.slot.lag";
    public static final String SOURCE_EPOCH = "cachesync.source.epoch";
    public static final String EVENTS_TOO_LARGE = "cachesync.events.too.large";
    public static final String EVENTS_WITHHELD = "cachesync.events.withheld";
    public static final String SLOT_GAPS = "cachesync.replication.slot.gaps";
    // cache-sync
    public static final String E2E_LAG = "cachesync.e2e.lag";
    public static final String INGEST_LAG = "cachesync.ingest.lag";
    public static final String EVENTS_APPLIED = "cachesync.events.applied";
    public static final String EVENTS_STALE = "cachesync.events.stale";
    public static final String EVENTS_TOMBSTONED = "cachesync.events.tombstoned";
    public static final String EVENTS_SUPERSEDED = "cachesync.events.superseded";
    /** The per-entity counters whose sum is every change cache-sync has finished (written, skipped or superseded). */
    public static final List<String> EVENTS_PROCESSED = List.of(EVENTS_APPLIED, EVENTS_STALE, EVENTS_SUPERSEDED);
    public static final String EVENTS_DEAD_LETTERED = "cachesync.events.dead.lettered";
    public static final String EVENTS_INVALIDATED = "cachesync.events.invalidated";
    public static final String REDIS_RETRIES = "cachesync.redis.retries";
    public static final String BATCHES_FENCED = "cachesync.batches.fenced";
    public static final String CONSUMER_LAG = "cachesync.consumer.lag";
    public static final String VIEW_CONSUMER_LAG = "cachesync.view.consumer.lag";
    public static final String CONSISTENCY_CHECKS = "cachesync.consistency.checks";
    public static final String CACHE_REBUILDS = "cachesync.cache.rebuilds";
    public static final String SOURCE_PURGED_ROWS = "cachesync.source.purged.rows";
    public static final String SOURCE_TABLES_MISSING = "cachesync.source.tables.missing";
    // query-api
    public static final String READS = "cachesync.reads";
    public static final String HIT_RATIO = "cachesync.cache.hit.ratio";
    public static final String L1_HIT_RATIO = "cachesync.l1.hit.ratio";
    public static final String FILLS = "cachesync.fills";
    public static final String LEASE_WAITS = "cachesync.lease.waits";
    public static final String DB_READS = "cachesync.db.reads";
    public static final String HTTP_REQUESTS = "cachesync.http.requests";
    public static final String CIRCUIT_STATE = "cachesync.circuit.state";

    private MetricNames() {
    }
}
