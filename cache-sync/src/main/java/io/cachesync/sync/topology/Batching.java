package io.cachesync.sync.topology;

import io.cachesync.sync.config.SyncConfig;

import java.time.Duration;

/**
 * How cache-sync batches Redis writes.
 *
 * @param size   a task's batch is written when it holds this many mutations
 * @param linger and otherwise every this long, when the task's writer has a free slot (and always before a commit)
 */
public record Batching(int size, Duration linger) {
    /** Every record is a batch of its own (one versioned apply per pipeline). */
    public static final Batching NONE = new Batching(1, Duration.ofMillis(100));
    /** The defaults {@link SyncConfig} declares. */
    public static final Batching DEFAULT = new Batching(SyncConfig.BATCH_SIZE.typedDefault(), SyncConfig.BATCH_LINGER.typedDefault());
}
