package io.cachesync.sync.topology;

import java.time.Duration;

/**
 * How cache-sync batches Redis writes.
 *
 * @param size   a task's batch is written when it holds this many mutations
 * @param linger and at the latest this long after it was last written (and always before a commit)
 */
public record Batching(int size, Duration linger) {
    /** One write at a time: every record is applied before the next one is read. */
    public static final Batching NONE = new Batching(1, Duration.ofMillis(100));
    public static final Batching DEFAULT = new Batching(500, Duration.ofMillis(5));
}
