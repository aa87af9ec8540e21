package io.cachesync.sync.redis;

import io.cachesync.core.redis.CacheStore;

/**
 * The fence of one Kafka Streams task (DESIGN rule 7): the first batch an owner writes takes a new token
 * ({@link CacheStore#takeFence}); every apply of the task carries it, and {@code apply.lua} refuses it as soon as another
 * instance, given the task by a rebalance, took a newer one — even a batch already in flight. One per task and owner,
 * used by the task's writer thread only.
 */
public final class TaskFence {
    private final String key;
    private volatile CacheStore.Fence taken;

    public TaskFence(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }

    /** The token this owner writes with, taken on first use. */
    CacheStore.Fence acquire(CacheStore store) {
        CacheStore.Fence f = taken;
        if (f == null) {
            f = store.takeFence(key);
            taken = f;
        }
        return f;
    }

    /** Takes a new token after the fence key was lost (evicted or deleted), so that this owner can write again. */
    CacheStore.Fence retake(CacheStore store) {
        CacheStore.Fence f = store.takeFence(key);
        taken = f;
        return f;
    }
}
