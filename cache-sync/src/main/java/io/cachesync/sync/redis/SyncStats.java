package io.cachesync.sync.redis;

import io.cachesync.core.metrics.LagRecorder;
import io.cachesync.core.metrics.MetricNames;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * What cache-sync did — events applied, skipped as stale, superseded, tombstoned, dead-lettered; Redis retries; end-to-end lag —
 * kept as plain counters (read by the demo and tests) and exported to the meter registry.
 */
public final class SyncStats {
    private final MeterRegistry registry;
    private final Map<String, LongAdder[]> perEntity = new ConcurrentHashMap<>();
    private final LongAdder deadLettered = new LongAdder();
    private final LongAdder redisRetries = new LongAdder();
    private final LongAdder invalidated = new LongAdder();
    private final LongAdder fenced = new LongAdder();
    private final LagRecorder lag = new LagRecorder();
    private final Timer e2eLag;
    private final LagRecorder ingestLag = new LagRecorder();
    private final Timer ingestLagTimer;

    private static final int APPLIED = 0;
    private static final int STALE = 1;
    private static final int TOMBSTONED = 2;
    private static final int SUPERSEDED = 3;

    public SyncStats() {
        this(new SimpleMeterRegistry());
    }

    public SyncStats(MeterRegistry registry) {
        this.registry = registry;
        FunctionCounter.builder(MetricNames.EVENTS_DEAD_LETTERED, deadLettered, LongAdder::sum)
                .description("Records sent to cachesync.dlq because they could not be parsed").register(registry);
        FunctionCounter.builder(MetricNames.EVENTS_INVALIDATED, invalidated, LongAdder::sum)
                .description("Changes whose row was invalidated in Redis (only its version kept) instead of written, because the event was too large "
                        + "(over sync.max-value-bytes, or replaced by cdc-ingest) or lacks an untouched TOASTed column: the next read "
                        + "fills it from PostgreSQL").register(registry);
        FunctionCounter.builder(MetricNames.REDIS_RETRIES, redisRetries, LongAdder::sum)
                .description("Redis writes retried after a failure").register(registry);
        FunctionCounter.builder(MetricNames.BATCHES_FENCED, fenced, LongAdder::sum)
                .description("Batches refused because another instance took the partition (its fence) meanwhile").register(registry);
        e2eLag = lagTimer(registry, MetricNames.E2E_LAG, "Commit in PostgreSQL to applied in Redis, per streamed change");
        ingestLagTimer = lagTimer(registry, MetricNames.INGEST_LAG, "Commit in PostgreSQL to published in Kafka by cdc-ingest (the "
                + "record's timestamp), per streamed change: the part of the end-to-end lag spent before cache-sync");
    }

    /** A lag histogram from 1 ms to 5 minutes. */
    private static Timer lagTimer(MeterRegistry registry, String name, String description) {
        return Timer.builder(name).description(description).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(5)).register(registry);
    }

    private LongAdder[] entity(String name) {
        return perEntity.computeIfAbsent(name, n -> {
            LongAdder[] a = {new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder()};
            FunctionCounter.builder(MetricNames.EVENTS_APPLIED, a[APPLIED], LongAdder::sum).tag("entity", n)
                    .description("Change events written to Redis").register(registry);
            FunctionCounter.builder(MetricNames.EVENTS_STALE, a[STALE], LongAdder::sum).tag("entity", n)
                    .description("Change events skipped because Redis held an equal or newer version").register(registry);
            FunctionCounter.builder(MetricNames.EVENTS_TOMBSTONED, a[TOMBSTONED], LongAdder::sum).tag("entity", n)
                    .description("Deletes written as tombstones").register(registry);
            FunctionCounter.builder(MetricNames.EVENTS_SUPERSEDED, a[SUPERSEDED], LongAdder::sum).tag("entity", n)
                    .description("Change events not written themselves because their row's newest change in the same batch was "
                            + "written in their place (what writing them all in order would have left)").register(registry);
            return a;
        });
    }

    public void applied(String entityName, boolean delete) {
        LongAdder[] a = entity(entityName);
        a[APPLIED].increment();
        if (delete) {
            a[TOMBSTONED].increment();
        }
    }

    /** A change whose row's newest change in the same batch was written in its place. */
    public void superseded(String entityName) {
        entity(entityName)[SUPERSEDED].increment();
    }

    public void skippedStale(String entityName) {
        entity(entityName)[STALE].increment();
    }

    public void deadLettered() {
        deadLettered.increment();
    }

    public void invalidated() {
        invalidated.increment();
    }

    public long invalidatedCount() {
        return invalidated.sum();
    }

    public void redisRetry() {
        redisRetries.increment();
    }

    /** Redis writes that failed and were retried (or given up). */
    public long redisRetries() {
        return redisRetries.sum();
    }

    public void fenced() {
        fenced.increment();
    }

    /** Batches refused by a fence: this instance had lost their partition. */
    public long fencedCount() {
        return fenced.sum();
    }

    /** Records the end-to-end lag of one streamed change. */
    public void lag(long millis) {
        lag.record(millis);
        e2eLag.record(Math.max(0, millis), TimeUnit.MILLISECONDS);
    }

    /** Records how long one streamed change took from its commit to its record in Kafka (cdc-ingest's share of the lag). */
    public void ingestLag(long millis) {
        ingestLag.record(millis);
        ingestLagTimer.record(Math.max(0, millis), TimeUnit.MILLISECONDS);
    }

    private long sum(int index) {
        return perEntity.values().stream().mapToLong(a -> a[index].sum()).sum();
    }

    /** Events written to Redis (upserts and tombstones). */
    public long applied() {
        return sum(APPLIED);
    }

    /** Events whose version was not newer than the cached one (replays, late arrivals). */
    public long stale() {
        return sum(STALE);
    }

    /** Events not written themselves because their row's newest change in the same batch was. */
    public long superseded() {
        return sum(SUPERSEDED);
    }

    public long tombstoned() {
        return sum(TOMBSTONED);
    }

    public long deadLetteredCount() {
        return deadLettered.sum();
    }

    /** Events processed: written, skipped as stale, or superseded by their row's newest change in the batch. */
    public long processed() {
        return applied() + stale() + superseded();
    }

    public LagRecorder lag() {
        return lag;
    }

    /** Commit to published in Kafka, per streamed change ({@link #ingestLag(long)}). */
    public LagRecorder ingestLag() {
        return ingestLag;
    }
}
