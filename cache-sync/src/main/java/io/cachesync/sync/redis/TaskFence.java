package io.cachesync.sync.redis;

import io.cachesync.core.redis.CacheStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fence of one Kafka Streams task (DESIGN rule 7): an owner takes a new token ({@link CacheStore#takeFence}) when the
 * task is assigned to it, before it processes anything; every apply of the task carries it, and {@code apply.lua}
 * refuses it as soon as another instance, given the task by a later rebalance, took a newer one — even a batch already in
 * flight. (Taken lazily at the first write instead, a writer frozen before its first write would take the fence back
 * from the next owner when it wakes: RebalanceIT showed exactly that.) One per task and owner.
 */
public final class TaskFence {
    private static final Logger LOG = LoggerFactory.getLogger(TaskFence.class);
    private volatile CacheStore.Fence taken;

    private TaskFence(CacheStore.Fence taken) {
        this.taken = taken;
    }

    /** Takes the fence of one store of a task now (every copy of it), for the owner the task was just assigned to. */
    public static TaskFence take(CacheStore store, String applicationId, String storeName, String taskId) {
        TaskFence f = new TaskFence(store.takeFence(applicationId, storeName, taskId));
        LOG.debug("took the fence {} ({} keys, first token {})", f.key(), f.taken.keys().size(), f.taken.tokens().get(0));
        return f;
    }

    public String key() {
        return taken.key();
    }

    /** This owner's token of the fence (of its first copy on a cluster): larger than every token an earlier owner took. */
    public long incarnation() {
        return Long.parseLong(taken.tokens().get(0));
    }

    /** The token this owner writes with. */
    CacheStore.Fence token() {
        return taken;
    }

    /** Takes a new token after the fence key was lost (evicted or deleted), so that this owner can write again. */
    void retake(CacheStore store) {
        taken = store.takeFence(taken.keys());
    }

    /** Whether a key of the fence is gone (evicted or deleted). */
    boolean lost(CacheStore store) {
        return store.fenceLost(taken);
    }
}
