package io.cachesync.sync.redis;

import io.cachesync.core.metrics.LagRecorder;

import java.util.concurrent.atomic.LongAdder;

/** What cache-sync did: events applied, skipped as stale, tombstoned, dead-lettered; and the end-to-end lag. */
public final class SyncStats {
    private final LongAdder applied = new LongAdder();
    private final LongAdder stale = new LongAdder();
    private final LongAdder tombstoned = new LongAdder();
    private final LongAdder deadLettered = new LongAdder();
    private final LongAdder redisRetries = new LongAdder();
    private final LagRecorder lag = new LagRecorder();

    public void applied(boolean delete) {
        applied.increment();
        if (delete) {
            tombstoned.increment();
        }
    }

    public void skippedStale() {
        stale.increment();
    }

    public void deadLettered() {
        deadLettered.increment();
    }

    public void redisRetry() {
        redisRetries.increment();
    }

    /** Events written to Redis (upserts and tombstones). */
    public long applied() {
        return applied.sum();
    }

    /** Events whose version was not newer than the cached one (replays, late arrivals). */
    public long stale() {
        return stale.sum();
    }

    public long tombstoned() {
        return tombstoned.sum();
    }

    public long deadLetteredCount() {
        return deadLettered.sum();
    }

    public long redisRetries() {
        return redisRetries.sum();
    }

    /** Events processed, written or skipped as stale. */
    public long processed() {
        return applied.sum() + stale.sum();
    }

    public LagRecorder lag() {
        return lag;
    }
}
